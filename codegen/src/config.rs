//! The routes.toml file as written, with the span of every value for error messages.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A list of strings, each with its span, and the list's own span.
pub type SpannedList = Spanned<Vec<Spanned<String>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutesFile {
    #[serde(default)]
    pub route: Vec<Spanned<RouteEntry>>,
    pub grip_sig: Option<Spanned<GripSigEntry>>,
    /// The `[auth.NAME]` tables, by name.
    #[serde(default)]
    pub auth: BTreeMap<Spanned<String>, Spanned<AuthEntry>>,
    /// The `[cors.NAME]` tables, by name.
    #[serde(default)]
    pub cors: BTreeMap<Spanned<String>, Spanned<CorsEntry>>,
}

/// The `[grip_sig]` table: signers that replace the defaults, each as an issuer and a key.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GripSigEntry {
    pub issuer: Option<Spanned<String>>,
    pub public_key: Option<Spanned<String>>,
    pub local_issuer: Option<Spanned<String>>,
    pub local_key: Option<Spanned<String>>,
}

/// One `[[route]]` table. Every key is optional here; validation says which are required
/// and which contradict each other, so its messages can say what to write instead.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteEntry {
    pub path: Option<Spanned<String>>,
    pub prefix: Option<Spanned<String>>,
    pub methods: Option<SpannedList>,
    pub fanout: Option<Spanned<String>>,
    pub direct: Option<Spanned<String>>,
    pub answer: Option<Spanned<String>>,
    pub channels: Option<SpannedList>,
    pub content_type: Option<Spanned<String>>,
    pub initial_body: Option<Spanned<String>>,
    pub keep_alive: Option<Spanned<KeepAliveEntry>>,
    pub timeout: Option<Spanned<i64>>,
    pub on_timeout: Option<Spanned<OnTimeout>>,
    pub auth: Option<Spanned<String>>,
    pub cors: Option<Spanned<String>>,
    pub reliable: Option<Spanned<ReliableEntry>>,
    pub hosts: Option<SpannedList>,
    pub websocket: Option<Spanned<bool>>,
    pub accept: Option<Spanned<String>>,
    pub headers: Option<Spanned<BTreeMap<Spanned<String>, Spanned<HeaderMatch>>>>,
    pub query: Option<SpannedList>,
    pub rewrite: Option<Spanned<RewriteEntry>>,
    pub request_headers: Option<Spanned<RequestHeadersEntry>>,
}

/// `keep_alive = 20` (seconds) or `keep_alive = { interval, mode, content }`.
pub enum KeepAliveEntry {
    Seconds(i64),
    Table(KeepAliveTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepAliveTable {
    pub interval: Option<Spanned<i64>>,
    pub mode: Option<Spanned<String>>,
    pub content: Option<Spanned<String>>,
}

impl<'de> Deserialize<'de> for KeepAliveEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = KeepAliveEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number of seconds, or a table { interval, mode, content }")
            }
            fn visit_i64<E>(self, seconds: i64) -> Result<KeepAliveEntry, E> {
                Ok(KeepAliveEntry::Seconds(seconds))
            }
            fn visit_u64<E>(self, seconds: u64) -> Result<KeepAliveEntry, E> {
                Ok(KeepAliveEntry::Seconds(
                    i64::try_from(seconds).unwrap_or(i64::MAX),
                ))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<KeepAliveEntry, A::Error> {
                let table = serde::de::value::MapAccessDeserializer::new(map);
                KeepAliveTable::deserialize(table).map(KeepAliveEntry::Table)
            }
        }
        deserializer.deserialize_any(Entry)
    }
}

/// `reliable = { history, path, query }`: clients resume from the history endpoint of
/// backend `history`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReliableEntry {
    pub history: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub query: Option<Spanned<String>>,
}

/// A value of a route's `headers = { name = ... }`: `true` (present) or the value it must
/// equal.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum HeaderMatch {
    Present(bool),
    Equals(String),
}

/// `rewrite = { prefix = "/v2" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewriteEntry {
    pub prefix: Option<Spanned<String>>,
}

/// `request_headers = { add = { name = "value" }, remove = ["name"] }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestHeadersEntry {
    pub add: Option<Spanned<BTreeMap<Spanned<String>, Spanned<String>>>>,
    pub remove: Option<SpannedList>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnTimeout {
    pub status: Option<Spanned<i64>>,
    pub content_type: Option<Spanned<String>>,
    pub body: Option<Spanned<String>>,
}

/// One `[auth.NAME]` table: a bearer-token policy that routes name with `auth = "NAME"`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthEntry {
    pub token_from: Option<SpannedList>,
    pub query: Option<Spanned<String>>,
    pub cookie: Option<Spanned<String>>,
    pub secret: Option<Spanned<SecretEntry>>,
    pub jwks: Option<Spanned<JwksEntry>>,
    pub keys: Option<Spanned<Vec<Spanned<KeyEntry>>>>,
    pub issuer: Option<Spanned<String>>,
    pub audience: Option<Spanned<String>>,
    pub leeway: Option<Spanned<i64>>,
    pub claims: Option<Spanned<BTreeMap<Spanned<String>, Spanned<String>>>>,
    pub channels_claim: Option<Spanned<String>>,
    pub forward_authorization: Option<Spanned<bool>>,
}

/// `secret = { store, key, kid }`: an HS256 secret in a Fastly Secret Store.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretEntry {
    pub store: Option<Spanned<String>>,
    pub key: Option<Spanned<String>>,
    pub kid: Option<Spanned<String>>,
}

/// `jwks = { store, key, algorithms }`: a JWK Set in a Fastly Config Store.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwksEntry {
    pub store: Option<Spanned<String>>,
    pub key: Option<Spanned<String>>,
    pub algorithms: Option<SpannedList>,
}

/// One of `keys = [{ kid, algorithm, pem }]`: a public key written in routes.toml.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    pub kid: Option<Spanned<String>>,
    pub algorithm: Option<Spanned<String>>,
    pub pem: Option<Spanned<String>>,
}

/// One `[cors.NAME]` table: a CORS policy that routes name with `cors = "NAME"`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsEntry {
    pub origins: Option<SpannedList>,
    pub methods: Option<SpannedList>,
    pub headers: Option<SpannedList>,
    pub credentials: Option<Spanned<bool>>,
    pub max_age: Option<Spanned<i64>>,
}
