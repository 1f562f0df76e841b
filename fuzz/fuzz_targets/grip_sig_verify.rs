//! `grip_sig::verify` with the local and a Fastly signer.
//!
//! Input: a flags byte, `now` (8 bytes, little-endian), a tamper position (2 bytes) and XOR
//! mask (1 byte), then the rest:
//! - flags bit 0 clear, the rest is a token (lossy UTF-8): it never panics and never
//!   verifies, since the fuzzer cannot forge a signature.
//! - flags bit 0 set, the rest is a JWT header and claims split at the first 0xFF byte, which
//!   the target signs with the local key (HS256) or, with bit 1 set, with a test key (ES256)
//!   trusted as Fastly, so that the checks behind the signature get fuzzed too. The result
//!   must be what the claims call for, checked here independently; the same token with one
//!   byte changed must never verify.

#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fanout_router_core::grip_sig::{
    LEEWAY_SECS, LOCAL_ISSUER, LOCAL_KEY, MAX_TOKEN_BYTES, SignerKey, TrustedSigner, verify,
};
use fanout_router_core::p256_fixed::VerifyingKey;
use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Map, Value};
use sha2::Sha256;
use std::sync::LazyLock;

const SERVICE_ID: &str = "svc";
const FASTLY_ISSUER: &str = "fastly:svc";

/// ES256 signing key standing in for Fastly's, whose private half nobody here has.
static TEST_KEY: LazyLock<SigningKey> =
    LazyLock::new(|| SigningKey::from_slice(&[7; 32]).expect("a valid scalar"));

static SIGNERS: LazyLock<[TrustedSigner; 3]> = LazyLock::new(|| {
    [
        TrustedSigner::fastly(SERVICE_ID),
        TrustedSigner::local(),
        TrustedSigner {
            key: SignerKey::Es256(Box::leak(Box::new(
                <VerifyingKey>::from_sec1(
                    &TEST_KEY
                        .verifying_key()
                        .to_sec1_point(false)
                        .as_bytes()
                        .try_into()
                        .expect("65 bytes"),
                )
                .expect("a P-256 point"),
            ))),
            issuer: FASTLY_ISSUER.to_owned(),
        },
    ]
});

fuzz_target!(|data: &[u8]| {
    let Some((fixed, rest)) = data.split_first_chunk::<12>() else {
        return;
    };
    let [flags, now @ .., at_low, at_high, flip] = *fixed;
    let now = u64::from_le_bytes(now);
    if flags & 1 == 0 {
        // The test key is not trusted here, so nothing the fuzzer writes can verify.
        let token = String::from_utf8_lossy(rest);
        assert!(
            verify(&token, &SIGNERS[..2], now).is_err(),
            "a forged token verified"
        );
        return;
    }
    let es256 = flags & 2 != 0;
    let (header, claims) = match rest.iter().position(|&b| b == 0xFF) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let token = sign(es256, header, claims);
    let result = verify(&token, &*SIGNERS, now);
    let expected = acceptable(es256, &token, header, claims, now);
    assert_eq!(result.is_ok(), expected, "{result:?}");

    if flip != 0 {
        let mut bytes = token.into_bytes();
        let at = usize::from(u16::from_le_bytes([at_low, at_high])) % bytes.len();
        bytes[at] ^= flip;
        if let Ok(tampered) = String::from_utf8(bytes) {
            let result = verify(&tampered, &*SIGNERS, now);
            assert!(result.is_err(), "a changed token verified");
        }
    }
});

fn sign(es256: bool, header: &[u8], claims: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let signature = if es256 {
        let signature: Signature = TEST_KEY.sign(input.as_bytes());
        signature.to_bytes().to_vec()
    } else {
        let mac = Hmac::<Sha256>::new_from_slice(LOCAL_KEY).expect("any key length");
        mac.chain_update(&input).finalize().into_bytes().to_vec()
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Whether a correctly signed token must verify: the rules of issue 4, written afresh.
fn acceptable(es256: bool, token: &str, header: &[u8], claims: &[u8], now: u64) -> bool {
    if token.len() > MAX_TOKEN_BYTES {
        return false;
    }
    let object = |json: &[u8]| serde_json::from_slice::<Map<String, Value>>(json).ok();
    let (Some(header), Some(claims)) = (object(header), object(claims)) else {
        return false;
    };
    let alg = if es256 { "ES256" } else { "HS256" };
    if header.contains_key("crit") || header.get("alg") != Some(&Value::from(alg)) {
        return false;
    }
    let seconds = |name: &str| -> Result<Option<u64>, ()> {
        match claims.get(name) {
            None => Ok(None),
            Some(value) => match (value.as_u64(), value.as_f64()) {
                (Some(secs), _) => Ok(Some(secs)),
                (None, Some(secs)) if secs >= 0.0 => Ok(Some(secs as u64)),
                _ => Err(()),
            },
        }
    };
    let (Ok(Some(exp)), Ok(nbf), Ok(iat)) = (seconds("exp"), seconds("nbf"), seconds("iat")) else {
        return false;
    };
    let latest_start = now.saturating_add(LEEWAY_SECS);
    let issuer = if es256 { FASTLY_ISSUER } else { LOCAL_ISSUER };
    now <= exp.saturating_add(LEEWAY_SECS)
        && nbf.is_none_or(|t| t <= latest_start)
        && iat.is_none_or(|t| t <= latest_start)
        && claims.get("iss") == Some(&Value::from(issuer))
}
