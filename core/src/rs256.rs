//! RSASSA-PKCS1-v1_5 signature verification with SHA-256 (RFC 8017 8.2.2), the RS256 of
//! JWT. Only the public-key operation, on public values, so it may take variable time:
//! Montgomery multiplication on 32-bit limbs with 64-bit products, which wasm32 has
//! natively.

use sha2::{Digest, Sha256};

/// Largest modulus accepted, in bits, as the `rsa` crate's `PublicKey::new`.
pub const MAX_BITS: usize = 8192;
/// Largest public exponent accepted: a larger one only makes verification slower
/// (the `rsa` crate's `MAX_PUB_EXPONENT`, after ring).
pub const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// The DER DigestInfo of SHA-256 that precedes the hash in the encoded message
/// (RFC 8017 9.2, note 1), compared byte for byte, never parsed.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// An RSA public key, with what Montgomery multiplication modulo `n` needs.
#[derive(Debug)]
pub struct PublicKey {
    /// The modulus, least significant limb first.
    n: Vec<u32>,
    /// The public exponent, big-endian without leading zeros.
    e: Vec<u8>,
    /// Signature and modulus length in bytes.
    size: usize,
    /// -n^-1 mod 2^32.
    n0_inv: u32,
    /// R^2 mod n, R = 2^(32 * limbs).
    r2: Vec<u32>,
}

impl PublicKey {
    /// The key of `modulus` and `exponent` (big-endian), or `None` unless the modulus has
    /// `min_bits` to [`MAX_BITS`] bits and is odd, and the exponent is odd, at least 3 and at
    /// most [`MAX_EXPONENT`].
    pub fn new(modulus: &[u8], exponent: &[u8], min_bits: usize) -> Option<PublicKey> {
        let modulus = trim(modulus);
        let e = trim(exponent);
        let bits = bit_length(modulus);
        if !(min_bits..=MAX_BITS).contains(&bits) || modulus.last()? & 1 == 0 {
            return None;
        }
        let e_value = (e.len() <= 8).then(|| e.iter().fold(0u64, |v, &b| v << 8 | u64::from(b)))?;
        if !(3..=MAX_EXPONENT).contains(&e_value) || e_value & 1 == 0 {
            return None;
        }
        let n = limbs(modulus);
        let n0_inv = inverse(n[0]).wrapping_neg();
        let mut key = PublicKey {
            size: modulus.len(),
            e: e.to_vec(),
            r2: Vec::new(),
            n,
            n0_inv,
        };
        key.r2 = key.r_squared(bits);
        Some(key)
    }

    /// Whether `signature` signs `message` (RFC 8017 8.2.2, with EMSA-PKCS1-v1_5 and
    /// SHA-256): the signature is as long as the modulus and below it, and `s^e mod n` is
    /// exactly the encoding of the message's hash.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        if signature.len() != self.size {
            return false;
        }
        let s = limbs(signature);
        if !less(&s, &self.n) {
            return false;
        }
        self.pow(&s, &self.e) == encode(&Sha256::digest(message), self.size)
    }

    /// `base^exponent mod n` (`base` below n, `exponent` big-endian without leading zero
    /// bytes, not zero) as `size` bytes, big-endian: left to right, square and multiply,
    /// from the exponent's top bit.
    fn pow(&self, base: &[u32], exponent: &[u8]) -> Vec<u8> {
        let base = self.mul(base, &self.r2);
        let mut acc = base.clone();
        let bits = exponent
            .iter()
            .flat_map(|byte| (0..8).rev().map(move |i| byte >> i & 1));
        for bit in bits.skip_while(|&bit| bit == 0).skip(1) {
            acc = self.mul(&acc, &acc);
            if bit == 1 {
                acc = self.mul(&acc, &base);
            }
        }
        let mut one = vec![0; self.n.len()];
        one[0] = 1;
        let result = self.mul(&acc, &one);
        let bytes: Vec<u8> = result.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
        bytes[bytes.len() - self.size..].to_vec()
    }

    /// Montgomery product `a * b / R mod n` of `a`, `b` below n (CIOS: multiply and reduce
    /// one limb at a time).
    fn mul(&self, a: &[u32], b: &[u32]) -> Vec<u32> {
        let n = &self.n;
        let len = n.len();
        let mut t = vec![0u32; len + 2];
        for &b_i in b {
            let mut carry = 0u64;
            for (t_j, &a_j) in t.iter_mut().zip(a) {
                let sum = u64::from(*t_j) + u64::from(a_j) * u64::from(b_i) + carry;
                *t_j = sum as u32;
                carry = sum >> 32;
            }
            let sum = u64::from(t[len]) + carry;
            t[len] = sum as u32;
            t[len + 1] = (sum >> 32) as u32;
            let m = u64::from(t[0].wrapping_mul(self.n0_inv));
            let mut carry = (u64::from(t[0]) + m * u64::from(n[0])) >> 32;
            for j in 1..len {
                let sum = u64::from(t[j]) + m * u64::from(n[j]) + carry;
                t[j - 1] = sum as u32;
                carry = sum >> 32;
            }
            let sum = u64::from(t[len]) + carry;
            t[len - 1] = sum as u32;
            t[len] = t[len + 1] + (sum >> 32) as u32;
            t[len + 1] = 0;
        }
        // Below 2n: one subtraction at most.
        if t[len] != 0 || !less(&t[..len], n) {
            subtract(&mut t[..len], n);
        }
        t.truncate(len);
        t
    }

    /// R^2 mod n for a modulus of `bits` bits: 2^(bits - 1), below n, doubled up to
    /// 2^(32 limbs + j) = 2^j R, then squared s times in Montgomery form, which doubles the
    /// power of two above R each time, to 2^(j 2^s) R = R^2, where j 2^s = 32 limbs. A
    /// doubling costs one pass over the limbs and a squaring as many passes as there are
    /// limbs, so s is at most 4: j is then at least 2 limbs, the cost of one squaring.
    fn r_squared(&self, bits: usize) -> Vec<u32> {
        let r_bits = 32 * self.n.len();
        let squarings = r_bits.trailing_zeros().min(4);
        let j = r_bits >> squarings;
        let mut x = vec![0u32; self.n.len()];
        x[(bits - 1) / 32] = 1 << ((bits - 1) % 32);
        for _ in bits - 1..r_bits + j {
            let carry = double(&mut x);
            if carry || !less(&x, &self.n) {
                subtract(&mut x, &self.n);
            }
        }
        for _ in 0..squarings {
            x = self.mul(&x, &x);
        }
        x
    }
}

/// EMSA-PKCS1-v1_5 of SHA-256 `hash` in `size` bytes: 00 01, FF up to the DigestInfo,
/// 00, the DigestInfo and the hash.
fn encode(hash: &[u8], size: usize) -> Vec<u8> {
    let mut em = vec![0xff; size];
    let t_len = SHA256_DIGEST_INFO.len() + hash.len();
    em[0] = 0x00;
    em[1] = 0x01;
    em[size - t_len - 1] = 0x00;
    em[size - t_len..size - hash.len()].copy_from_slice(&SHA256_DIGEST_INFO);
    em[size - hash.len()..].copy_from_slice(hash);
    em
}

fn trim(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    &bytes[zeros..]
}

fn bit_length(trimmed: &[u8]) -> usize {
    trimmed
        .first()
        .map_or(0, |b| trimmed.len() * 8 - b.leading_zeros() as usize)
}

/// Big-endian bytes as limbs, least significant first.
fn limbs(bytes: &[u8]) -> Vec<u32> {
    bytes
        .rchunks(4)
        .map(|chunk| chunk.iter().fold(0, |v, &b| v << 8 | u32::from(b)))
        .collect()
}

/// `a < b` for limbs of the same length.
fn less(a: &[u32], b: &[u32]) -> bool {
    a.iter().rev().cmp(b.iter().rev()).is_lt()
}

/// `a -= b`, modulo 2^(32 limbs).
fn subtract(a: &mut [u32], b: &[u32]) {
    let mut borrow = false;
    for (a_i, &b_i) in a.iter_mut().zip(b) {
        let (d, b1) = a_i.overflowing_sub(b_i);
        let (d, b2) = d.overflowing_sub(u32::from(borrow));
        *a_i = d;
        borrow = b1 || b2;
    }
}

/// `a *= 2`; whether a bit carried out.
fn double(a: &mut [u32]) -> bool {
    let mut carry = 0;
    for limb in a {
        let next = *limb >> 31;
        *limb = *limb << 1 | carry;
        carry = next;
    }
    carry == 1
}

/// `a^-1 mod 2^32` of an odd `a` (Newton's iteration doubles the correct bits).
fn inverse(a: u32) -> u32 {
    (0..5).fold(1u32, |x, _| {
        x.wrapping_mul(2u32.wrapping_sub(a.wrapping_mul(x)))
    })
}

#[cfg(test)]
mod tests;
