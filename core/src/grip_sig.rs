//! Verification of the `Grip-Sig` header: the JWT that Fanout (ES256, Fastly's key) or the
//! local Pushpin (HS256, a shared dev key) adds to the requests it forwards. A request whose
//! token does not fully verify must be treated as if it came straight from a client.

use std::borrow::Cow;

use crate::jwt::{self, Key, Token, TokenError};
use crate::p256_fixed::VerifyingKey;

/// Bytes of an uncompressed P-256 public key in SEC1 form: `0x04`, then x and y.
pub const P256_POINT_BYTES: usize = 65;

/// Fastly's Fanout signing key, as the SEC1 point of the PEM Fastly publishes (the codegen
/// crate's tests check these bytes against that PEM). It signs for every customer, so `iss`
/// must be checked too.
pub const FASTLY_PUBLIC_KEY: [u8; P256_POINT_BYTES] = [
    0x04, 0x08, 0xaa, 0x39, 0x03, 0x57, 0x9b, 0xc8, 0x57, 0x27, 0x99, 0x55, 0x7c, 0x48, 0x4e, 0x4e,
    0x9f, 0xef, 0x06, 0xf3, 0x52, 0x72, 0x06, 0x34, 0xaf, 0x72, 0xbc, 0x78, 0x54, 0xb7, 0xad, 0x58,
    0x28, 0xee, 0x0c, 0x09, 0xa9, 0xa5, 0x3a, 0x37, 0xc4, 0xcf, 0xf3, 0xcf, 0xbe, 0xb7, 0x08, 0xe4,
    0xc2, 0x80, 0x77, 0xe9, 0xff, 0xa9, 0x4f, 0x74, 0x2c, 0x98, 0x8e, 0x3a, 0x9c, 0xf8, 0x63, 0x3b,
    0xb3,
];

/// [`FASTLY_PUBLIC_KEY`] with its comb table, built at compile time.
pub static FASTLY_KEY: VerifyingKey = VerifyingKey::of_sec1(&FASTLY_PUBLIC_KEY);

/// The key the Fastly CLI's local Pushpin signs with, as its configuration writes it
/// (`sig_key`), and its issuer (`sig_iss`). Trusted under the local server only.
pub const LOCAL_SIG_KEY: &str = "viceroy_dev_signing_key_dont_use_in_production";
/// [`LOCAL_SIG_KEY`] as the HS256 key.
pub const LOCAL_KEY: &[u8] = LOCAL_SIG_KEY.as_bytes();
pub const LOCAL_ISSUER: &str = "viceroy";

/// Allowed clock difference between the signer and this host.
pub const LEEWAY_SECS: u64 = 60;
/// Longer tokens are rejected before any decoding.
pub const MAX_TOKEN_BYTES: usize = 4096;

fn hs256(secret: &'static [u8]) -> SignerKey {
    SignerKey::Jwt(Key {
        algorithm: &jwt::HS256,
        id: None,
        material: Cow::Borrowed(secret),
    })
}

/// How a signer's tokens are verified.
#[derive(Debug)]
pub enum SignerKey {
    /// By the code of the key's algorithm in `jwt` (HS256 under the local server).
    Jwt(Key),
    /// ES256 under a public key fixed at build time, with its precomputed table.
    Es256(&'static VerifyingKey),
}

impl SignerKey {
    pub fn algorithm(&self) -> &'static str {
        match self {
            SignerKey::Jwt(key) => key.algorithm.name,
            SignerKey::Es256(_) => jwt::ES256_NAME,
        }
    }

    /// The claims of `token` if this key signed it.
    fn verify(
        &self,
        token: &Token,
    ) -> Result<serde_json::Map<String, serde_json::Value>, TokenError> {
        match self {
            SignerKey::Jwt(key) => token.verify(key),
            SignerKey::Es256(key) => token.verify_with(jwt::ES256_NAME, |input, signature| {
                key.verify(input, signature)
            }),
        }
    }
}

/// A key and the exact `iss` its tokens must carry.
pub struct TrustedSigner {
    pub key: SignerKey,
    pub issuer: String,
}

impl TrustedSigner {
    /// Fastly Fanout signing for the Compute service `service_id`.
    pub fn fastly(service_id: &str) -> TrustedSigner {
        TrustedSigner {
            key: SignerKey::Es256(&FASTLY_KEY),
            issuer: format!("fastly:{service_id}"),
        }
    }

    /// The local stack's Pushpin.
    pub fn local() -> TrustedSigner {
        TrustedSigner {
            key: hs256(LOCAL_KEY),
            issuer: LOCAL_ISSUER.to_string(),
        }
    }
}

/// Who signs `Grip-Sig`, as routes.toml's `[grip_sig]` table sets it: `None` keeps the
/// default signer.
#[derive(Debug, PartialEq, Eq)]
pub struct Signers {
    /// On Fastly: an ES256 public key and issuer, instead of Fastly Fanout's, for a
    /// self-hosted Pushpin in front of the service. A public key only: no secret is ever
    /// compiled into the package.
    pub production: Option<PublicSigner>,
    /// Under the local server: an HS256 key and issuer, instead of the local stack's.
    pub local: Option<SharedKeySigner>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct PublicSigner {
    pub issuer: &'static str,
    /// The key of routes.toml's PEM, its table built at compile time.
    pub key: &'static VerifyingKey,
}

#[derive(Debug, PartialEq, Eq)]
pub struct SharedKeySigner {
    pub issuer: &'static str,
    pub key: &'static str,
}

impl Signers {
    /// The signer trusted on Fastly, for the Compute service `service_id`.
    pub fn production(&self, service_id: &str) -> TrustedSigner {
        match &self.production {
            None => TrustedSigner::fastly(service_id),
            Some(signer) => TrustedSigner {
                key: SignerKey::Es256(signer.key),
                issuer: signer.issuer.to_owned(),
            },
        }
    }

    /// The signer trusted under the local server.
    pub fn local(&self) -> TrustedSigner {
        match &self.local {
            None => TrustedSigner::local(),
            Some(signer) => TrustedSigner {
                key: hs256(signer.key.as_bytes()),
                issuer: signer.issuer.to_owned(),
            },
        }
    }
}

/// Why a token was rejected. Holds no part of the token, so its `Display` may go into the
/// client's 403 body.
#[derive(Debug, PartialEq, Eq)]
pub enum SigError {
    TooLong,
    Malformed(&'static str),
    /// The header's `alg` is not that of any trusted key (this includes `none`).
    UnsupportedAlgorithm,
    /// The header has `crit`: it names extensions that this verifier does not implement.
    UnsupportedCrit,
    BadSignature,
    Expired,
    NotYetValid,
    MissingExp,
    MissingIss,
    WrongIssuer,
}

impl From<TokenError> for SigError {
    fn from(error: TokenError) -> SigError {
        match error {
            TokenError::TooLong => SigError::TooLong,
            TokenError::Malformed(what) => SigError::Malformed(what),
            TokenError::UnsupportedCrit => SigError::UnsupportedCrit,
            TokenError::WrongAlgorithm => SigError::UnsupportedAlgorithm,
            TokenError::MissingExp => SigError::MissingExp,
            TokenError::Expired => SigError::Expired,
            TokenError::NotYetValid => SigError::NotYetValid,
            // Signers are tried by algorithm, never selected by `kid` or read from a set.
            TokenError::BadSignature | TokenError::UnknownKey | TokenError::BadKeySet => {
                SigError::BadSignature
            }
        }
    }
}

impl std::fmt::Display for SigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigError::TooLong => write!(f, "Grip-Sig is longer than {MAX_TOKEN_BYTES} bytes"),
            SigError::Malformed(what) => write!(f, "malformed Grip-Sig: {what}"),
            SigError::UnsupportedAlgorithm => f.write_str("Grip-Sig algorithm is not accepted"),
            SigError::UnsupportedCrit => f.write_str("Grip-Sig has unsupported crit parameters"),
            SigError::BadSignature => f.write_str("Grip-Sig signature is invalid"),
            SigError::Expired => f.write_str("Grip-Sig has expired"),
            SigError::NotYetValid => f.write_str("Grip-Sig is not yet valid"),
            SigError::MissingExp => f.write_str("Grip-Sig has no exp claim"),
            SigError::MissingIss => f.write_str("Grip-Sig has no iss claim"),
            SigError::WrongIssuer => f.write_str("Grip-Sig issuer is not trusted"),
        }
    }
}

impl std::error::Error for SigError {}

/// Checks `token` against each trusted signer; Ok if one of them fully verifies it.
pub fn verify(token: &str, signers: &[TrustedSigner], now_unix_secs: u64) -> Result<(), SigError> {
    let token = Token::decode(token, MAX_TOKEN_BYTES)?;
    let alg = token.algorithm()?;
    let candidates: Vec<&TrustedSigner> = signers
        .iter()
        .filter(|signer| signer.key.algorithm() == alg)
        .collect();
    if candidates.is_empty() {
        return Err(SigError::UnsupportedAlgorithm);
    }
    let mut claims = Err(SigError::BadSignature);
    let mut verified_issuers = Vec::new();
    for signer in candidates {
        match signer.key.verify(&token) {
            Err(TokenError::BadSignature) => {}
            // Signed by this signer; claims that cannot be read are its error.
            vouched => {
                verified_issuers.push(signer.issuer.as_str());
                claims = vouched.map_err(SigError::from);
            }
        }
    }
    let claims = claims?;
    jwt::check_times(&claims, now_unix_secs, LEEWAY_SECS)?;
    let iss = match claims.get("iss") {
        None => return Err(SigError::MissingIss),
        Some(iss) => iss
            .as_str()
            .ok_or(SigError::Malformed("iss is not a string"))?,
    };
    if verified_issuers.contains(&iss) {
        Ok(())
    } else {
        Err(SigError::WrongIssuer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::{Hmac, KeyInit, Mac};
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::{Signature, SigningKey};
    use sha2::Sha256;

    const NOW: u64 = 1_700_000_000;
    const HS256: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
    const ES256: &str = r#"{"alg":"ES256","typ":"JWT"}"#;

    fn b64(bytes: impl AsRef<[u8]>) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Appends the HS256 signature of `input`, the first two segments as they are.
    fn hs256_sign(secret: &[u8], input: String) -> String {
        let mac = Hmac::<Sha256>::new_from_slice(secret)
            .unwrap()
            .chain_update(&input);
        format!("{input}.{}", b64(mac.finalize().into_bytes()))
    }

    fn hs256_token(secret: &[u8], header: &str, claims: &str) -> String {
        hs256_sign(secret, format!("{}.{}", b64(header), b64(claims)))
    }

    fn es256_token(key: &SigningKey, header: &str, claims: &str) -> String {
        let input = format!("{}.{}", b64(header), b64(claims));
        let signature: Signature = key.sign(input.as_bytes());
        format!("{input}.{}", b64(signature.to_bytes()))
    }

    fn claims(iss: &str, exp: u64) -> String {
        format!(r#"{{"iss":"{iss}","exp":{exp},"iat":{NOW}}}"#)
    }

    fn local_token(claims: &str) -> String {
        hs256_token(LOCAL_KEY, HS256, claims)
    }

    fn test_key(byte: u8) -> SigningKey {
        SigningKey::from_slice(&[byte; 32]).unwrap()
    }

    fn es256_signer(key: &SigningKey) -> TrustedSigner {
        TrustedSigner {
            key: SignerKey::Es256(Box::leak(Box::new(
                <VerifyingKey>::from_sec1(sec1_of(key)).unwrap(),
            ))),
            issuer: "fastly:svc".to_string(),
        }
    }

    /// Fastly Fanout's public key as Fastly publishes it.
    const FASTLY_PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECKo5A1ebyFcnmVV8SE5On+8G81Jy
BjSvcrx4VLetWCjuDAmppTo3xM/zz763COTCgHfp/6lPdCyYjjqc+GM7sw==
-----END PUBLIC KEY-----
";

    #[test]
    fn the_fastly_key_is_the_published_pem() {
        use p256::pkcs8::DecodePublicKey;
        let published = p256::PublicKey::from_public_key_pem(FASTLY_PUBLIC_KEY_PEM).unwrap();
        let published = p256::ecdsa::VerifyingKey::from(published).to_sec1_point(false);
        assert_eq!(published.as_bytes(), FASTLY_PUBLIC_KEY);
    }

    #[test]
    fn the_fastly_key_is_its_point() {
        let signer = TrustedSigner::fastly("svc");
        assert_eq!(signer.key.algorithm(), "ES256");
        assert_eq!(
            <VerifyingKey>::from_sec1(&FASTLY_PUBLIC_KEY).as_ref(),
            Some(&FASTLY_KEY)
        );
        assert_eq!(signer.issuer, "fastly:svc");
    }

    #[test]
    fn bytes_that_are_no_p256_point_are_no_key() {
        let mut off_curve = *sec1_of(&test_key(7));
        off_curve[64] ^= 1;
        assert_eq!(<VerifyingKey>::from_sec1(&off_curve), None);
    }

    #[test]
    fn local_token_verifies() {
        let token = local_token(&claims(LOCAL_ISSUER, NOW + 3600));
        let signers = [TrustedSigner::fastly("svc"), TrustedSigner::local()];
        assert_eq!(verify(&token, &signers, NOW), Ok(()));
    }

    #[test]
    fn es256_token_verifies() {
        let key = test_key(7);
        let token = es256_token(&key, ES256, &claims("fastly:svc", NOW + 3600));
        let signers = [TrustedSigner::local(), es256_signer(&key)];
        assert_eq!(verify(&token, &signers, NOW), Ok(()));
    }

    #[test]
    fn expiry_has_leeway() {
        let token = local_token(&claims(LOCAL_ISSUER, NOW));
        let signers = [TrustedSigner::local()];
        assert_eq!(verify(&token, &signers, NOW + LEEWAY_SECS), Ok(()));
        assert_eq!(
            verify(&token, &signers, NOW + LEEWAY_SECS + 1),
            Err(SigError::Expired)
        );
    }

    #[test]
    fn fractional_exp_is_accepted() {
        let token = local_token(r#"{"iss":"viceroy","exp":1700000000.5}"#);
        assert_eq!(verify(&token, &[TrustedSigner::local()], NOW), Ok(()));
    }

    #[test]
    fn future_nbf_or_iat_is_rejected() {
        let signers = [TrustedSigner::local()];
        for claim in ["nbf", "iat"] {
            let token = |start: u64| {
                let exp = NOW + 3600;
                local_token(&format!(
                    r#"{{"iss":"viceroy","exp":{exp},"{claim}":{start}}}"#
                ))
            };
            assert_eq!(verify(&token(NOW + LEEWAY_SECS), &signers, NOW), Ok(()));
            assert_eq!(
                verify(&token(NOW + LEEWAY_SECS + 1), &signers, NOW),
                Err(SigError::NotYetValid)
            );
        }
    }

    #[test]
    fn missing_or_bad_exp_is_rejected() {
        let signers = [TrustedSigner::local()];
        let cases = [
            (r#"{"iss":"viceroy"}"#, SigError::MissingExp),
            (
                r#"{"iss":"viceroy","exp":"1800000000"}"#,
                SigError::Malformed("time claim is not a non-negative number"),
            ),
            (
                r#"{"iss":"viceroy","exp":-1}"#,
                SigError::Malformed("time claim is not a non-negative number"),
            ),
        ];
        for (claims, error) in cases {
            assert_eq!(verify(&local_token(claims), &signers, NOW), Err(error));
        }
    }

    #[test]
    fn issuer_must_match_exactly() {
        let signers = [TrustedSigner::local()];
        let exp = NOW + 3600;
        let cases = [
            (claims("pushpin", exp), SigError::WrongIssuer),
            (claims("viceroy ", exp), SigError::WrongIssuer),
            (format!(r#"{{"exp":{exp}}}"#), SigError::MissingIss),
            (
                format!(r#"{{"iss":1,"exp":{exp}}}"#),
                SigError::Malformed("iss is not a string"),
            ),
        ];
        for (claims, error) in cases {
            assert_eq!(verify(&local_token(&claims), &signers, NOW), Err(error));
        }
    }

    #[test]
    fn another_fastly_service_is_rejected() {
        let key = test_key(7);
        let token = es256_token(&key, ES256, &claims("fastly:other", NOW + 3600));
        assert_eq!(
            verify(&token, &[es256_signer(&key)], NOW),
            Err(SigError::WrongIssuer)
        );
    }

    #[test]
    fn wrong_key_is_rejected() {
        let claims = claims(LOCAL_ISSUER, NOW + 3600);
        let token = hs256_token(b"changeme", HS256, &claims);
        assert_eq!(
            verify(&token, &[TrustedSigner::local()], NOW),
            Err(SigError::BadSignature)
        );
        let token = es256_token(&test_key(8), ES256, &claims);
        assert_eq!(
            verify(&token, &[es256_signer(&test_key(7))], NOW),
            Err(SigError::BadSignature)
        );
    }

    #[test]
    fn tampered_claims_are_rejected() {
        let token = local_token(&claims(LOCAL_ISSUER, NOW + 3600));
        let [header, _, signature] = token.split('.').collect::<Vec<_>>()[..] else {
            unreachable!()
        };
        let forged = format!("{header}.{}.{signature}", b64(claims("x", NOW + 3600)));
        assert_eq!(
            verify(&forged, &[TrustedSigner::local()], NOW),
            Err(SigError::BadSignature)
        );
    }

    #[test]
    fn alg_none_is_rejected() {
        let payload = b64(claims(LOCAL_ISSUER, NOW + 3600));
        let signers = [TrustedSigner::fastly("svc"), TrustedSigner::local()];
        for alg in ["none", "None", "hs256", ""] {
            let token = format!("{}.{payload}.", b64(format!(r#"{{"alg":"{alg}"}}"#)));
            assert_eq!(
                verify(&token, &signers, NOW),
                Err(SigError::UnsupportedAlgorithm)
            );
        }
    }

    #[test]
    fn algorithm_confusion_is_rejected() {
        let claims = claims("fastly:svc", NOW + 3600);
        let compressed = p256::ecdsa::VerifyingKey::from_sec1_bytes(&FASTLY_PUBLIC_KEY)
            .unwrap()
            .to_sec1_point(true);
        let secrets = [
            FASTLY_PUBLIC_KEY_PEM.as_bytes(),
            &FASTLY_PUBLIC_KEY,
            compressed.as_bytes(),
        ];
        for secret in secrets {
            let token = hs256_token(secret, HS256, &claims);
            assert_eq!(
                verify(&token, &[TrustedSigner::fastly("svc")], NOW),
                Err(SigError::UnsupportedAlgorithm)
            );
        }
        let token = es256_token(&test_key(7), ES256, &claims);
        assert_eq!(
            verify(&token, &[TrustedSigner::local()], NOW),
            Err(SigError::UnsupportedAlgorithm)
        );
    }

    #[test]
    fn crit_header_is_rejected() {
        let header = r#"{"alg":"HS256","crit":["exp"],"exp":1}"#;
        let token = hs256_token(LOCAL_KEY, header, &claims(LOCAL_ISSUER, NOW + 3600));
        assert_eq!(
            verify(&token, &[TrustedSigner::local()], NOW),
            Err(SigError::UnsupportedCrit)
        );
    }

    #[test]
    fn non_strict_base64url_is_rejected() {
        let token = local_token(&claims(LOCAL_ISSUER, NOW + 3600));
        let (rest, signature) = token.rsplit_once('.').unwrap();
        let (_, after_header) = token.split_once('.').unwrap();
        let malformed = [
            format!("{rest}.{signature}="),
            format!("{rest}.+{}", &signature[1..]),
            format!("{rest}./{}", &signature[1..]),
            format!("{rest}.{signature} "),
            format!("{rest}. {signature}"),
            format!("{rest}.{signature}AA"),
            format!("{}=.{after_header}", b64(HS256)),
            // "e31" has non-zero trailing bits: a second spelling of "e30", `{}`.
            format!("e31.{after_header}"),
            // Signed, so the claims segment is decoded.
            hs256_sign(LOCAL_KEY, format!("{}.e30*", b64(HS256))),
        ];
        for token in malformed {
            assert_eq!(
                verify(&token, &[TrustedSigner::local()], NOW),
                Err(SigError::Malformed("invalid base64url"))
            );
        }
    }

    #[test]
    fn malformed_or_non_object_json_is_rejected() {
        let signers = [TrustedSigner::local()];
        let good_claims = claims(LOCAL_ISSUER, NOW + 3600);
        let good_claims = good_claims.as_str();
        let header_error = SigError::Malformed("header is not a JSON object");
        let claims_error = SigError::Malformed("claims are not a JSON object");
        let cases = [
            (r#"{"alg":"HS256""#, good_claims, &header_error),
            (r#"["HS256"]"#, good_claims, &header_error),
            ("\"HS256\"", good_claims, &header_error),
            (HS256, r#"{"exp":1"#, &claims_error),
            (HS256, "[1700000000]", &claims_error),
            (HS256, "null", &claims_error),
            (HS256, "{} x", &claims_error),
        ];
        for (header, claims, error) in cases {
            let token = hs256_token(LOCAL_KEY, header, claims);
            assert_eq!(verify(&token, &signers, NOW).as_ref(), Err(error));
        }
        let no_alg = hs256_token(LOCAL_KEY, r#"{"typ":"JWT"}"#, good_claims);
        assert_eq!(
            verify(&no_alg, &signers, NOW),
            Err(SigError::Malformed("alg is not a string"))
        );
    }

    #[test]
    fn wrong_segment_count_is_rejected() {
        let token = local_token(&claims(LOCAL_ISSUER, NOW + 3600));
        let (two, _) = token.rsplit_once('.').unwrap();
        for token in ["", two, &format!("{token}."), &format!("{token}.{token}")] {
            assert_eq!(
                verify(token, &[TrustedSigner::local()], NOW),
                Err(SigError::Malformed("not three segments"))
            );
        }
    }

    #[test]
    fn oversized_token_is_rejected() {
        let padding = "x".repeat(MAX_TOKEN_BYTES);
        let claims = format!(
            r#"{{"iss":"viceroy","exp":{},"p":"{padding}"}}"#,
            NOW + 3600
        );
        assert_eq!(
            verify(&local_token(&claims), &[TrustedSigner::local()], NOW),
            Err(SigError::TooLong)
        );
        assert_eq!(
            verify(&"a".repeat(MAX_TOKEN_BYTES + 1), &[], NOW),
            Err(SigError::TooLong)
        );
    }

    fn sec1_of(key: &SigningKey) -> &'static [u8; P256_POINT_BYTES] {
        let point = key.verifying_key().to_sec1_point(false);
        let bytes: [u8; P256_POINT_BYTES] = point.as_bytes().try_into().unwrap();
        Box::leak(Box::new(bytes))
    }

    #[test]
    fn signers_default_to_fastly_fanout_and_the_local_stack() {
        let defaults = Signers {
            production: None,
            local: None,
        };
        assert_eq!(defaults.production("svc").issuer, "fastly:svc");
        let token = local_token(&claims(LOCAL_ISSUER, NOW + 60));
        assert_eq!(verify(&token, &[defaults.local()], NOW), Ok(()));
    }

    #[test]
    fn signers_from_routes_toml_replace_the_defaults() {
        let key = test_key(9);
        let signers = Signers {
            production: Some(PublicSigner {
                issuer: "my-pushpin",
                key: Box::leak(Box::new(<VerifyingKey>::from_sec1(sec1_of(&key)).unwrap())),
            }),
            local: Some(SharedKeySigner {
                issuer: "pushpin",
                key: "a-long-enough-key",
            }),
        };
        let production = signers.production("svc");
        let ours = es256_token(&key, ES256, &claims("my-pushpin", NOW + 60));
        assert_eq!(
            verify(&ours, std::slice::from_ref(&production), NOW),
            Ok(())
        );
        // Fastly's own tokens are no longer trusted once another signer is named.
        let fastly_style = es256_token(&key, ES256, &claims("fastly:svc", NOW + 60));
        assert_eq!(
            verify(&fastly_style, &[production], NOW),
            Err(SigError::WrongIssuer)
        );
        let local = hs256_token(b"a-long-enough-key", HS256, &claims("pushpin", NOW + 60));
        assert_eq!(verify(&local, &[signers.local()], NOW), Ok(()));
        let stack_token = local_token(&claims(LOCAL_ISSUER, NOW + 60));
        assert_eq!(
            verify(&stack_token, &[signers.local()], NOW),
            Err(SigError::BadSignature)
        );
    }
}
