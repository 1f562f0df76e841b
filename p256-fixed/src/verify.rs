//! ES256 verification (ECDSA, P-256, SHA-256, the signature as r and s of 32 bytes each)
//! under a key whose comb table was built in advance, as it accepts what p256's
//! `VerifyingKey::verify` accepts: r and s in [1, n - 1], high s included.

use sha2::{Digest, Sha256};

use super::comb::{self, Comb};
use super::point::{self, Affine};
use super::uint::{self, U256};
use super::{field, scalar};

/// Table points of a comb: 2^(w-1) for w = 5, measured against the other widths in
/// BENCHMARKS.md (ES256 in wasm).
pub const ENTRIES: usize = 16;

/// An ES256 public key with the comb table of its point.
#[derive(Debug, PartialEq, Eq)]
pub struct VerifyingKey<const POINTS: usize = ENTRIES> {
    table: Comb<POINTS>,
}

impl<const POINTS: usize> VerifyingKey<POINTS> {
    /// The key of an uncompressed SEC1 point (`0x04`, x, y), if it is a point of the curve.
    pub const fn from_sec1(point: &[u8; 65]) -> Option<VerifyingKey<POINTS>> {
        match Affine::from_sec1(point) {
            Some(point) => Some(VerifyingKey {
                table: Comb::of(&point),
            }),
            None => None,
        }
    }

    /// The key of a SEC1 point known at build time: a point off the curve fails the build.
    pub const fn of_sec1(point: &[u8; 65]) -> VerifyingKey<POINTS> {
        match VerifyingKey::from_sec1(point) {
            Some(key) => key,
            None => panic!("not a P-256 point in uncompressed SEC1 form"),
        }
    }

    /// Whether `signature` (r and s, big-endian) signs `message` under this key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.verify_prehash(&Sha256::digest(message).into(), signature)
    }

    /// Whether `signature` signs the message of SHA-256 digest `digest`.
    pub fn verify_prehash(&self, digest: &[u8; 32], signature: &[u8]) -> bool {
        let Some((r, s)) = signature.split_first_chunk::<32>() else {
            return false;
        };
        let Ok(s) = <&[u8; 32]>::try_from(s) else {
            return false;
        };
        let (r, s) = (uint::from_be_bytes(r), uint::from_be_bytes(s));
        if !scalar::is_nonzero_scalar(&r) || !scalar::is_nonzero_scalar(&s) {
            return false;
        }
        let e = scalar::reduce(&uint::from_be_bytes(digest));
        let w = scalar::invert(&s);
        let generator = const { &Comb::<POINTS>::of(&point::GENERATOR) };
        let sum = comb::mul_add(
            generator,
            &scalar::mul(&e, &w),
            &self.table,
            &scalar::mul(&r, &w),
        );
        if sum.is_identity() {
            return false;
        }
        // x = X / Z^2 is below p < 2n, so x mod n = r when X = r Z^2 or X = (r + n) Z^2:
        // no inversion needed.
        let z_squared = field::square(&sum.z);
        let matches = |candidate: &U256| uint::eq(&field::mul(candidate, &z_squared), &sum.x);
        if matches(&r) {
            return true;
        }
        let (r_plus_n, carry) = uint::add(&r, &scalar::N);
        !carry && uint::lt(&r_plus_n, &field::P) && matches(&r_plus_n)
    }
}
