//! The `[auth.NAME]` and `[cors.NAME]` tables of routes.toml and the routes that name them:
//! each policy is checked once, and each route's use of one against the route's pattern.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use fanout_router_core::jwt::{MIN_RSA_BITS, rsa_material};
use toml::Spanned;

use crate::channel;
use crate::config::{
    AuthEntry, CorsEntry, JwksEntry, KeyEntry, RouteEntry, RoutesFile, SecretEntry, SpannedList,
};
use crate::diagnostic::closest;
use crate::model::{
    AlgorithmDef, AuthDef, AuthUse, CorsDef, JwksDef, KeyDef, SecretDef, TokenSourceDef,
};
use crate::validate::{Checker, p256_point};

pub const LEEWAY_SECS: RangeInclusive<i64> = 0..=300;
pub const DEFAULT_LEEWAY_SECS: u32 = 30;
pub const MAX_AGE_SECS: RangeInclusive<i64> = 0..=86400;
pub const DEFAULT_MAX_AGE_SECS: u32 = 600;
pub const DEFAULT_CORS_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

/// The claims of a policy: each claim and its template, as written.
type Claims = Vec<(String, Spanned<String>)>;

/// What a route may name: the policies declared, and what routes need of the valid ones.
#[derive(Default)]
pub struct Policies {
    /// Every `[auth.NAME]`, valid or not, so that a route naming an invalid one is not
    /// also told that it does not exist.
    auth_declared: BTreeSet<String>,
    /// The claims of each valid auth policy: the claim and its template.
    auth_claims: BTreeMap<String, Claims>,
    cors_declared: BTreeSet<String>,
    cors_valid: BTreeSet<String>,
}

/// A Fastly store a policy reads a key from.
#[derive(Clone, Copy)]
enum Store {
    /// An HS256 secret in a Secret Store, under `secret = { ... }`.
    Secret,
    /// A JWK Set in a Config Store, under `jwks = { ... }`.
    Config,
}

impl Store {
    fn table(self) -> &'static str {
        match self {
            Store::Secret => "secret",
            Store::Config => "jwks",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Store::Secret => "Secret Store",
            Store::Config => "Config Store",
        }
    }

    fn section(self) -> &'static str {
        match self {
            Store::Secret => "secret_stores",
            Store::Config => "config_stores",
        }
    }

    /// `store = ..., key = ...` as README.md's example writes them.
    fn example(self) -> &'static str {
        match self {
            Store::Secret => "store = \"fanout-router-auth\", key = \"users-hs256\"",
            Store::Config => "store = \"fanout-router-keys\", key = \"users-jwks\"",
        }
    }

    /// How the local server declares the store, with the key it holds.
    fn declaration(self, store: &str, key: &str) -> String {
        match self {
            Store::Secret => format!(
                "[[local_server.secret_stores.{store}]] with key = \"{key}\" and data = \"<a \
                 development secret>\""
            ),
            Store::Config => format!(
                "[local_server.config_stores.{store}] with format = \"inline-toml\", and the \
                 JWK Set as {key} = '{{\"keys\":[...]}}' under \
                 [local_server.config_stores.{store}.contents]"
            ),
        }
    }
}

impl Checker<'_, '_> {
    /// Validates every `[auth.NAME]` table: the valid policies, by name.
    pub(crate) fn auth_policies(
        &mut self,
        tables: &BTreeMap<Spanned<String>, Spanned<AuthEntry>>,
    ) -> Vec<AuthDef> {
        let mut defs = Vec::new();
        for (name, entry) in tables {
            self.policies.auth_declared.insert(name.get_ref().clone());
            let errors_before = self.reporter.count();
            let def = self.auth_policy(name, entry.get_ref());
            if let Some((def, claims)) = def.filter(|_| self.reporter.count() == errors_before) {
                self.policies.auth_claims.insert(def.name.clone(), claims);
                defs.push(def);
            }
        }
        defs
    }

    /// Validates every `[cors.NAME]` table: the valid policies, by name.
    pub(crate) fn cors_policies(
        &mut self,
        tables: &BTreeMap<Spanned<String>, Spanned<CorsEntry>>,
    ) -> Vec<CorsDef> {
        let mut defs = Vec::new();
        for (name, entry) in tables {
            self.policies.cors_declared.insert(name.get_ref().clone());
            let errors_before = self.reporter.count();
            let def = self.cors_policy(name, entry.get_ref());
            if let Some(def) = def.filter(|_| self.reporter.count() == errors_before) {
                self.policies.cors_valid.insert(def.name.clone());
                defs.push(def);
            }
        }
        defs
    }

    fn auth_policy(&mut self, name: &Spanned<String>, a: &AuthEntry) -> Option<(AuthDef, Claims)> {
        self.policy_name("auth", name);
        if a.secret.is_none() && a.jwks.is_none() && a.keys.is_none() {
            self.reporter.error(
                &name.span(),
                format!(
                    "auth policy `{}` has no key to verify tokens with",
                    name.get_ref()
                ),
                "add keys = [{ kid, algorithm, pem }] (ES256 or RS256 public keys), jwks = \
                 { store, key, algorithms } (a JWK Set in a Config Store) or secret = { store, \
                 key } (an HS256 secret in a Secret Store)",
            );
        }
        let token_from = self.token_sources(a);
        let secret = a.secret.as_ref().map(|s| self.secret(s));
        let jwks = a.jwks.as_ref().map(|j| self.jwks(j));
        let keys = a.keys.as_ref().map(|k| self.inline_keys(k));
        self.unique_kids(a);
        let leeway = self.seconds(
            a.leeway.as_ref(),
            "leeway",
            LEEWAY_SECS,
            DEFAULT_LEEWAY_SECS,
            "a leeway only absorbs clock differences between the issuer and Fastly",
        );
        let claims = self.claims(a);
        let text = |value: &Option<Spanned<String>>| value.as_ref().map(|v| v.get_ref().clone());
        let def = AuthDef {
            name: name.get_ref().clone(),
            token_from: token_from?,
            keys: valid_if_given(keys)?.unwrap_or_default(),
            secret: valid_if_given(secret)?,
            jwks: valid_if_given(jwks)?,
            issuer: text(&a.issuer),
            audience: text(&a.audience),
            leeway_secs: leeway?.into(),
            claims: claims
                .iter()
                .map(|(claim, template)| (claim.clone(), template.get_ref().clone()))
                .collect(),
            channels_claim: text(&a.channels_claim),
            forward_authorization: a
                .forward_authorization
                .as_ref()
                .is_none_or(|f| *f.get_ref()),
        };
        Some((def, claims))
    }

    /// A policy's name becomes part of an identifier and of the `realm` of refusals.
    fn policy_name(&mut self, kind: &str, name: &Spanned<String>) {
        let text = name.get_ref();
        let valid = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            let example = if kind == "auth" { "users" } else { "front-end" };
            self.reporter.error(
                &name.span(),
                format!("{kind} policy name {text:?} may hold only letters, digits, `-` and `_`"),
                format!("rename it, e.g. [{kind}.{example}]"),
            );
        }
    }

    fn token_sources(&mut self, a: &AuthEntry) -> Option<Vec<TokenSourceDef>> {
        let errors_before = self.reporter.count();
        let Some(list) = &a.token_from else {
            for (key, value) in [("query", &a.query), ("cookie", &a.cookie)] {
                if let Some(value) = value {
                    self.unlisted_source(key, value);
                }
            }
            return (self.reporter.count() == errors_before).then(|| vec![TokenSourceDef::Header]);
        };
        if list.get_ref().is_empty() {
            self.reporter.error(
                &list.span(),
                "empty `token_from` list",
                "list some of \"header\", \"query\" and \"cookie\", or remove `token_from` to \
                 take the token from the Authorization header",
            );
        }
        let repeated = self.repeats(list.get_ref(), "token source", str::eq);
        let mut sources = Vec::new();
        for (item, repeated) in list.get_ref().iter().zip(repeated) {
            let source = match item.get_ref().as_str() {
                _ if repeated => continue,
                "header" => TokenSourceDef::Header,
                key @ ("query" | "cookie") => {
                    let (value, example) = if key == "query" {
                        (&a.query, "access_token")
                    } else {
                        (&a.cookie, "session")
                    };
                    let Some(value) = value else {
                        self.reporter.error(
                            &item.span(),
                            format!("`token_from` lists \"{key}\", but `{key}` is not given"),
                            format!("add {key} = \"{example}\": the {key} that carries the token"),
                        );
                        continue;
                    };
                    self.source_name(key, value, example);
                    let name = value.get_ref().clone();
                    if key == "query" {
                        TokenSourceDef::Query(name)
                    } else {
                        TokenSourceDef::Cookie(name)
                    }
                }
                other => {
                    self.reporter.error(
                        &item.span(),
                        format!("unknown token source {other:?}"),
                        "write \"header\", \"query\" or \"cookie\"",
                    );
                    continue;
                }
            };
            sources.push(source);
        }
        let listed = |key: &str| list.get_ref().iter().any(|i| i.get_ref() == key);
        for (key, value) in [("query", &a.query), ("cookie", &a.cookie)] {
            if let Some(value) = value.as_ref().filter(|_| !listed(key)) {
                self.unlisted_source(key, value);
            }
        }
        (self.reporter.count() == errors_before).then_some(sources)
    }

    fn unlisted_source(&mut self, key: &str, value: &Spanned<String>) {
        self.reporter.error(
            &value.span(),
            format!("`{key}` is given, but `token_from` does not list \"{key}\""),
            format!("add \"{key}\" to token_from, or remove `{key}`"),
        );
    }

    /// A query parameter or cookie name: unreserved URL characters, the same in a URL and
    /// in a Cookie header, never escaped.
    fn source_name(&mut self, key: &str, value: &Spanned<String>, example: &str) {
        let name = value.get_ref();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c));
        if !valid {
            self.reporter.error(
                &value.span(),
                format!("{key} = {name:?} is not a name of letters, digits, `-`, `_`, `.` and `~`"),
                format!("write e.g. {key} = \"{example}\""),
            );
        }
    }

    fn secret(&mut self, entry: &Spanned<SecretEntry>) -> Option<SecretDef> {
        let s = entry.get_ref();
        let (store, key) = self.stored(Store::Secret, &entry.span(), &s.store, &s.key)?;
        Some(SecretDef {
            store,
            key,
            kid: s.kid.as_ref().map(|k| k.get_ref().clone()),
        })
    }

    fn jwks(&mut self, entry: &Spanned<JwksEntry>) -> Option<JwksDef> {
        let j = entry.get_ref();
        let stored = self.stored(Store::Config, &entry.span(), &j.store, &j.key);
        let help = "list the algorithms of the set's keys: algorithms = [\"ES256\"], \
                    [\"RS256\"] or both";
        let algorithms = match &j.algorithms {
            None => {
                self.reporter
                    .error(&entry.span(), "`jwks` needs `algorithms`", help);
                None
            }
            Some(list) => self.algorithm_list(list, help),
        };
        let (store, key) = stored?;
        Some(JwksDef {
            store,
            key,
            algorithms: algorithms?,
        })
    }

    fn algorithm_list(&mut self, list: &SpannedList, help: &str) -> Option<Vec<AlgorithmDef>> {
        if list.get_ref().is_empty() {
            self.reporter
                .error(&list.span(), "empty `algorithms` list", help);
            return None;
        }
        let repeated = self.repeats(list.get_ref(), "algorithm", str::eq);
        let mut algorithms = Vec::new();
        for (item, repeated) in list.get_ref().iter().zip(repeated) {
            if !repeated {
                algorithms.push(self.algorithm(item, "a Config Store"));
            }
        }
        algorithms.into_iter().collect()
    }

    /// The store and key of `secret` or `jwks`, the store declared in fastly.toml.
    fn stored(
        &mut self,
        kind: Store,
        span: &std::ops::Range<usize>,
        store: &Option<Spanned<String>>,
        key: &Option<Spanned<String>>,
    ) -> Option<(String, String)> {
        let table = kind.table();
        let (Some(store), Some(key)) = (store, key) else {
            self.reporter.error(
                span,
                format!("`{table}` needs `store` and `key`"),
                format!(
                    "write {table} = {{ {} }}: the {} and the key it is kept under",
                    kind.example(),
                    kind.kind()
                ),
            );
            return None;
        };
        let declared = match kind {
            Store::Secret => &self.backends.secret_stores,
            Store::Config => &self.backends.config_stores,
        };
        let (name, section, fastly) = (store.get_ref(), kind.section(), self.fastly_name);
        if !declared.contains(name) {
            let known = if declared.is_empty() {
                String::new()
            } else {
                let names: Vec<&str> = declared.iter().map(String::as_str).collect();
                format!(", or use one of: {}", names.join(", "))
            };
            self.reporter.error(
                &store.span(),
                format!(
                    "{} `{name}` is not declared in {fastly} under [local_server.{section}]",
                    kind.kind()
                ),
                format!(
                    "declare it for the local server in {fastly}: {}{known}",
                    kind.declaration(name, key.get_ref())
                ),
            );
            return None;
        }
        Some((name.clone(), key.get_ref().clone()))
    }

    /// An algorithm of a public key, written in routes.toml or held by a JWK Set in `place`.
    fn algorithm(&mut self, value: &Spanned<String>, place: &str) -> Option<AlgorithmDef> {
        let name = value.get_ref();
        if let Some(algorithm) = AlgorithmDef::ALL.into_iter().find(|a| a.name() == name) {
            return Some(algorithm);
        }
        let upper = name.to_ascii_uppercase();
        let (message, help) = if upper == "HS256" {
            (
                format!("an HS256 key is a secret, which {place} must not hold"),
                "put it in a Secret Store and name it with secret = { store = \
                 \"fanout-router-auth\", key = \"users-hs256\" }; here, write \"ES256\" or \
                 \"RS256\""
                    .to_owned(),
            )
        } else if AlgorithmDef::ALL.iter().any(|a| a.name() == upper) {
            (
                format!("unknown algorithm {name:?}"),
                format!("algorithm names are case-sensitive: write \"{upper}\""),
            )
        } else {
            (
                format!("unknown algorithm {name:?}"),
                format!(
                    "write \"ES256\" (a P-256 key) or \"RS256\" (an RSA key of {MIN_RSA_BITS} \
                     bits or more)"
                ),
            )
        };
        self.reporter.error(&value.span(), message, help);
        None
    }

    fn inline_keys(&mut self, list: &Spanned<Vec<Spanned<KeyEntry>>>) -> Option<Vec<KeyDef>> {
        if list.get_ref().is_empty() {
            self.reporter.error(
                &list.span(),
                "empty `keys` list",
                "give at least one key, or remove `keys`",
            );
            return None;
        }
        let keys: Vec<Option<KeyDef>> = list.get_ref().iter().map(|k| self.inline_key(k)).collect();
        keys.into_iter().collect()
    }

    fn inline_key(&mut self, entry: &Spanned<KeyEntry>) -> Option<KeyDef> {
        let k = entry.get_ref();
        let (Some(algorithm), Some(pem)) = (&k.algorithm, &k.pem) else {
            self.reporter.error(
                &entry.span(),
                "a key needs `algorithm` and `pem`",
                "write { kid = \"2026-11\", algorithm = \"ES256\", pem = \"\"\"-----BEGIN PUBLIC \
                 KEY-----...-----END PUBLIC KEY-----\"\"\" }",
            );
            return None;
        };
        let algorithm = self.algorithm(algorithm, "routes.toml")?;
        let material = match algorithm {
            AlgorithmDef::Es256 => p256_point(pem.get_ref()).map(Vec::from).ok_or((
                "pem is not a P-256 public key in PEM form".to_owned(),
                "paste the ES256 public key, from -----BEGIN PUBLIC KEY----- to -----END PUBLIC \
                 KEY-----: a key on the P-256 curve, no other"
                    .to_owned(),
            )),
            AlgorithmDef::Rs256 => rsa_key_material(pem.get_ref()),
        };
        match material {
            Ok(material) => Some(KeyDef {
                algorithm,
                kid: k.kid.as_ref().map(|kid| kid.get_ref().clone()),
                material,
            }),
            Err((message, help)) => {
                self.reporter.error(&pem.span(), message, help);
                None
            }
        }
    }

    /// A `kid` selects one key: two keys of a policy cannot share one.
    fn unique_kids(&mut self, a: &AuthEntry) {
        let inline = a.keys.iter().flat_map(|keys| keys.get_ref());
        let mut kids: Vec<Spanned<String>> =
            inline.filter_map(|k| k.get_ref().kid.clone()).collect();
        kids.extend(a.secret.as_ref().and_then(|s| s.get_ref().kid.clone()));
        kids.sort_by_key(|kid| kid.span().start);
        self.repeats(&kids, "kid", str::eq);
    }

    fn claims(&mut self, a: &AuthEntry) -> Claims {
        let Some(claims) = &a.claims else {
            return Vec::new();
        };
        let mut valid = Vec::new();
        for (claim, template) in claims.get_ref() {
            let text = template.get_ref();
            if text.is_empty() {
                self.reporter.error(
                    &template.span(),
                    "empty claim template",
                    "write the value the claim must equal, e.g. sub = \"{user}\"",
                );
                continue;
            }
            // Only the syntax here: which parameters exist depends on each route's pattern.
            let named = braced(text);
            match channel::parse_template(text, &named, "claim template") {
                Ok(_) => valid.push((claim.get_ref().clone(), template.clone())),
                Err(e) => {
                    let at = self.inside(template, e.offset);
                    self.reporter.error(&(at..at), e.message, e.help);
                }
            }
        }
        valid
    }

    fn cors_policy(&mut self, name: &Spanned<String>, c: &CorsEntry) -> Option<CorsDef> {
        self.policy_name("cors", name);
        let origins_help = "list the origins of your front end, e.g. origins = \
                            [\"https://app.example.com\"], or [\"*\"] for any origin without \
                            credentials";
        let origins = match &c.origins {
            None => {
                self.reporter.error(
                    &name.span(),
                    format!("cors policy `{}` has no `origins`", name.get_ref()),
                    origins_help,
                );
                None
            }
            Some(list) if list.get_ref().is_empty() => {
                self.reporter
                    .error(&list.span(), "empty `origins` list", origins_help);
                None
            }
            Some(list) => self.origins(list, c.credentials.as_ref()),
        };
        let methods = match &c.methods {
            None => DEFAULT_CORS_METHODS.map(str::to_owned).into(),
            Some(list) => {
                let methods =
                    self.method_list(list, "remove `methods` to allow GET, HEAD and POST");
                methods.names().map(str::to_owned).collect()
            }
        };
        let headers = c.headers.as_ref().map(|list| self.headers(list));
        let max_age = self.seconds(
            c.max_age.as_ref(),
            "max_age",
            MAX_AGE_SECS,
            DEFAULT_MAX_AGE_SECS,
            "browsers keep a preflight's answer for a day at most",
        );
        Some(CorsDef {
            name: name.get_ref().clone(),
            origins: origins?,
            methods,
            headers: headers.unwrap_or_default(),
            credentials: c.credentials.as_ref().is_some_and(|c| *c.get_ref()),
            max_age_secs: max_age?,
        })
    }

    /// Exact origins, or none for `["*"]`, any origin.
    fn origins(
        &mut self,
        list: &SpannedList,
        credentials: Option<&Spanned<bool>>,
    ) -> Option<Vec<String>> {
        let errors_before = self.reporter.count();
        let items = list.get_ref();
        if let Some(any) = items.iter().find(|o| *o.get_ref() == "*") {
            if items.len() > 1 {
                self.reporter.error(
                    &any.span(),
                    "\"*\" stands for every origin, so it goes alone",
                    "write origins = [\"*\"], or list the exact origins",
                );
            }
            if let Some(credentials) = credentials.filter(|c| *c.get_ref()) {
                self.reporter.conflict(
                    &credentials.span(),
                    "credentials here",
                    "credentials = true cannot go with origins = [\"*\"]",
                    &any.span(),
                    "any origin here",
                    "list the exact origins that may send credentials, or remove \
                     credentials = true",
                );
            }
            return (self.reporter.count() == errors_before).then(Vec::new);
        }
        self.repeats(items, "origin", str::eq_ignore_ascii_case);
        for origin in items {
            let text = origin.get_ref();
            if !is_origin(text) {
                let fixed = text
                    .split_once("://")
                    .map(|(scheme, rest)| {
                        format!(
                            "{scheme}://{}",
                            rest.split(['/', '?', '#']).next().unwrap_or_default()
                        )
                    })
                    .filter(|fixed| is_origin(fixed))
                    .unwrap_or_else(|| "https://app.example.com".to_owned());
                self.reporter.error(
                    &origin.span(),
                    format!("origin {text:?} is not scheme://host[:port]"),
                    format!(
                        "write it as browsers send it in the Origin header, with no path and \
                         no trailing slash: \"{fixed}\""
                    ),
                );
            }
        }
        (self.reporter.count() == errors_before)
            .then(|| items.iter().map(|o| o.get_ref().clone()).collect())
    }

    /// Request header names, in lower case.
    fn headers(&mut self, list: &SpannedList) -> Vec<String> {
        self.repeats(list.get_ref(), "header", str::eq_ignore_ascii_case);
        for header in list.get_ref() {
            let name = header.get_ref();
            let token = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
            if !token {
                self.reporter.error(
                    &header.span(),
                    format!("{name:?} is not a header name"),
                    "write request header names such as \"Authorization\" or \"Last-Event-ID\"",
                );
            }
        }
        list.get_ref()
            .iter()
            .map(|h| h.get_ref().to_ascii_lowercase())
            .collect()
    }

    /// A route's `auth = "NAME"`, its claims bound to the route's parameters.
    pub(crate) fn route_auth(&mut self, r: &RouteEntry, params: &[&str]) -> Option<AuthUse> {
        let value = r.auth.as_ref()?;
        let name = value.get_ref();
        let Some(claims) = self.policies.auth_claims.get(name).cloned() else {
            if !self.policies.auth_declared.contains(name) {
                let declared = self.policies.auth_declared.clone();
                self.unknown_policy("auth", value, &declared);
            }
            return None;
        };
        let mut resolved = Vec::new();
        for (claim, template) in &claims {
            match channel::parse_template(template.get_ref(), params, "claim template") {
                Ok(pieces) => resolved.push((claim.clone(), pieces)),
                Err(e) => {
                    let param = template.get_ref()[e.offset + 1..]
                        .split('}')
                        .next()
                        .unwrap_or_default();
                    let help = if params.is_empty() {
                        "this route's pattern has no parameters: name a policy without this \
                         claim, or give the pattern the parameter"
                            .to_owned()
                    } else {
                        format!(
                            "the pattern's parameters are {{{}}}: name a policy whose claims \
                             use them",
                            params.join("}, {")
                        )
                    };
                    self.reporter.conflict(
                        &value.span(),
                        "this route",
                        format!(
                            "auth policy `{name}` binds claim `{claim}` to `{{{param}}}`, a \
                             parameter this route's pattern lacks"
                        ),
                        &template.span(),
                        "the claim",
                        help,
                    );
                }
            }
        }
        Some(AuthUse {
            policy: name.clone(),
            claims: resolved,
        })
    }

    /// A route's `cors = "NAME"`.
    pub(crate) fn route_cors(&mut self, r: &RouteEntry) -> Option<String> {
        let value = r.cors.as_ref()?;
        let name = value.get_ref();
        if !self.policies.cors_declared.contains(name) {
            let declared = self.policies.cors_declared.clone();
            self.unknown_policy("cors", value, &declared);
        }
        self.policies
            .cors_valid
            .contains(name)
            .then(|| name.clone())
    }

    fn unknown_policy(&mut self, kind: &str, value: &Spanned<String>, declared: &BTreeSet<String>) {
        let name = value.get_ref();
        let names: Vec<&str> = declared.iter().map(String::as_str).collect();
        let help = if let Some(close) = closest(name, &names) {
            format!(
                "did you mean `{close}`? The {kind} policies are: {}",
                names.join(", ")
            )
        } else if names.is_empty() {
            format!("declare it in a [{kind}.{name}] table")
        } else {
            format!(
                "declare it in a [{kind}.{name}] table, or name one of: {}",
                names.join(", ")
            )
        };
        self.reporter.error(
            &value.span(),
            format!("unknown {kind} policy `{name}`"),
            help,
        );
    }

    /// A policy no route names is most likely a route that forgot it.
    pub(crate) fn warn_unused(&mut self, file: &RoutesFile) {
        let named = |pick: fn(&RouteEntry) -> &Option<Spanned<String>>| -> BTreeSet<String> {
            let routes = file.route.iter().map(|r| pick(r.get_ref()));
            routes.flatten().map(|v| v.get_ref().clone()).collect()
        };
        let auth = named(|r| &r.auth);
        let cors = named(|r| &r.cors);
        let unused = file
            .auth
            .keys()
            .filter(|name| !auth.contains(name.get_ref()))
            .map(|name| ("auth", name))
            .chain(
                file.cors
                    .keys()
                    .filter(|name| !cors.contains(name.get_ref()))
                    .map(|name| ("cors", name)),
            );
        for (kind, name) in unused {
            let name_text = name.get_ref();
            self.reporter.warning(
                &name.span(),
                format!("{kind} policy `{name_text}` is named by no route"),
                format!("name it on a route with {kind} = \"{name_text}\", or remove [{kind}.{name_text}]"),
            );
        }
    }
}

/// An optional key's value: `Some(None)` when not given, `None` when given but invalid.
fn valid_if_given<T>(value: Option<Option<T>>) -> Option<Option<T>> {
    match value {
        None => Some(None),
        Some(valid) => valid.map(Some),
    }
}

/// The parameter names in braces of a template, whether its pattern has them or not.
fn braced(template: &str) -> Vec<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// `scheme://host[:port]`, as a browser's Origin header carries it.
fn is_origin(text: &str) -> bool {
    let Some((scheme, authority)) = text.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => (host, Some(port)),
        _ => (authority, None),
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[') {
        v6.strip_suffix(']').is_some_and(|v6| {
            !v6.is_empty()
                && v6
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        })
    } else {
        !host.is_empty()
            && !host.starts_with('.')
            && !host.ends_with('.')
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    };
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 5
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse::<u16>().is_ok_and(|p| p > 0)
    });
    scheme_ok && host_ok && port_ok
}

/// The RS256 material of an RSA public key in PEM SubjectPublicKeyInfo form, or the
/// message and help of why it is refused.
fn rsa_key_material(pem: &str) -> Result<Vec<u8>, (String, String)> {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    let key = rsa::PublicKey::from_public_key_pem(pem.trim()).map_err(|_| {
        (
            "pem is not an RSA public key in PEM form".to_owned(),
            "paste the RS256 public key, from -----BEGIN PUBLIC KEY----- to -----END PUBLIC \
             KEY-----"
                .to_owned(),
        )
    })?;
    let modulus = key.n().to_be_bytes_trimmed_vartime();
    let exponent = key.e().to_be_bytes_trimmed_vartime();
    let bits = modulus.len() * 8 - modulus.first().map_or(8, |b| b.leading_zeros() as usize);
    if bits < MIN_RSA_BITS {
        return Err((
            format!("the RSA key of pem has {bits} bits, fewer than {MIN_RSA_BITS}"),
            format!("use an RSA key of {MIN_RSA_BITS} bits or more"),
        ));
    }
    Ok(rsa_material(&modulus, &exponent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port() {
        for good in [
            "https://app.example.com",
            "http://localhost:8080",
            "http://127.0.0.1:7676",
            "http://[::1]:3000",
        ] {
            assert!(is_origin(good), "{good}");
        }
        for bad in [
            "https://app.example.com/",
            "https://app.example.com/app",
            "app.example.com",
            "https://",
            "https://app.example.com:",
            "https://app.example.com:99999",
            "https://user@app.example.com",
            "https://app.example.com?x",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }
}
