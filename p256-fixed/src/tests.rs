use num_bigint::BigUint;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey};

use super::uint::{self, U256};
use super::{VerifyingKey, field, scalar};

fn big(a: &U256) -> BigUint {
    BigUint::from_slice(a)
}

fn limbs(a: &BigUint) -> U256 {
    let mut limbs = uint::ZERO;
    for (limb, digit) in limbs.iter_mut().zip(a.to_u32_digits()) {
        *limb = digit;
    }
    limbs
}

fn random_below(rng: &mut fastrand::Rng, m: &U256) -> U256 {
    limbs(&(big(&std::array::from_fn(|_| rng.u32(..))) % big(m)))
}

/// Values below `m`: small ones, ones just below `m` and 2^k, and random ones.
fn samples(m: &U256) -> Vec<U256> {
    let m_big = big(m);
    let mut values: Vec<BigUint> = (0u32..4).map(BigUint::from).collect();
    values.extend((1u32..5).map(|k| &m_big - k));
    for power in [32u32, 96, 192, 224, 255] {
        let power = BigUint::from(1u32) << power;
        values.extend([&power - 1u32, power.clone(), power + 1u32]);
    }
    let mut rng = fastrand::Rng::with_seed(256);
    let mut values: Vec<U256> = values.iter().map(|v| limbs(&(v % &m_big))).collect();
    values.extend((0..40).map(|_| random_below(&mut rng, m)));
    values
}

#[test]
fn field_arithmetic_agrees_with_bigint() {
    let p = big(&field::P);
    let values = samples(&field::P);
    for a in &values {
        for b in &values {
            let (x, y) = (big(a), big(b));
            assert_eq!(big(&field::add(a, b)), (&x + &y) % &p);
            assert_eq!(big(&field::sub(a, b)), (&x + &p - &y) % &p);
            assert_eq!(big(&field::mul(a, b)), (&x * &y) % &p, "{x} * {y}");
        }
        assert_eq!(big(&field::neg(a)), (&p - big(a)) % &p);
        if !uint::is_zero(a) {
            assert_eq!((big(&field::invert(a)) * big(a)) % &p, BigUint::from(1u32));
        }
    }
}

#[test]
fn scalar_arithmetic_agrees_with_bigint() {
    let n = big(&scalar::N);
    let values = samples(&scalar::N);
    for a in &values {
        for b in &values {
            assert_eq!(big(&scalar::mul(a, b)), (big(a) * big(b)) % &n);
        }
        assert_eq!(scalar::is_nonzero_scalar(a), !uint::is_zero(a));
        if !uint::is_zero(a) {
            assert_eq!((big(&scalar::invert(a)) * big(a)) % &n, BigUint::from(1u32));
        }
        // Any 256-bit value reduces: n plus a value below 2^256 - n.
        let shifted = uint::add(a, &scalar::N).0;
        assert_eq!(big(&scalar::reduce(&shifted)), (big(&shifted)) % &n);
    }
    let all_ones = [u32::MAX; 8];
    assert_eq!(big(&scalar::reduce(&all_ones)), big(&all_ones) % &n);
    assert!(!scalar::is_nonzero_scalar(&scalar::N));
    assert!(!scalar::is_nonzero_scalar(&all_ones));
}

fn sec1(key: &SigningKey) -> [u8; 65] {
    key.verifying_key()
        .to_sec1_point(false)
        .as_bytes()
        .try_into()
        .unwrap()
}

fn key_of(signing: &SigningKey) -> VerifyingKey {
    <VerifyingKey>::from_sec1(&sec1(signing)).unwrap()
}

/// FIPS 186-4 SigVer, P-256 with SHA-256 (the prehash as p256's test vectors hold it).
const NIST_VECTORS: [(&str, &str, &str, &str, &str); 2] = [
    (
        "1ccbe91c075fc7f4f033bfa248db8fccd3565de94bbfb12f3c59ff46c271bf83",
        "ce4014c68811f9a21a1fdb2c0e6113e06db7ca93b7404e78dc7ccd5ca89a4ca9",
        "44acf6b7e36c1342c2c5897204fe09504e1e2efb1a900377dbc4e7a6a133ec56",
        "f3ac8061b514795b8843e3d6629527ed2afd6b1f6a555a7acabb5e6f79c8c2ac",
        "8bf77819ca05a6b2786c76262bf7371cef97b218e96f175a3ccdda2acc058903",
    ),
    (
        "e266ddfdc12668db30d4ca3e8f7749432c416044f2d2b8c10bf3d4012aeffa8a",
        "bfa86404a2e9ffe67d47c587ef7a97a7f456b863b4d02cfc6928973ab5b1cb39",
        "9b2db89cb0e8fa3cc7608b4d6cc1dec0114e0b9ff4080bea12b134f489ab2bbc",
        "976d3a4e9d23326dc0baa9fa560b7c4e53f42864f508483a6473b6a11079b2db",
        "1b766e9ceb71ba6c01dcd46e0af462cd4cfa652ae5017d4555b8eeefe36e1932",
    ),
];

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
        .collect()
}

#[test]
fn nist_vectors_verify_and_fail_when_changed() {
    for (qx, qy, digest, r, s) in NIST_VECTORS {
        let point: [u8; 65] = [vec![4], unhex(qx), unhex(qy)].concat().try_into().unwrap();
        let key = VerifyingKey::<16>::from_sec1(&point).unwrap();
        let digest: [u8; 32] = unhex(digest).try_into().unwrap();
        let signature = [unhex(r), unhex(s)].concat();
        assert!(key.verify_prehash(&digest, &signature));
        let mut changed = digest;
        changed[31] ^= 1;
        assert!(!key.verify_prehash(&changed, &signature));
    }
}

/// Every comb width computes the same sums: a valid signature verifies under each.
#[test]
fn every_comb_width_verifies() {
    fn check<const ENTRIES: usize>(signing: &SigningKey, message: &[u8], signature: &[u8]) {
        let key = VerifyingKey::<ENTRIES>::from_sec1(&sec1(signing)).unwrap();
        assert!(key.verify(message, signature), "width of {ENTRIES} entries");
        assert!(!key.verify(b"another message", signature));
    }
    let signing = SigningKey::from_slice(&[5; 32]).unwrap();
    let signature: Signature = signing.sign(b"message");
    let signature = signature.to_bytes();
    check::<2>(&signing, b"message", &signature);
    check::<4>(&signing, b"message", &signature);
    check::<8>(&signing, b"message", &signature);
    check::<16>(&signing, b"message", &signature);
    check::<32>(&signing, b"message", &signature);
    check::<64>(&signing, b"message", &signature);
    check::<128>(&signing, b"message", &signature);
}

fn be_bytes(a: &U256) -> [u8; 32] {
    let mut bytes = [0; 32];
    for (i, limb) in a.iter().enumerate() {
        bytes[28 - 4 * i..32 - 4 * i].copy_from_slice(&limb.to_be_bytes());
    }
    bytes
}

#[test]
fn out_of_range_r_or_s_is_rejected_and_high_s_accepted() {
    let signing = SigningKey::from_slice(&[3; 32]).unwrap();
    let key = key_of(&signing);
    let signature: Signature = signing.sign(b"message");
    let (r, s) = signature.split_bytes();
    let (r, s) = (r.to_vec(), s.to_vec());
    assert!(key.verify(b"message", &[r.clone(), s.clone()].concat()));
    let s_value = uint::from_be_bytes(&s.clone().try_into().unwrap());
    let high_s = be_bytes(&uint::sub(&scalar::N, &s_value).0);
    assert!(key.verify(b"message", &[&r[..], &high_s].concat()));
    let n = be_bytes(&scalar::N);
    let n_plus_1 = be_bytes(&uint::add(&scalar::N, &uint::ONE).0);
    let r_plus_n = be_bytes(
        &uint::add(
            &uint::from_be_bytes(&r.clone().try_into().unwrap()),
            &scalar::N,
        )
        .0,
    );
    for bad in [[0u8; 32], n, n_plus_1, [0xff; 32]] {
        assert!(!key.verify(b"message", &[&bad[..], &s].concat()));
        assert!(!key.verify(b"message", &[&r[..], &bad].concat()));
    }
    // r + n, when below 2^256, names the same x mod n but is no scalar.
    assert!(!key.verify(b"message", &[&r_plus_n[..], &s].concat()));
    for length in [0, 63, 65] {
        let mut bytes = [r.clone(), s.clone()].concat();
        bytes.resize(length, 0);
        assert!(!key.verify(b"message", &bytes));
    }
    let other = key_of(&SigningKey::from_slice(&[4; 32]).unwrap());
    assert!(!other.verify(b"message", &[r, s].concat()));
}

#[test]
fn points_that_are_not_on_the_curve_are_no_key() {
    let point = sec1(&SigningKey::from_slice(&[3; 32]).unwrap());
    assert!(VerifyingKey::<16>::from_sec1(&point).is_some());
    let mut off_curve = point;
    off_curve[64] ^= 1;
    let mut compressed_prefix = point;
    compressed_prefix[0] = 0x02;
    let mut x_is_p = point;
    x_is_p[1..33].copy_from_slice(&be_bytes(&field::P));
    for bytes in [off_curve, compressed_prefix, x_is_p, [0; 65]] {
        assert!(VerifyingKey::<16>::from_sec1(&bytes).is_none());
    }
}

/// The verifier agrees with p256 on valid signatures, on signatures changed in one bit, on
/// other messages and keys, and on random bytes.
#[test]
fn agrees_with_p256() {
    let mut rng = fastrand::Rng::with_seed(17);
    for _ in 0..48 {
        let signing =
            SigningKey::from_slice(&std::array::from_fn::<u8, 32, _>(|_| rng.u8(..))).unwrap();
        let key = key_of(&signing);
        let reference = signing.verifying_key();
        let message: Vec<u8> = (0..rng.usize(0..100)).map(|_| rng.u8(..)).collect();
        let signature: Signature = signing.sign(&message);
        let signature = signature.to_bytes().to_vec();
        let mut flipped = signature.clone();
        let bit = rng.usize(0..512);
        flipped[bit / 8] ^= 1 << (bit % 8);
        let random: Vec<u8> = (0..64).map(|_| rng.u8(..)).collect();
        let mut candidates = vec![
            (message.clone(), signature.clone()),
            (message.clone(), flipped),
            (message.clone(), random),
            (b"other".to_vec(), signature.clone()),
        ];
        // Small r and s, whose arithmetic takes other paths.
        let mut small = vec![0; 64];
        small[31] = rng.u8(..);
        small[63] = rng.u8(..);
        candidates.push((message, small));
        for (message, signature) in candidates {
            let expected = Signature::from_slice(&signature)
                .is_ok_and(|signature| reference.verify(&message, &signature).is_ok());
            assert_eq!(
                key.verify(&message, &signature),
                expected,
                "{signature:02x?}"
            );
        }
    }
}

/// A signature whose R has x in [n, p), so that r = x - n: accepted through the second
/// comparison, X = (r + n) Z^2. No private key gives one in practice, so the key is made
/// to fit: R and u1, u2 are picked, and Q = (R - u1 G) / u2, s = r / u2, e = u1 s.
#[test]
fn an_x_above_n_is_compared_reduced() {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    use p256::elliptic_curve::ff::PrimeField;
    use p256::elliptic_curve::sec1::{FromSec1Point, ToSec1Point};
    use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, Sec1Point};

    let scalar = |a: &U256| Scalar::from_repr(FieldBytes::from(be_bytes(a))).unwrap();
    // The first x in [n, p) on the curve.
    let (r_point, x) = (0u32..)
        .find_map(|offset| {
            let x = uint::add(&scalar::N, &[offset, 0, 0, 0, 0, 0, 0, 0]).0;
            let encoded = Sec1Point::from_bytes([&[2u8][..], &be_bytes(&x)].concat()).unwrap();
            Option::<AffinePoint>::from(AffinePoint::from_sec1_point(&encoded))
                .map(|point| (point, x))
        })
        .unwrap();
    let r = uint::sub(&x, &scalar::N).0;
    let (u1, u2) = (
        scalar(&[5, 0, 0, 0, 0, 0, 0, 0]),
        scalar(&[7, 0, 0, 0, 0, 0, 0, 0]),
    );
    let q =
        (ProjectivePoint::from(r_point) - ProjectivePoint::GENERATOR * u1) * u2.invert().unwrap();
    let s = scalar(&r) * u2.invert().unwrap();
    let e = u1 * s;
    let point: [u8; 65] = q
        .to_affine()
        .to_sec1_point(false)
        .as_bytes()
        .try_into()
        .unwrap();
    let key = <VerifyingKey>::from_sec1(&point).unwrap();
    let signature = [be_bytes(&r), s.to_repr().into()].concat();
    let digest: [u8; 32] = e.to_repr().into();
    assert!(key.verify_prehash(&digest, &signature));
    let reference = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
    let parsed = Signature::from_slice(&signature).unwrap();
    assert!(reference.verify_prehash(&digest, &parsed).is_ok());
}
