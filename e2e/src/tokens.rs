//! Tokens of the issuers that the `[auth]` policies of `e2e/routes.toml` and
//! `examples/chat/routes.toml` trust: users' tokens signed with the HS256 secret that
//! fastly.toml puts in the local Secret Store, and room tokens signed with the P-256 key
//! whose public half fastly.toml's JWK Set holds.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fanout_router_core::jwt;
use fanout_router_stack::paths;
use p256::ecdsa::signature::Signer;
use serde_json::{Value, json};

/// The `iss` of users' tokens (`[auth.users]`).
pub const USERS_ISSUER: &str = "https://auth.example.test";

/// The room tokens' signing key: the private half of the JWK `local-1` in fastly.toml.
fn rooms_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[0x11; 32]).expect("a valid scalar")
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// The local development value of one entry of a local store in fastly.toml.
fn fastly_toml() -> toml::Table {
    let text = std::fs::read_to_string(paths::repo_root().join("fastly.toml"))
        .expect("fastly.toml is readable");
    text.parse().expect("fastly.toml is TOML")
}

fn users_secret() -> Vec<u8> {
    let manifest = fastly_toml();
    let entries = manifest["local_server"]["secret_stores"]["fanout-router-auth"]
        .as_array()
        .expect("the local Secret Store fanout-router-auth");
    let entry = entries
        .iter()
        .find(|entry| entry["key"].as_str() == Some("users-hs256"))
        .expect("the entry users-hs256");
    entry["data"]
        .as_str()
        .expect("inline data")
        .as_bytes()
        .to_vec()
}

/// The JWK Set that fastly.toml puts in the local Config Store.
pub fn rooms_jwks() -> Value {
    let manifest = fastly_toml();
    let contents = &manifest["local_server"]["config_stores"]["fanout-router-keys"]["contents"];
    serde_json::from_str(contents["rooms-jwks"].as_str().expect("a JSON string"))
        .expect("the JWK Set is JSON")
}

/// The public half of the room tokens' key as a JWK's `x` and `y`.
pub fn rooms_public_xy() -> (String, String) {
    let point = rooms_key().verifying_key().to_sec1_point(false);
    let bytes = point.as_bytes();
    (
        URL_SAFE_NO_PAD.encode(&bytes[1..33]),
        URL_SAFE_NO_PAD.encode(&bytes[33..]),
    )
}

/// A users' token for `user`, valid for `lifetime` seconds from now (negative: expired).
pub fn user_token(user: &str, lifetime: i64) -> String {
    let exp = now().saturating_add_signed(lifetime);
    users_token(&json!({"sub": user, "iss": USERS_ISSUER, "exp": exp}))
}

/// The audience of the chat service's session tokens (`[auth.member]` of
/// examples/chat/routes.toml).
pub const CHAT_AUDIENCE: &str = "chat";

/// A chat member's session token: a users' token for `member` for the chat service's
/// audience, valid for ten minutes.
pub fn member_token(member: &str) -> String {
    users_token(&json!({
        "sub": member,
        "iss": USERS_ISSUER,
        "aud": [CHAT_AUDIENCE],
        "exp": now() + 600,
    }))
}

/// `claims` signed with the users' HS256 secret.
fn users_token(claims: &Value) -> String {
    jwt::sign_hs256(&users_secret(), None, &claims.to_string())
}

/// A room token granting `rooms` (channel names), valid for ten minutes.
pub fn room_token(rooms: &[&str]) -> String {
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": "local-1"});
    let claims = json!({"rooms": rooms, "exp": now() + 600});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature: p256::ecdsa::Signature = rooms_key().sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}
