//! `rs256::PublicKey::verify` against the `rsa` crate's RSASSA-PKCS1-v1_5 SHA-256
//! verifier, on the test keys of 2048 (e = 65537 and e = 3), 3072 and 4096 bits.
//!
//! Input: a key selector byte, a tamper position (2 bytes, little-endian) and XOR mask (1
//! byte), a mode byte, then the rest:
//! - mode bit 0 clear: the rest is a message, signed here with the key's private half; the
//!   signature, then the signature with the mask XORed into one byte, must verify with both
//!   or with neither.
//! - mode bit 0 set: the rest is a message and a signature split at the first 0xFF byte
//!   (the signature left as it is: wrong lengths, values above the modulus); both verifiers
//!   must agree.

#![no_main]

use std::sync::LazyLock;

use fanout_router_core::rs256::PublicKey;
use libfuzzer_sys::fuzz_target;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;

struct TestKey {
    signer: rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>,
    theirs: rsa::pkcs1v15::VerifyingKey<rsa::sha2::Sha256>,
    ours: PublicKey,
}

static KEYS: LazyLock<Vec<TestKey>> = LazyLock::new(|| {
    [
        include_str!("../../core/src/jwt/test-rsa-2048.pem"),
        include_str!("../../core/src/rs256/test-rsa-2048-e3.pem"),
        include_str!("../../core/src/rs256/test-rsa-3072.pem"),
        include_str!("../../core/src/rs256/test-rsa-4096.pem"),
    ]
    .into_iter()
    .map(|pem| {
        let private = rsa::PrivateKey::from_pkcs8_pem(pem).expect("a test key");
        let public = private.to_public_key();
        let n = public.n().to_be_bytes_trimmed_vartime();
        let e = public.e().to_be_bytes_trimmed_vartime();
        TestKey {
            ours: PublicKey::new(&n, &e, 2048).expect("the test key is accepted"),
            theirs: rsa::pkcs1v15::VerifyingKey::new(public),
            signer: rsa::pkcs1v15::SigningKey::new(private),
        }
    })
    .collect()
});

/// Whether the two verifiers agree on `signature` of `message`, and what they say.
fn agreed(key: &TestKey, message: &[u8], signature: &[u8]) -> bool {
    let theirs = rsa::pkcs1v15::Signature::try_from(signature)
        .is_ok_and(|s| key.theirs.verify(message, &s).is_ok());
    let ours = key.ours.verify(message, signature);
    assert_eq!(ours, theirs, "message {message:?}, signature {signature:?}");
    ours
}

fuzz_target!(|data: &[u8]| {
    let Some((&[selector, at_low, at_high, mask, mode], rest)) = data.split_first_chunk() else {
        return;
    };
    let key = &KEYS[usize::from(selector) % KEYS.len()];
    if mode & 1 == 0 {
        let signature = key.signer.sign(rest).to_vec();
        assert!(agreed(key, rest, &signature), "a fresh signature verifies");
        let mut tampered = signature;
        let at = usize::from(u16::from_le_bytes([at_low, at_high])) % tampered.len();
        tampered[at] ^= mask;
        assert_eq!(agreed(key, rest, &tampered), mask == 0);
    } else {
        let (message, signature) = match rest.iter().position(|&b| b == 0xff) {
            Some(split) => (&rest[..split], &rest[split + 1..]),
            None => (rest, &[][..]),
        };
        agreed(key, message, signature);
    }
});
