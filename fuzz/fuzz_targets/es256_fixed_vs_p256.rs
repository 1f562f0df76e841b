//! The fixed-key ES256 verifier (`p256_fixed`) against p256 on the same key, message and
//! signature: both must accept exactly the same inputs.
//!
//! Input: a key byte (selects one of a few signing keys), a mode byte, then the message up
//! to the last 64 bytes, which are the signature. With mode bit 0 set, the signature is
//! replaced by the key's own signature of the message, with the byte at position `mode >> 2`
//! XORed by the first signature byte when mode bit 1 is set, so that valid and nearly valid
//! signatures are fuzzed as well as arbitrary ones.

#![no_main]

use fanout_router_core::p256_fixed::VerifyingKey;
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey};
use std::sync::LazyLock;

const KEYS: usize = 4;

static SIGNING_KEYS: LazyLock<Vec<(SigningKey, VerifyingKey)>> = LazyLock::new(|| {
    (1..=KEYS as u8)
        .map(|byte| {
            let signing = SigningKey::from_slice(&[byte; 32]).expect("a valid scalar");
            let point = signing.verifying_key().to_sec1_point(false);
            let key = <VerifyingKey>::from_sec1(point.as_bytes().try_into().expect("65 bytes"))
                .expect("a P-256 point");
            (signing, key)
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Some((&[key, mode], rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let (signing, fixed) = &SIGNING_KEYS[usize::from(key) % KEYS];
    let (message, signature) = rest.split_at(rest.len().saturating_sub(64));
    let mut signature = signature.to_vec();
    if mode & 1 == 1 {
        let first = signature.first().copied().unwrap_or(0);
        let signed: Signature = signing.sign(message);
        signature = signed.to_bytes().to_vec();
        if mode & 2 == 2 {
            signature[usize::from(mode >> 2) % 64] ^= first;
        }
    }
    let expected = Signature::from_slice(&signature)
        .is_ok_and(|parsed| signing.verifying_key().verify(message, &parsed).is_ok());
    assert_eq!(fixed.verify(message, &signature), expected);
});
