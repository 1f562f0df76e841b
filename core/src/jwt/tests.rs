use super::*;
use p256::ecdsa::signature::Signer;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::SignatureEncoding;
use rsa::traits::PublicKeyParts;

const NOW: u64 = 1_800_000_000;

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn input(header: &str, claims: &str) -> String {
    format!("{}.{}", b64(header), b64(claims))
}

fn es256_signing_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap()
}

fn es256_key(id: Option<&'static str>) -> Key {
    let point = es256_signing_key().verifying_key().to_sec1_point(false);
    Key {
        algorithm: &ES256,
        id: id.map(Cow::Borrowed),
        material: Cow::Owned(point.as_bytes().to_vec()),
    }
}

fn es256_token(header: &str, claims: &str) -> String {
    let input = input(header, claims);
    let signature: p256::ecdsa::Signature = es256_signing_key().sign(input.as_bytes());
    format!("{input}.{}", b64(signature.to_bytes()))
}

fn rsa_private(pem: &str) -> rsa::PrivateKey {
    rsa::PrivateKey::from_pkcs8_pem(pem).unwrap()
}

const RSA_2048: &str = include_str!("test-rsa-2048.pem");
const RSA_1024: &str = include_str!("test-rsa-1024.pem");

fn rs256_key(pem: &str) -> Key {
    let public = rsa_private(pem).to_public_key();
    Key {
        algorithm: &RS256,
        id: None,
        material: Cow::Owned(rsa_material(
            &public.n().to_be_bytes(),
            &public.e().to_be_bytes(),
        )),
    }
}

fn rs256_token(pem: &str, header: &str, claims: &str) -> String {
    let input = input(header, claims);
    let signer = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(rsa_private(pem));
    let signature = signer.sign(input.as_bytes());
    format!("{input}.{}", b64(signature.to_bytes()))
}

fn hs256_key(secret: &'static [u8], id: Option<&'static str>) -> Key {
    Key {
        algorithm: &HS256,
        id: id.map(Cow::Borrowed),
        material: Cow::Borrowed(secret),
    }
}

const CLAIMS: &str = r#"{"sub":"alice","exp":1800000600}"#;

/// Decodes, selects the key among `keys`, verifies and checks the times.
fn accept(token: &str, keys: &[Key]) -> Result<Map<String, Value>, TokenError> {
    let token = Token::decode(token, 8192)?;
    let claims = token.verify(token.select(keys)?)?;
    check_times(&claims, NOW, 30)?;
    Ok(claims)
}

#[test]
fn each_algorithm_verifies_its_own_tokens() {
    let hs = sign_hs256(b"secret", None, CLAIMS);
    let es = es256_token(r#"{"alg":"ES256"}"#, CLAIMS);
    let rs = rs256_token(RSA_2048, r#"{"alg":"RS256"}"#, CLAIMS);
    let cases = [
        (hs, hs256_key(b"secret", None)),
        (es, es256_key(None)),
        (rs, rs256_key(RSA_2048)),
    ];
    for (token, key) in cases {
        let claims = accept(&token, std::slice::from_ref(&key)).unwrap();
        assert_eq!(claims["sub"], "alice", "{}", key.algorithm.name);
    }
}

#[test]
fn the_algorithm_is_pinned_to_the_key() {
    // HS256 signed with the RSA public key's material: the classic confusion attack.
    let rsa = rs256_key(RSA_2048);
    let confused = {
        let input = input(r#"{"alg":"HS256"}"#, CLAIMS);
        use hmac::{Hmac, KeyInit, Mac};
        let mac = Hmac::<sha2::Sha256>::new_from_slice(&rsa.material)
            .unwrap()
            .chain_update(&input);
        format!("{input}.{}", b64(mac.finalize().into_bytes()))
    };
    assert_eq!(accept(&confused, &[rsa]), Err(TokenError::WrongAlgorithm));
    let none = format!("{}.", input(r#"{"alg":"none"}"#, CLAIMS));
    assert_eq!(
        accept(&none, &[es256_key(None)]),
        Err(TokenError::WrongAlgorithm)
    );
}

#[test]
fn a_tampered_token_or_another_key_fails_the_signature() {
    let token = sign_hs256(b"secret", None, CLAIMS);
    let other = hs256_key(b"other", None);
    assert_eq!(accept(&token, &[other]), Err(TokenError::BadSignature));
    let (head, signature) = token.rsplit_once('.').unwrap();
    let forged_claims = b64(r#"{"sub":"mallory","exp":1800000600}"#);
    let (header, _) = head.split_once('.').unwrap();
    let tampered = format!("{header}.{forged_claims}.{signature}");
    let key = hs256_key(b"secret", None);
    assert_eq!(accept(&tampered, &[key]), Err(TokenError::BadSignature));
    let rs = rs256_token(RSA_2048, r#"{"alg":"RS256"}"#, CLAIMS);
    let es = es256_token(r#"{"alg":"ES256"}"#, r#"{"sub":"x","exp":1800000600}"#);
    let (_, es_signature) = es.rsplit_once('.').unwrap();
    let mixed = format!("{}.{es_signature}", rs.rsplit_once('.').unwrap().0);
    assert_eq!(
        accept(&mixed, &[rs256_key(RSA_2048)]),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn rsa_keys_under_2048_bits_verify_nothing() {
    let token = rs256_token(RSA_1024, r#"{"alg":"RS256"}"#, CLAIMS);
    assert_eq!(
        accept(&token, &[rs256_key(RSA_1024)]),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn the_kid_selects_the_key() {
    let keys = [hs256_key(b"one", Some("k1")), hs256_key(b"two", Some("k2"))];
    let token = sign_hs256(b"two", Some("k2"), CLAIMS);
    assert!(accept(&token, &keys).is_ok());
    let unknown = sign_hs256(b"two", Some("k3"), CLAIMS);
    assert_eq!(accept(&unknown, &keys), Err(TokenError::UnknownKey));
    let unnamed = sign_hs256(b"two", None, CLAIMS);
    assert_eq!(accept(&unnamed, &keys), Err(TokenError::UnknownKey));
    assert_eq!(accept(&unnamed, &[]), Err(TokenError::UnknownKey));
}

#[test]
fn time_claims_are_checked_with_leeway() {
    let token = |claims: &str| sign_hs256(b"s", None, claims);
    let key = [hs256_key(b"s", None)];
    let cases = [
        (r#"{"exp":1800000000}"#, Ok(())),
        (r#"{"exp":1799999970}"#, Ok(())),
        (r#"{"exp":1799999969}"#, Err(TokenError::Expired)),
        (r#"{"sub":"a"}"#, Err(TokenError::MissingExp)),
        (r#"{"exp":1800000600,"nbf":1800000030}"#, Ok(())),
        (
            r#"{"exp":1800000600,"nbf":1800000031}"#,
            Err(TokenError::NotYetValid),
        ),
        (
            r#"{"exp":1800000600,"iat":1800000100}"#,
            Err(TokenError::NotYetValid),
        ),
        (
            r#"{"exp":"soon"}"#,
            Err(TokenError::Malformed(
                "time claim is not a non-negative number",
            )),
        ),
    ];
    for (claims, expected) in cases {
        assert_eq!(accept(&token(claims), &key).map(drop), expected, "{claims}");
    }
}

#[test]
fn structure_and_size_are_checked_before_any_key() {
    let cases = [
        ("a.b", TokenError::Malformed("not three segments")),
        ("a.b.c.d", TokenError::Malformed("not three segments")),
        ("!.e30.", TokenError::Malformed("invalid base64url")),
        ("e30.e30.AA==", TokenError::Malformed("invalid base64url")),
        (
            "WzFd.e30.",
            TokenError::Malformed("header is not a JSON object"),
        ),
    ];
    for (token, error) in cases {
        assert_eq!(Token::decode(token, 8192).err(), Some(error), "{token}");
    }
    let crit = format!("{}.", input(r#"{"alg":"HS256","crit":["x"]}"#, "{}"));
    assert_eq!(
        Token::decode(&crit, 8192).err(),
        Some(TokenError::UnsupportedCrit)
    );
    let long = sign_hs256(b"s", None, &format!(r#"{{"p":"{}"}}"#, "x".repeat(9000)));
    assert_eq!(Token::decode(&long, 8192).err(), Some(TokenError::TooLong));
}

#[test]
fn a_jwk_set_gives_the_keys_of_the_allowed_algorithms() {
    let es = es256_key(Some("ec-1"));
    let point = &es.material[1..];
    let public = rsa_private(RSA_2048).to_public_key();
    let jwks = serde_json::json!({"keys": [
        {"kty": "EC", "crv": "P-256", "kid": "ec-1", "x": b64(&point[..32]), "y": b64(&point[32..])},
        {"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "n": b64(public.n().to_be_bytes()), "e": b64(public.e().to_be_bytes())},
        {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
        {"kty": "EC", "crv": "P-384", "kid": "p384", "x": "AA", "y": "AA"},
        {"kty": "oct", "kid": "secret", "k": b64("s")},
        "not an object"
    ]})
    .to_string();
    let keys = Key::from_jwks(jwks.as_bytes(), &[&ES256, &RS256]).unwrap();
    let ids: Vec<_> = keys
        .iter()
        .map(|k| (k.id.as_deref().unwrap(), k.algorithm.name))
        .collect();
    assert_eq!(ids, [("ec-1", "ES256"), ("rsa-1", "RS256")]);
    assert_eq!(keys[0], es);
    let token = es256_token(r#"{"alg":"ES256","kid":"ec-1"}"#, CLAIMS);
    assert!(accept(&token, &keys).is_ok());
    let only_es = Key::from_jwks(jwks.as_bytes(), &[&ES256]).unwrap();
    assert_eq!(only_es.len(), 1);
    for bad in [&b"[]"[..], b"{}", b"{\"keys\": 1}", b"\xff"] {
        assert_eq!(Key::from_jwks(bad, &[&ES256]), Err(TokenError::BadKeySet));
    }
}
