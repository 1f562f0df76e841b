//! The verifier against a signature made by OpenSSL, against encodings that differ in one
//! part, and against the `rsa` crate on random messages, tamperings and keys.

use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};

use super::*;

const RSA_2048: &str = include_str!("../jwt/test-rsa-2048.pem");
const RSA_2048_E3: &str = include_str!("test-rsa-2048-e3.pem");
const RSA_3072: &str = include_str!("test-rsa-3072.pem");
const RSA_4096: &str = include_str!("test-rsa-4096.pem");
const RSA_1024: &str = include_str!("../jwt/test-rsa-1024.pem");
const MIN_BITS: usize = 2048;

/// `openssl dgst -sha256 -sign test-rsa-2048.pem` of "known answer".
const KNOWN_SIGNATURE: &str = "40cf82a5128554c884423fffa9831fc40f0027462ef5ad4df1dbcf3499f83a0549cdab71acd75448dc3d2439d2e0d55dffc6acde56b3905c902a305fb52b4ad7618a009f82fc2a843acf6426e48b301ab389e02cc8a228fb205ffae61f4f5cf54318fe7f1081767511b831a08506526ba5333da54e3bb3de594dc178ab5bb67d996455f0a7597a19ff35259e0e2de2af45a950a033bbf70055f2b620722187af5d9565b4573cb3314249c116ff634f733d5ae721b1e58edef928f756403505a39ff5321fa7067526b59774bb8c5531133ed5573fa4f88fc50ee1f81b2638e92b1ec28e60ee5d76c07ba82768975b800bee26623e4a27a105457c1488220ce397";

fn private(pem: &str) -> rsa::PrivateKey {
    rsa::PrivateKey::from_pkcs8_pem(pem).unwrap()
}

fn public(key: &rsa::PrivateKey) -> Option<PublicKey> {
    let n = key.n().to_be_bytes_trimmed_vartime();
    let e = key.e().to_be_bytes_trimmed_vartime();
    PublicKey::new(&n, &e, MIN_BITS)
}

fn sign(key: &rsa::PrivateKey, message: &[u8]) -> Vec<u8> {
    let signer = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(key.clone());
    signer.sign(message).to_vec()
}

/// The raw private-key operation on an encoded message `em`: a signature of whatever it
/// encodes.
fn sign_raw(key: &rsa::PrivateKey, em: &[u8]) -> Vec<u8> {
    let ours = public(key).unwrap();
    let d = key.d().to_be_bytes_trimmed_vartime();
    ours.pow(&limbs(em), &d)
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_signature_made_by_openssl_verifies() {
    let key = public(&private(RSA_2048)).unwrap();
    let signature = hex(KNOWN_SIGNATURE);
    assert!(key.verify(b"known answer", &signature));
    assert!(!key.verify(b"known answer.", &signature));
    assert_eq!(sign(&private(RSA_2048), b"known answer"), signature);
}

#[test]
fn the_signature_must_have_the_modulus_length_and_be_below_it() {
    let private = private(RSA_2048);
    let key = public(&private).unwrap();
    let signature = sign(&private, b"m");
    assert!(key.verify(b"m", &signature));
    assert!(!key.verify(b"m", &signature[1..]));
    assert!(!key.verify(b"m", &[&[0][..], &signature].concat()));
    assert!(!key.verify(b"m", &[]));
    let n = private.n().to_be_bytes_trimmed_vartime();
    assert!(!key.verify(b"m", &n));
    // s + n is s modulo n, but not below it.
    let mut s_plus_n = limbs(&signature);
    let carry = s_plus_n
        .iter_mut()
        .zip(limbs(&n))
        .fold(0u64, |carry, (s, n)| {
            let sum = u64::from(*s) + u64::from(n) + carry;
            *s = sum as u32;
            sum >> 32
        });
    if carry == 0 && s_plus_n.len() * 4 == n.len() {
        let bytes: Vec<u8> = s_plus_n
            .iter()
            .rev()
            .flat_map(|l| l.to_be_bytes())
            .collect();
        assert!(!key.verify(b"m", &bytes));
    }
}

#[test]
fn only_the_exact_encoding_of_the_sha256_hash_verifies() {
    let private = private(RSA_2048);
    let key = public(&private).unwrap();
    let size = key.size;
    let hash = Sha256::digest(b"m");
    let good = encode(&hash, size);
    assert!(key.verify(b"m", &sign_raw(&private, &good)));
    let t_len = SHA256_DIGEST_INFO.len() + hash.len();
    let changed = |at: usize, value: u8| {
        let mut em = good.clone();
        em[at] = value;
        em
    };
    // SHA-1, SHA-384 and SHA-512 DigestInfo prefixes: the same lengths differ in bytes.
    let sha384_prefix: [u8; 19] = [
        0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
        0x05, 0x00, 0x04, 0x30,
    ];
    let mut sha384 = good.clone();
    sha384[size - t_len..size - hash.len()].copy_from_slice(&sha384_prefix);
    let sha1_prefix = [
        0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
    ];
    let sha1_t_len = sha1_prefix.len() + 20;
    let mut sha1 = vec![0xff; size];
    sha1[0] = 0;
    sha1[1] = 1;
    sha1[size - sha1_t_len - 1] = 0;
    sha1[size - sha1_t_len..size - 20].copy_from_slice(&sha1_prefix);
    sha1[size - 20..].copy_from_slice(&hash[..20]);
    // The DigestInfo without its NULL parameters (a BER variant some verifiers took).
    let mut no_null = vec![0xff; size];
    let short_prefix = [
        0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x04, 0x20,
    ];
    no_null[0] = 0;
    no_null[1] = 1;
    no_null[size - 17 - 32 - 1] = 0;
    no_null[size - 17 - 32..size - 32].copy_from_slice(&short_prefix);
    no_null[size - 32..].copy_from_slice(&hash);
    let bad = [
        ("first byte", changed(0, 0x01)),
        ("block type 2", changed(1, 0x02)),
        ("block type 0", changed(1, 0x00)),
        ("a padding byte", changed(5, 0xfe)),
        ("the separator", changed(size - t_len - 1, 0xff)),
        ("the DigestInfo", changed(size - t_len + 1, 0x30)),
        ("the hash", changed(size - 1, good[size - 1] ^ 1)),
        ("SHA-384 DigestInfo", sha384),
        ("SHA-1", sha1),
        ("DigestInfo without NULL", no_null),
    ];
    for (what, em) in bad {
        assert!(!key.verify(b"m", &sign_raw(&private, &em)), "{what}");
    }
}

#[test]
fn keys_are_checked_as_they_are_read() {
    let n = private(RSA_2048).n().to_be_bytes_trimmed_vartime();
    assert!(PublicKey::new(&n, &[1, 0, 1], MIN_BITS).is_some());
    assert!(PublicKey::new(&[&[0, 0][..], &n].concat(), &[0, 1, 0, 1], MIN_BITS).is_some());
    for e in [
        &[][..],
        &[0],
        &[1],
        &[2],
        &[1, 0, 0],
        &[4, 0, 0, 0, 1],
        &[0xff; 9],
    ] {
        assert!(PublicKey::new(&n, e, MIN_BITS).is_none(), "e = {e:?}");
    }
    assert!(PublicKey::new(&n, &[1, 0xff, 0xff, 0xff, 0xff], MIN_BITS).is_some());
    let mut even = n.to_vec();
    *even.last_mut().unwrap() &= 0xfe;
    assert!(PublicKey::new(&even, &[1, 0, 1], MIN_BITS).is_none());
    let short = public(&private(RSA_1024));
    assert!(short.is_none(), "1024 bits is under MIN_BITS");
    let mut huge = vec![0xff; MAX_BITS / 8 + 1];
    *huge.last_mut().unwrap() = 0xfd;
    assert!(PublicKey::new(&huge, &[3], MIN_BITS).is_none());
    assert!(PublicKey::new(&huge[1..], &[3], MIN_BITS).is_some());
}

#[test]
fn exponent_3_verifies() {
    let private = private(RSA_2048_E3);
    assert_eq!(private.e().to_be_bytes_trimmed_vartime().as_ref(), [3]);
    let key = public(&private).unwrap();
    assert!(key.verify(b"m", &sign(&private, b"m")));
}

/// The verifier agrees with the `rsa` crate's on random messages, on signatures with a
/// bit flipped, on another message, and on random bytes, for keys of 2048 to 4096 bits.
#[test]
fn agrees_with_the_rsa_crate() {
    use rsa::signature::Verifier;
    let mut rng = fastrand::Rng::with_seed(0x5256);
    for pem in [RSA_2048, RSA_2048_E3, RSA_3072, RSA_4096] {
        let private = private(pem);
        let theirs = rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha256>::new(private.to_public_key());
        let ours = public(&private).unwrap();
        for round in 0..12 {
            let message: Vec<u8> = (0..rng.usize(0..200)).map(|_| rng.u8(..)).collect();
            let signature = sign(&private, &message);
            let mut flipped = signature.clone();
            let at = rng.usize(..flipped.len());
            flipped[at] ^= 1 << rng.u8(0..8);
            let random: Vec<u8> = (0..signature.len()).map(|_| rng.u8(..)).collect();
            let other = [&message[..], b"x"].concat();
            let cases = [
                (&message, &signature),
                (&message, &flipped),
                (&message, &random),
                (&other, &signature),
            ];
            for (m, s) in cases {
                let expected = rsa::pkcs1v15::Signature::try_from(s.as_slice())
                    .is_ok_and(|s| theirs.verify(m, &s).is_ok());
                assert_eq!(ours.verify(m, s), expected, "round {round}");
            }
            assert!(ours.verify(&message, &signature));
        }
    }
}
