//! The routes.toml file as written, with the span of every value for error messages.

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutesFile {
    #[serde(default)]
    pub route: Vec<Spanned<RouteEntry>>,
    pub grip_sig: Option<Spanned<GripSigEntry>>,
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
    pub methods: Option<Spanned<Vec<Spanned<String>>>>,
    pub fanout: Option<Spanned<String>>,
    pub direct: Option<Spanned<String>>,
    pub answer: Option<Spanned<String>>,
    pub channels: Option<Spanned<Vec<Spanned<String>>>>,
    pub content_type: Option<Spanned<String>>,
    pub initial_body: Option<Spanned<String>>,
    pub keep_alive: Option<Spanned<i64>>,
    pub timeout: Option<Spanned<i64>>,
    pub on_timeout: Option<Spanned<OnTimeout>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnTimeout {
    pub status: Option<Spanned<i64>>,
    pub content_type: Option<Spanned<String>>,
    pub body: Option<Spanned<String>>,
}
