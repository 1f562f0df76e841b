//! Who may hold a channel: the bearer-token policies of routes.toml (`[auth.NAME]`),
//! checked on the first pass, before any handoff, so a refused request costs no Fanout and
//! never reaches the origin. Refusals follow RFC 6750.

use serde_json::{Map, Value};

use crate::channel::Piece;
use crate::decision::Headers;
use crate::jwt::{self, Algorithm, Key, Token, TokenError};
use crate::response::Response;
use crate::route::Match;

/// Longer tokens are refused before any decoding.
pub const MAX_TOKEN_BYTES: usize = 8192;

/// One `[auth.NAME]` table.
#[derive(Debug, PartialEq, Eq)]
pub struct Policy {
    pub name: &'static str,
    /// Where a client may put its token; a request that uses more than one is refused.
    pub token_from: &'static [TokenSource],
    /// Public keys written in routes.toml (parsed at build time).
    pub keys: &'static [Key],
    /// An HS256 secret in a Fastly Secret Store: never in routes.toml, never compiled in.
    pub secret: Option<StoredSecret>,
    /// A JWK Set in a Fastly Config Store, so that keys rotate without a deploy.
    pub jwks: Option<StoredJwks>,
    /// The exact `iss` a token must carry, when set.
    pub issuer: Option<&'static str>,
    /// A value `aud` must be or contain, when set.
    pub audience: Option<&'static str>,
    pub leeway_secs: u64,
    /// Claims that must equal a value built from the path: `sub` must be `{user}`.
    pub claims: &'static [ClaimRule],
    /// A claim listing the channels the token may hold; every channel the route renders
    /// must be in it.
    pub channels_claim: Option<&'static str>,
    /// Whether the backend still gets the `Authorization` header.
    pub forward_authorization: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// `Authorization: Bearer <token>`.
    Header,
    /// A query parameter of this name, for clients that cannot set headers (EventSource,
    /// browser WebSockets). Removed from the URL before the request goes on.
    Query(&'static str),
    /// A cookie of this name.
    Cookie(&'static str),
}

#[derive(Debug, PartialEq, Eq)]
pub struct StoredSecret {
    pub store: &'static str,
    pub key: &'static str,
    /// The `kid` that selects the secret, when tokens name one.
    pub kid: Option<&'static str>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct StoredJwks {
    pub store: &'static str,
    pub key: &'static str,
    /// The algorithms its keys may use.
    pub algorithms: &'static [&'static Algorithm],
}

/// `claim` must equal the template rendered from the request's path parameters.
#[derive(Debug, PartialEq, Eq)]
pub struct ClaimRule {
    pub claim: &'static str,
    pub value: &'static [Piece],
}

/// Where the keys kept outside the package are read: Fastly's stores on the platform.
pub trait Stores {
    fn secret(&self, store: &str, key: &str) -> Option<Vec<u8>>;
    fn config(&self, store: &str, key: &str) -> Option<String>;
}

/// [`Policy::authorize`], which the generated table names only when a route has a
/// policy, so that a package without one carries none of the token code.
pub type Authorize =
    fn(&Policy, &Request, &Match, &[String], &dyn Stores) -> Result<Authorized, Refusal>;

/// What a request that passed the policy goes on without.
#[derive(Debug, PartialEq, Eq)]
pub struct Authorized {
    /// The query parameter that carried the token: removed from the URL.
    pub strip_query: Option<&'static str>,
    /// Whether to remove the `Authorization` header.
    pub strip_authorization: bool,
}

/// Why a request was refused. Never holds the token.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No token where the policy looks for one.
    Missing,
    /// The request is malformed: a token sent more than one way, an unreadable header.
    InvalidRequest(&'static str),
    /// The token does not verify.
    InvalidToken(String),
    /// The token is valid but may not hold what the route renders.
    InsufficientScope(String),
    /// The keys kept in a store could not be read: the service, not the client, is at
    /// fault.
    KeysUnavailable(&'static str),
}

impl Refusal {
    /// The RFC 6750 answer: 401 with `WWW-Authenticate: Bearer` for a missing or bad
    /// token, 403 `insufficient_scope`, 400 `invalid_request`.
    pub fn response(&self, realm: &str) -> Response {
        let (status, error, description) = match self {
            Refusal::Missing => (401, None, "a bearer token is required".to_owned()),
            Refusal::InvalidRequest(why) => (400, Some("invalid_request"), (*why).to_owned()),
            Refusal::InvalidToken(why) => (401, Some("invalid_token"), why.clone()),
            Refusal::InsufficientScope(why) => (403, Some("insufficient_scope"), why.clone()),
            Refusal::KeysUnavailable(why) => {
                return Response::text(503, &format!("authorization is unavailable: {why}\n"));
            }
        };
        let mut challenge = format!("Bearer realm=\"{realm}\"");
        if let Some(error) = error {
            challenge.push_str(&format!(
                ", error=\"{error}\", error_description=\"{description}\""
            ));
        }
        let mut response = Response::text(status, &format!("{description}\n"));
        response.headers.push(("WWW-Authenticate", challenge));
        response
    }
}

impl Policy {
    /// Checks the request against the policy: its token, from where the policy allows,
    /// verified with the policy's keys, bound to the path and to `channels`.
    pub fn authorize(
        &self,
        request: &Request,
        matched: &Match,
        channels: &[String],
        stores: &dyn Stores,
    ) -> Result<Authorized, Refusal> {
        let (token, source) = self.find_token(request)?;
        let invalid = |e: TokenError| Refusal::InvalidToken(e.to_string());
        let token = Token::decode(token, MAX_TOKEN_BYTES).map_err(invalid)?;
        let keys = self.keys_for(&token, stores)?;
        let claims = token
            .verify(token.select(&keys).map_err(invalid)?)
            .map_err(invalid)?;
        self.check_claims(&claims, matched, channels, request.now_unix_secs)?;
        Ok(Authorized {
            strip_query: match source {
                TokenSource::Query(name) => Some(name),
                _ => None,
            },
            strip_authorization: !self.forward_authorization && source == TokenSource::Header,
        })
    }

    /// Checks the claims of a token whose signature verified: the times with the policy's
    /// leeway, `iss` and `aud`, and the binding to the path and to `channels`.
    pub fn check_claims(
        &self,
        claims: &Map<String, Value>,
        matched: &Match,
        channels: &[String],
        now_unix_secs: u64,
    ) -> Result<(), Refusal> {
        jwt::check_times(claims, now_unix_secs, self.leeway_secs)
            .map_err(|e| Refusal::InvalidToken(e.to_string()))?;
        self.check_issuer_and_audience(claims)?;
        self.check_binding(claims, matched, channels)
    }

    /// The one token the request carries, and where it was.
    fn find_token<'r>(&self, request: &Request<'r>) -> Result<(&'r str, TokenSource), Refusal> {
        let mut found = None;
        for &source in self.token_from {
            let token = match source {
                TokenSource::Header => bearer(request.headers)?,
                TokenSource::Query(name) => single(query_values(request.query, name))?,
                TokenSource::Cookie(name) => {
                    let cookie = request.headers.get("cookie").unwrap_or_default();
                    let cookie = std::str::from_utf8(cookie)
                        .map_err(|_| Refusal::InvalidRequest("the Cookie header is not text"))?;
                    single(cookie_values(cookie, name))?
                }
            };
            if let Some(token) = token {
                if found.is_some() {
                    return Err(Refusal::InvalidRequest(
                        "the token is sent more than one way",
                    ));
                }
                found = Some((token, source));
            }
        }
        found.ok_or(Refusal::Missing)
    }

    /// The keys a token of this algorithm may be verified with: the policy's own, and the
    /// stored ones, read only when the token's algorithm can use them.
    fn keys_for(&self, token: &Token, stores: &dyn Stores) -> Result<Vec<Key>, Refusal> {
        let alg = token
            .algorithm()
            .map_err(|e| Refusal::InvalidToken(e.to_string()))?;
        let mut keys: Vec<Key> = self.keys.to_vec();
        if let Some(secret) = &self.secret
            && alg == jwt::HS256.name
        {
            let material = stores
                .secret(secret.store, secret.key)
                .ok_or(Refusal::KeysUnavailable("the HS256 secret cannot be read"))?;
            keys.push(Key {
                algorithm: &jwt::HS256,
                id: secret.kid.map(Into::into),
                material: material.into(),
            });
        }
        if let Some(jwks) = &self.jwks
            && jwks.algorithms.iter().any(|a| a.name == alg)
        {
            let json = stores
                .config(jwks.store, jwks.key)
                .ok_or(Refusal::KeysUnavailable("the JWK Set cannot be read"))?;
            let stored = Key::from_jwks(json.as_bytes(), jwks.algorithms)
                .map_err(|_| Refusal::KeysUnavailable("the stored JWK Set is not valid"))?;
            keys.extend(stored);
        }
        Ok(keys)
    }

    fn check_issuer_and_audience(&self, claims: &Map<String, Value>) -> Result<(), Refusal> {
        if let Some(issuer) = self.issuer
            && claims.get("iss").and_then(Value::as_str) != Some(issuer)
        {
            return Err(Refusal::InvalidToken(
                "the token's issuer is not accepted".into(),
            ));
        }
        if let Some(audience) = self.audience {
            let listed = match claims.get("aud") {
                Some(Value::String(aud)) => aud == audience,
                Some(Value::Array(auds)) => auds.iter().any(|aud| aud == audience),
                _ => false,
            };
            if !listed {
                return Err(Refusal::InvalidToken(
                    "the token is not for this audience".into(),
                ));
            }
        }
        Ok(())
    }

    fn check_binding(
        &self,
        claims: &Map<String, Value>,
        matched: &Match,
        channels: &[String],
    ) -> Result<(), Refusal> {
        for rule in self.claims {
            let expected = render(rule.value, matched);
            if claims.get(rule.claim).and_then(Value::as_str) != Some(expected.as_str()) {
                return Err(Refusal::InsufficientScope(format!(
                    "the token's `{}` claim does not match this path",
                    rule.claim
                )));
            }
        }
        if let Some(name) = self.channels_claim {
            let granted = claims.get(name).and_then(Value::as_array);
            let granted = |channel: &String| {
                granted.is_some_and(|list| list.iter().any(|c| c.as_str() == Some(channel)))
            };
            if !channels.iter().all(granted) {
                return Err(Refusal::InsufficientScope(format!(
                    "the token's `{name}` claim does not grant this route's channels"
                )));
            }
        }
        Ok(())
    }
}

/// What a policy reads of a request.
pub struct Request<'r> {
    pub headers: &'r dyn Headers,
    pub query: Option<&'r str>,
    pub now_unix_secs: u64,
}

fn render(template: &[Piece], matched: &Match) -> String {
    let mut value = String::new();
    for piece in template {
        match *piece {
            Piece::Text(text) => value.push_str(text),
            Piece::Param(index) => value.push_str(matched.value(index)),
        }
    }
    value
}

/// The token of an `Authorization: Bearer` header; another scheme is no bearer token.
fn bearer(headers: &dyn Headers) -> Result<Option<&str>, Refusal> {
    let Some(value) = headers.get("authorization") else {
        return Ok(None);
    };
    let value = std::str::from_utf8(value)
        .map_err(|_| Refusal::InvalidRequest("the Authorization header is not text"))?;
    let Some((scheme, token)) = value.split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(Refusal::InvalidRequest(
            "the Authorization header has no token",
        ));
    }
    Ok(Some(token))
}

/// The one value of a list, or none; two values are two tokens.
fn single<'a>(mut values: impl Iterator<Item = &'a str>) -> Result<Option<&'a str>, Refusal> {
    let first = values.next();
    if values.next().is_some() {
        return Err(Refusal::InvalidRequest("the token is sent more than once"));
    }
    Ok(first)
}

fn query_values<'q>(query: Option<&'q str>, name: &'q str) -> impl Iterator<Item = &'q str> {
    let pairs = query.unwrap_or_default().split('&');
    pairs.filter_map(move |pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then_some(value)
    })
}

fn cookie_values<'c>(cookie: &'c str, name: &'c str) -> impl Iterator<Item = &'c str> {
    cookie.split(';').filter_map(move |pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then_some(value)
    })
}

/// `query` without the parameter `name`; `None` when nothing else is left.
pub fn strip_query(query: &str, name: &str) -> Option<String> {
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| pair.split_once('=').map_or(*pair, |(key, _)| key) != name)
        .collect();
    (!kept.is_empty()).then(|| kept.join("&"))
}

#[cfg(test)]
mod tests;
