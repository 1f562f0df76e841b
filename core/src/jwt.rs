//! JSON Web Tokens (RFC 7519) as the app checks them: their structure, their signature
//! with one key whose algorithm the token must use, and their time claims.
//!
//! An algorithm is a static value that the generated route table names only when a route
//! uses it, so the code of an algorithm no route uses is left out of the package.

use std::borrow::Cow;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::rs256;

/// A signature algorithm: its `alg` name, how it verifies, and how it reads its keys from a
/// JWK (RFC 7517).
pub struct Algorithm {
    pub name: &'static str,
    /// Whether `signature` signs `input` under the key `material`.
    verify: fn(material: &[u8], input: &[u8], signature: &[u8]) -> bool,
    /// The key material of a JWK of this algorithm's key type, or `None`.
    material_from_jwk: fn(jwk: &Map<String, Value>) -> Option<Vec<u8>>,
}

impl fmt::Debug for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for Algorithm {
    fn eq(&self, other: &Algorithm) -> bool {
        self.name == other.name
    }
}

impl Eq for Algorithm {}

/// HMAC with SHA-256; the material is the shared secret.
pub static HS256: Algorithm = Algorithm {
    name: "HS256",
    verify: |secret, input, signature| {
        use hmac::{Hmac, KeyInit, Mac};
        // `verify_slice` compares in constant time.
        Hmac::<sha2::Sha256>::new_from_slice(secret)
            .is_ok_and(|mac| mac.chain_update(input).verify_slice(signature).is_ok())
    },
    material_from_jwk: |jwk| {
        (jwk_str(jwk, "kty")? == "oct").then_some(())?;
        URL_SAFE_NO_PAD.decode(jwk_str(jwk, "k")?).ok()
    },
};

/// The `alg` of ES256, also verified without this module's code for keys fixed at build
/// time (`crate::p256_fixed`).
pub const ES256_NAME: &str = "ES256";

/// ECDSA on P-256 with SHA-256; the material is the uncompressed SEC1 encoding of the
/// public point. A key read at run time gets its comb table on each call: that and the
/// verification still take 0.4x the time of the p256 crate's verification in wasm
/// (BENCHMARKS.md, ES256 in wasm).
pub static ES256: Algorithm = Algorithm {
    name: ES256_NAME,
    verify: |point, input, signature| {
        use crate::p256_fixed::VerifyingKey;
        let Ok(point) = <&[u8; 65]>::try_from(point) else {
            return false;
        };
        VerifyingKey::<{ crate::p256_fixed::ENTRIES }>::from_sec1(point)
            .is_some_and(|key| key.verify(input, signature))
    },
    material_from_jwk: |jwk| {
        let is_p256 = jwk_str(jwk, "kty")? == "EC" && jwk_str(jwk, "crv")? == "P-256";
        is_p256.then_some(())?;
        let x = URL_SAFE_NO_PAD.decode(jwk_str(jwk, "x")?).ok()?;
        let y = URL_SAFE_NO_PAD.decode(jwk_str(jwk, "y")?).ok()?;
        (x.len() == 32 && y.len() == 32).then(|| [&[0x04][..], &x, &y].concat())
    },
};

/// RSASSA-PKCS1-v1_5 with SHA-256; the material is [`rsa_material`] of the modulus and the
/// public exponent.
pub static RS256: Algorithm = Algorithm {
    name: "RS256",
    verify: |material, input, signature| {
        rsa_key(material).is_some_and(|key| key.verify(input, signature))
    },
    material_from_jwk: |jwk| {
        (jwk_str(jwk, "kty")? == "RSA").then_some(())?;
        let n = URL_SAFE_NO_PAD.decode(jwk_str(jwk, "n")?).ok()?;
        let e = URL_SAFE_NO_PAD.decode(jwk_str(jwk, "e")?).ok()?;
        let material = rsa_material(&n, &e);
        rsa_key(&material).map(|_| material)
    },
};

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// RS256 key material: the modulus length in two bytes, the modulus, then the exponent,
/// all big-endian.
pub fn rsa_material(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let length = u16::try_from(modulus.len()).unwrap_or(u16::MAX);
    [&length.to_be_bytes()[..], modulus, exponent].concat()
}

fn rsa_key(material: &[u8]) -> Option<rs256::PublicKey> {
    let (length, rest) = material.split_first_chunk::<2>()?;
    let (modulus, exponent) = rest.split_at_checked(usize::from(u16::from_be_bytes(*length)))?;
    rs256::PublicKey::new(modulus, exponent, MIN_RSA_BITS)
}

fn jwk_str<'a>(jwk: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    jwk.get(name)?.as_str()
}

/// A verification key: a token must name exactly its algorithm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub algorithm: &'static Algorithm,
    /// The `kid` that selects it, when it has one.
    pub id: Option<Cow<'static, str>>,
    pub material: Cow<'static, [u8]>,
}

impl Key {
    /// The keys of a JWK Set (RFC 7517 section 5) whose algorithm is one of `algorithms`:
    /// a key with an `alg` member is read with that algorithm only; one without, with the
    /// first of `algorithms` that reads its key type. Keys that cannot be read are skipped.
    pub fn from_jwks(
        json: &[u8],
        algorithms: &[&'static Algorithm],
    ) -> Result<Vec<Key>, TokenError> {
        let set: Map<String, Value> =
            serde_json::from_slice(json).map_err(|_| TokenError::BadKeySet)?;
        let jwks = set
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(TokenError::BadKeySet)?;
        let mut keys = Vec::new();
        for jwk in jwks.iter().filter_map(Value::as_object) {
            if jwk_str(jwk, "use").is_some_and(|usage| usage != "sig") {
                continue;
            }
            let candidates = algorithms
                .iter()
                .filter(|a| jwk_str(jwk, "alg").is_none_or(|alg| alg == a.name));
            let key = candidates.into_iter().find_map(|&algorithm| {
                Some(Key {
                    algorithm,
                    id: jwk_str(jwk, "kid").map(|kid| Cow::Owned(kid.to_owned())),
                    material: Cow::Owned((algorithm.material_from_jwk)(jwk)?),
                })
            });
            keys.extend(key);
        }
        Ok(keys)
    }
}

/// Why a token was not accepted. Holds no part of the token, so it may be shown to the
/// client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    TooLong,
    Malformed(&'static str),
    /// The header has `crit`: extensions this verifier does not implement.
    UnsupportedCrit,
    /// The token's `kid` names no key, or it names none and there is not exactly one key.
    UnknownKey,
    /// The token's `alg` is not the algorithm of the key it selects (this includes `none`).
    WrongAlgorithm,
    BadSignature,
    MissingExp,
    Expired,
    NotYetValid,
    /// A JWK Set that is not JSON with a `keys` array.
    BadKeySet,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::TooLong => f.write_str("the token is too long"),
            TokenError::Malformed(what) => write!(f, "the token is malformed: {what}"),
            TokenError::UnsupportedCrit => f.write_str("the token has unsupported crit parameters"),
            TokenError::UnknownKey => f.write_str("the token's key is unknown"),
            TokenError::WrongAlgorithm => f.write_str("the token's algorithm is not its key's"),
            TokenError::BadSignature => f.write_str("the token's signature is invalid"),
            TokenError::MissingExp => f.write_str("the token has no exp claim"),
            TokenError::Expired => f.write_str("the token has expired"),
            TokenError::NotYetValid => f.write_str("the token is not yet valid"),
            TokenError::BadKeySet => f.write_str("the key set is not a JWK Set"),
        }
    }
}

impl std::error::Error for TokenError {}

/// A token split and decoded, its signature not yet checked.
#[derive(Debug)]
pub struct Token<'t> {
    header: Map<String, Value>,
    claims_segment: &'t str,
    signing_input: &'t [u8],
    signature: Vec<u8>,
}

impl<'t> Token<'t> {
    /// Splits `token` into its three segments and decodes its header. Nothing else of it
    /// is parsed before a signature check vouches for it.
    pub fn decode(token: &'t str, max_bytes: usize) -> Result<Token<'t>, TokenError> {
        if token.len() > max_bytes {
            return Err(TokenError::TooLong);
        }
        let mut segments = token.split('.');
        let (Some(header), Some(claims), Some(signature), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            return Err(TokenError::Malformed("not three segments"));
        };
        let header = decode_object(header, "header is not a JSON object")?;
        if header.contains_key("crit") {
            return Err(TokenError::UnsupportedCrit);
        }
        Ok(Token {
            header,
            claims_segment: claims,
            signing_input: &token.as_bytes()[..token.len() - signature.len() - 1],
            signature: decode_base64url(signature)?,
        })
    }

    /// The header's `alg`.
    pub fn algorithm(&self) -> Result<&str, TokenError> {
        self.header
            .get("alg")
            .and_then(Value::as_str)
            .ok_or(TokenError::Malformed("alg is not a string"))
    }

    /// The header's `kid`, if it has one.
    pub fn key_id(&self) -> Result<Option<&str>, TokenError> {
        self.header
            .get("kid")
            .map(|kid| {
                kid.as_str()
                    .ok_or(TokenError::Malformed("kid is not a string"))
            })
            .transpose()
    }

    /// The key among `keys` that the token selects: the one its `kid` names, or the only
    /// one when it names none.
    pub fn select<'k>(&self, keys: &'k [Key]) -> Result<&'k Key, TokenError> {
        match self.key_id()? {
            Some(kid) => keys.iter().find(|key| key.id.as_deref() == Some(kid)),
            None if keys.len() == 1 => keys.first(),
            None => None,
        }
        .ok_or(TokenError::UnknownKey)
    }

    /// Checks the signature with `key`, whose algorithm the token must name, and returns
    /// the claims it vouches for.
    pub fn verify(&self, key: &Key) -> Result<Map<String, Value>, TokenError> {
        self.verify_with(key.algorithm.name, |input, signature| {
            (key.algorithm.verify)(&key.material, input, signature)
        })
    }

    /// Checks the signature with `verify` (of the signing input and the signature), for a
    /// token that must name `algorithm`, and returns the claims it vouches for.
    pub fn verify_with(
        &self,
        algorithm: &str,
        verify: impl FnOnce(&[u8], &[u8]) -> bool,
    ) -> Result<Map<String, Value>, TokenError> {
        if self.algorithm()? != algorithm {
            return Err(TokenError::WrongAlgorithm);
        }
        if !verify(self.signing_input, &self.signature) {
            return Err(TokenError::BadSignature);
        }
        decode_object(self.claims_segment, "claims are not a JSON object")
    }
}

/// Checks `exp` (required), `nbf` and `iat` against `now`, allowing `leeway_secs` of clock
/// difference.
pub fn check_times(
    claims: &Map<String, Value>,
    now_unix_secs: u64,
    leeway_secs: u64,
) -> Result<(), TokenError> {
    let exp = numeric_date(claims, "exp")?.ok_or(TokenError::MissingExp)?;
    if now_unix_secs > exp.saturating_add(leeway_secs) {
        return Err(TokenError::Expired);
    }
    let latest_start = now_unix_secs.saturating_add(leeway_secs);
    for name in ["nbf", "iat"] {
        if numeric_date(claims, name)?.is_some_and(|start| start > latest_start) {
            return Err(TokenError::NotYetValid);
        }
    }
    Ok(())
}

/// Strict base64url: no padding, no `+`/`/`, no whitespace, no stray trailing bits.
fn decode_base64url(segment: &str) -> Result<Vec<u8>, TokenError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| TokenError::Malformed("invalid base64url"))
}

fn decode_object(
    segment: &str,
    not_object: &'static str,
) -> Result<Map<String, Value>, TokenError> {
    serde_json::from_slice(&decode_base64url(segment)?)
        .map_err(|_| TokenError::Malformed(not_object))
}

/// A NumericDate claim in whole seconds; RFC 7519 allows fractions, which are dropped.
fn numeric_date(claims: &Map<String, Value>, name: &str) -> Result<Option<u64>, TokenError> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    value
        .as_u64()
        .or_else(|| {
            value
                .as_f64()
                .filter(|secs| *secs >= 0.0)
                .map(|secs| secs as u64)
        })
        .map(Some)
        .ok_or(TokenError::Malformed(
            "time claim is not a non-negative number",
        ))
}

/// A token of `claims` (JSON) signed with `key`, with `kid` in its header when the key has
/// an id: what an issuer of tokens does, for tests and harnesses that stand in for one.
/// HS256 only, since the other algorithms sign with a private key the app never holds.
pub fn sign_hs256(secret: &[u8], kid: Option<&str>, claims: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let header = match kid {
        Some(kid) => serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": kid}),
        None => serde_json::json!({"alg": "HS256", "typ": "JWT"}),
    };
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let mac = Hmac::<sha2::Sha256>::new_from_slice(secret)
        .expect("HMAC takes a key of any length")
        .chain_update(&input);
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests;
