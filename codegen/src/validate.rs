//! From routes.toml text to a validated [`Table`], or every error found, each located.

use std::collections::BTreeSet;
use std::ops::Range;

use fanout_router_core::grip_sig::P256_POINT_BYTES;
use fanout_router_core::method::Methods;
use fanout_router_core::route::{ModeKind, PatternKind};
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::pkcs8::DecodePublicKey;
use toml::Spanned;

use crate::channel::{self, MAX_CHANNELS};
use crate::config::{GripSigEntry, OnTimeout, RouteEntry, RoutesFile, SpannedList};
use crate::diagnostic::{Diagnostic, Reporter, Source};
use crate::model::{ActionDef, ModeDef, Pattern, RouteDef, SignersDef, Table};
use crate::policy::Policies;
use crate::{pattern, precedence, selective};

pub const KEEP_ALIVE_SECS: std::ops::RangeInclusive<i64> = 5..=55;
pub const DEFAULT_KEEP_ALIVE_SECS: u32 = 20;
pub const TIMEOUT_SECS: std::ops::RangeInclusive<i64> = 5..=3600;
pub const DEFAULT_TIMEOUT_SECS: u32 = 55;
/// The statuses `on_timeout` may give: final ones.
pub const FINAL_STATUS: std::ops::RangeInclusive<i64> = 200..=599;
pub const DEFAULT_STATUS: u16 = 200;

/// The backend names fastly.toml declares, by section, and the stores of the local server.
pub(crate) struct Backends {
    local: BTreeSet<String>,
    setup: BTreeSet<String>,
    /// `[local_server.secret_stores.NAME]`.
    pub(crate) secret_stores: BTreeSet<String>,
    /// `[local_server.config_stores.NAME]`.
    pub(crate) config_stores: BTreeSet<String>,
}

impl Backends {
    fn read(fastly: &Source) -> Result<Backends, Vec<Diagnostic>> {
        let table: toml::Table = toml::from_str(fastly.text).map_err(|e| toml_error(fastly, &e))?;
        let names = |section: &str, kind: &str| -> BTreeSet<String> {
            table
                .get(section)
                .and_then(|s| s.get(kind))
                .and_then(toml::Value::as_table)
                .map(|b| b.keys().cloned().collect())
                .unwrap_or_default()
        };
        Ok(Backends {
            local: names("local_server", "backends"),
            setup: names("setup", "backends"),
            secret_stores: names("local_server", "secret_stores"),
            config_stores: names("local_server", "config_stores"),
        })
    }

    fn contains(&self, name: &str) -> bool {
        self.local.contains(name) || self.setup.contains(name)
    }
}

pub fn validate(routes: &Source, fastly: &Source) -> Result<Table, Vec<Diagnostic>> {
    let file: RoutesFile = toml::from_str(routes.text).map_err(|e| toml_error(routes, &e))?;
    let backends = Backends::read(fastly)?;
    let mut reporter = Reporter::new(routes);
    let mut checker = Checker {
        reporter: &mut reporter,
        source: routes,
        backends: &backends,
        fastly_name: fastly.name,
        policies: Policies::default(),
    };
    let auth = checker.auth_policies(&file.auth);
    let cors = checker.cors_policies(&file.cors);
    let mut defs: Vec<(RouteDef, Range<usize>)> = Vec::new();
    for entry in &file.route {
        if let Some(def) = checker.route(entry) {
            defs.push((def, pattern_span(entry.get_ref())));
        }
    }
    checker.warn_unused(&file);
    if file.route.is_empty() {
        reporter.error(
            &(0..0),
            "routes.toml declares no route, so every request would get 404",
            "add a [[route]], e.g. prefix = \"/\" and fanout = \"origin\"",
        );
    }
    report_overlaps(&mut reporter, &defs);
    selective::report_condition_overlaps(&mut reporter, &defs);
    let signers = file
        .grip_sig
        .as_ref()
        .map(|table| signers(&mut reporter, table.get_ref()))
        .unwrap_or_default();
    let (diagnostics, warnings) = reporter.finish_with_warnings();
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let mut routes: Vec<RouteDef> = defs.into_iter().map(|(def, _)| def).collect();
    routes.sort_by_cached_key(|r| {
        let rank = precedence::Rank::of(r);
        (rank, r.methods.bits(), r.when.clone(), r.hosts.clone())
    });
    Ok(Table {
        routes,
        signers,
        auth,
        cors,
        warnings,
    })
}

/// Shortest HS256 key accepted: HMAC keys shorter than the hash are weak.
const MIN_LOCAL_KEY_BYTES: usize = 12;

/// Each signer is an issuer and a key given together; a key is checked here so that a bad
/// one fails the build rather than every request.
fn signers(reporter: &mut Reporter, table: &GripSigEntry) -> SignersDef {
    let mut pair = |issuer: &Option<Spanned<String>>,
                    key: &Option<Spanned<String>>,
                    names: (&str, &str)|
     -> Option<(String, Spanned<String>)> {
        match (issuer, key) {
            (None, None) => None,
            (Some(issuer), Some(key)) => Some((issuer.get_ref().clone(), key.clone())),
            (Some(given), None) | (None, Some(given)) => {
                reporter.error(
                    &given.span(),
                    format!("`{}` and `{}` go together", names.0, names.1),
                    "give both, or neither to keep the default signer",
                );
                None
            }
        }
    };
    let production = pair(&table.issuer, &table.public_key, ("issuer", "public_key"));
    let local = pair(
        &table.local_issuer,
        &table.local_key,
        ("local_issuer", "local_key"),
    );
    let production = production.and_then(|(issuer, pem)| match p256_point(pem.get_ref()) {
        Some(point) => Some((issuer, point)),
        None => {
            reporter.error(
                &pem.span(),
                "public_key is not a P-256 public key in PEM form",
                "paste the signer's ES256 public key, from -----BEGIN PUBLIC KEY----- to \
                 -----END PUBLIC KEY-----",
            );
            None
        }
    });
    if let Some((_, secret)) = &local
        && secret.get_ref().len() < MIN_LOCAL_KEY_BYTES
    {
        reporter.error(
            &secret.span(),
            format!("local_key is shorter than {MIN_LOCAL_KEY_BYTES} bytes"),
            format!(
                "use the sig_key of your Pushpin's configuration, at least \
                 {MIN_LOCAL_KEY_BYTES} bytes long"
            ),
        );
    }
    let local = local.map(|(issuer, key)| (issuer, key.into_inner()));
    SignersDef { production, local }
}

/// The uncompressed SEC1 point of a P-256 public key in PEM SubjectPublicKeyInfo form.
pub(crate) fn p256_point(pem: &str) -> Option<[u8; P256_POINT_BYTES]> {
    let key = p256::PublicKey::from_public_key_pem(pem.trim()).ok()?;
    key.to_sec1_point(false).as_bytes().try_into().ok()
}

/// The mode names, quoted as routes.toml writes them: `"stream", "sse", ...`.
fn mode_names() -> Vec<String> {
    ModeKind::ALL.map(|m| format!("{:?}", m.name())).into()
}

fn toml_error(source: &Source, error: &toml::de::Error) -> Vec<Diagnostic> {
    let help = "see the routes.toml section of README.md for the syntax";
    vec![Diagnostic::from_toml(source, error, help)]
}

/// Span of the `path` or `prefix` value, the place a duplicate route is pointed at.
fn pattern_span(entry: &RouteEntry) -> Range<usize> {
    entry
        .path
        .as_ref()
        .or(entry.prefix.as_ref())
        .map_or(0..0, Spanned::span)
}

/// Two routes with the same pattern shape and overlapping methods would match the same
/// requests, and precedence could not choose between them.
fn report_overlaps(reporter: &mut Reporter, defs: &[(RouteDef, Range<usize>)]) {
    for (i, (route, span)) in defs.iter().enumerate() {
        let earlier = defs[..i].iter().find(|(other, _)| {
            route.pattern.same_shape(&other.pattern)
                && route.methods.intersects(other.methods)
                && route.methods.is_any() == other.methods.is_any()
                && selective::hosts_overlap(route, other)
                && route.when.is_none()
                && other.when.is_none()
        });
        if let Some((other, other_span)) = earlier {
            let methods = if route.methods.is_any() {
                "neither lists methods".to_owned()
            } else {
                let shared = Methods::from_bits(route.methods.bits() & other.methods.bits());
                format!(
                    "both accept {}",
                    shared.names().collect::<Vec<_>>().join(", ")
                )
            };
            reporter.conflict(
                span,
                "this route",
                format!(
                    "this route matches the same requests as the route on line {}: same \
                     pattern and {methods}",
                    other.line
                ),
                other_span,
                "the other route",
                "remove one, or give them disjoint `methods` lists",
            );
        }
    }
}

pub(crate) struct Checker<'r, 'a> {
    pub(crate) reporter: &'r mut Reporter<'a>,
    source: &'a Source<'a>,
    pub(crate) backends: &'a Backends,
    pub(crate) fastly_name: &'a str,
    /// What routes may name: the policies declared, and the claims of the valid ones.
    pub(crate) policies: Policies,
}

impl Checker<'_, '_> {
    /// Validates one route; `None` once at least one error is reported for it.
    fn route(&mut self, entry: &Spanned<RouteEntry>) -> Option<RouteDef> {
        let header = entry.span();
        let errors_before = self.reporter.count();
        let r = entry.get_ref();
        let pattern = self.pattern(r, &header);
        let methods = self.methods(r);
        let action = self.action(r, &header);
        let params: Vec<&str> = pattern
            .as_ref()
            .map(|p| p.params().collect())
            .unwrap_or_default();
        let channels = self.channels(r, &header, action.as_ref(), &params);
        let auth = pattern.as_ref().and_then(|_| self.route_auth(r, &params));
        let cors = self.route_cors(r);
        let selective = self.selective(r, pattern.as_ref(), action.as_ref());
        if self.reporter.count() > errors_before {
            return None;
        }
        Some(RouteDef {
            pattern: pattern?,
            methods,
            action: action?,
            channels,
            auth,
            cors,
            hosts: selective.hosts,
            when: selective.when,
            rewrite: selective.rewrite,
            request_headers: selective.request_headers,
            line: self.reporter.location(header.start).line,
        })
    }

    fn pattern(&mut self, r: &RouteEntry, header: &Range<usize>) -> Option<Pattern> {
        let (value, kind) = match (&r.path, &r.prefix) {
            (Some(path), None) => (path, PatternKind::Exact),
            (None, Some(prefix)) => (prefix, PatternKind::Prefix),
            (Some(_), Some(prefix)) => {
                self.reporter.error(
                    &prefix.span(),
                    "a route has either `path` or `prefix`, not both",
                    "keep `path` to match one path exactly, or `prefix` to match it and \
                     everything below it",
                );
                return None;
            }
            (None, None) => {
                self.reporter.error(
                    header,
                    "route has no `path` or `prefix`",
                    "add path = \"/exact/path\" or prefix = \"/section\"",
                );
                return None;
            }
        };
        match pattern::parse(value.get_ref(), kind) {
            Ok(pattern) => Some(pattern),
            Err(e) => {
                let at = self.inside(value, e.offset);
                self.reporter.error(&(at..at), e.message, e.help);
                None
            }
        }
    }

    fn methods(&mut self, r: &RouteEntry) -> Methods {
        match &r.methods {
            Some(list) => self.method_list(list, "remove `methods` to accept every method"),
            None => Methods::ANY,
        }
    }

    /// The methods of a `methods` list; `empty_help` says what to write for an empty one.
    pub(crate) fn method_list(&mut self, list: &SpannedList, empty_help: &str) -> Methods {
        if list.get_ref().is_empty() {
            self.reporter
                .error(&list.span(), "empty `methods` list", empty_help);
        }
        let mut set = Methods::from_bits(0);
        for name in list.get_ref() {
            let method = Methods::NAMED.iter().find(|(n, _)| n == name.get_ref());
            match method {
                Some(&(_, m)) if set.intersects(m) => self.reporter.error(
                    &name.span(),
                    format!("method {} is listed twice", name.get_ref()),
                    "list each method once",
                ),
                Some(&(_, m)) => set = set.union(m),
                None => {
                    let upper = name.get_ref().to_ascii_uppercase();
                    let help = if Methods::NAMED.iter().any(|(n, _)| *n == upper) {
                        format!("method names are case-sensitive: write \"{upper}\"")
                    } else {
                        let names: Vec<&str> = Methods::NAMED.iter().map(|(n, _)| *n).collect();
                        format!("write one of {}", names.join(", "))
                    };
                    self.reporter.error(
                        &name.span(),
                        format!("unknown method {:?}", name.get_ref()),
                        help,
                    );
                }
            }
        }
        set
    }

    fn action(&mut self, r: &RouteEntry, header: &Range<usize>) -> Option<ActionDef> {
        let given: Vec<(&str, &Spanned<String>)> = [
            ("fanout", &r.fanout),
            ("direct", &r.direct),
            ("answer", &r.answer),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.as_ref().map(|v| (key, v)))
        .collect();
        let (key, value) = match given.as_slice() {
            [] => {
                self.reporter.error(
                    header,
                    "route has no action",
                    "add one of fanout = \"origin\" (through Fanout), direct = \"origin\" \
                     (bypassing Fanout) or answer = \"stream\" (the app answers)",
                );
                return None;
            }
            [one] => *one,
            [(first, _), (second, value), ..] => {
                self.reporter.error(
                    &value.span(),
                    format!("a route has one action, but this one has `{first}` and `{second}`"),
                    "keep one of fanout, direct and answer; add another route for another \
                     action, with `methods` to split by method",
                );
                return None;
            }
        };
        let name = value.get_ref().as_str();
        let action = match key {
            "fanout" | "direct" => {
                self.backend(value)?;
                if key == "fanout" {
                    ActionDef::Fanout(name.to_owned())
                } else {
                    ActionDef::Direct(name.to_owned())
                }
            }
            _ => ActionDef::Answer(self.mode(r, value)?),
        };
        self.reject_options_for(r, key, name);
        Some(action)
    }

    pub(crate) fn backend(&mut self, value: &Spanned<String>) -> Option<()> {
        let name = value.get_ref();
        if name == "self" {
            self.reporter.error(
                &value.span(),
                "backend `self` is the app itself, so this route would loop",
                {
                    let names = mode_names();
                    let (last, rest) = names.split_last().expect("there are modes");
                    format!(
                        "to have the app answer, write answer = {} or {last}",
                        rest.join(", ")
                    )
                },
            );
            return None;
        }
        if !self.backends.contains(name) {
            let fastly = self.fastly_name;
            self.reporter.error(
                &value.span(),
                format!(
                    "backend `{name}` is declared in {fastly} neither under \
                     [local_server.backends] nor under [setup.backends]"
                ),
                format!(
                    "declare it in {fastly}: [local_server.backends.{name}] url = \
                     \"http://127.0.0.1:8000/\" and [setup.backends.{name}] address = \
                     \"example.com\"{}",
                    self.known_backends()
                ),
            );
            return None;
        }
        Some(())
    }

    fn known_backends(&self) -> String {
        let known: BTreeSet<&String> = self.backends.local.union(&self.backends.setup).collect();
        if known.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = known.into_iter().map(String::as_str).collect();
            format!(", or use one of: {}", names.join(", "))
        }
    }

    fn mode(&mut self, r: &RouteEntry, value: &Spanned<String>) -> Option<ModeDef> {
        let name = value.get_ref().as_str();
        let Some(mode) = ModeKind::from_name(name) else {
            self.reporter.error(
                &value.span(),
                format!("unknown answer mode {name:?}"),
                format!("write answer = one of {}", mode_names().join(", ")),
            );
            return None;
        };
        if !self.backends.contains("self") {
            let fastly = self.fastly_name;
            self.reporter.error(
                &value.span(),
                format!("answer = \"{name}\" needs a backend `self` in {fastly}"),
                format!(
                    "Fanout hands these requests back to the app through it: add \
                     [local_server.backends.self] url = \"http://127.0.0.1:7676/\" and \
                     [setup.backends.self] with your service's domain to {fastly}"
                ),
            );
            return None;
        }
        Some(match mode {
            ModeKind::Stream => {
                let content_type = self.header_value(r.content_type.as_ref(), "text/plain")?;
                let keep_alive = self.keep_alive(r, mode, &content_type);
                let reliable = self.reliable(r);
                ModeDef::Stream {
                    initial_body: r
                        .initial_body
                        .as_ref()
                        .map_or("", |b| b.get_ref())
                        .to_owned(),
                    content_type,
                    keep_alive: keep_alive?,
                    reliable: reliable?,
                }
            }
            ModeKind::Sse => {
                let keep_alive = self.keep_alive(r, mode, "text/event-stream");
                let initial_body = self.sse_initial_body(r);
                let reliable = self.reliable(r);
                ModeDef::Sse {
                    keep_alive: keep_alive??,
                    initial_body: initial_body?,
                    reliable: reliable?,
                }
            }
            ModeKind::LongPoll => {
                let timeout_secs = self.seconds(
                    r.timeout.as_ref(),
                    "timeout",
                    TIMEOUT_SECS,
                    DEFAULT_TIMEOUT_SECS,
                    &format!(
                        "Fanout holds a long-poll for at least {} s",
                        TIMEOUT_SECS.start()
                    ),
                )?;
                self.long_poll(timeout_secs, r.on_timeout.as_ref())?
            }
            ModeKind::WsEcho => ModeDef::WsEcho {
                keep_alive: self.keep_alive(r, mode, "")?,
            },
        })
    }

    fn long_poll(
        &mut self,
        timeout_secs: u32,
        on_timeout: Option<&Spanned<OnTimeout>>,
    ) -> Option<ModeDef> {
        let default = OnTimeout {
            status: None,
            content_type: None,
            body: None,
        };
        let t = on_timeout.map_or(&default, Spanned::get_ref);
        let status = match &t.status {
            None => DEFAULT_STATUS,
            Some(s) if FINAL_STATUS.contains(s.get_ref()) => *s.get_ref() as u16,
            Some(s) => {
                self.reporter.error(
                    &s.span(),
                    format!("status {} is not a final HTTP status", s.get_ref()),
                    format!(
                        "write a status from {} to {}, e.g. status = {DEFAULT_STATUS}",
                        FINAL_STATUS.start(),
                        FINAL_STATUS.end()
                    ),
                );
                return None;
            }
        };
        let body = t.body.as_ref().map_or("", |b| b.get_ref()).to_owned();
        if matches!(status, 204 | 304) && !body.is_empty() {
            let span = t.body.as_ref().map_or(0..0, Spanned::span);
            self.reporter.error(
                &span,
                format!("a {status} response has no body"),
                "remove `body`, or choose another status such as 200",
            );
            return None;
        }
        Some(ModeDef::LongPoll {
            timeout_secs,
            on_timeout_status: status,
            on_timeout_content_type: self.header_value(t.content_type.as_ref(), "text/plain")?,
            on_timeout_body: body,
        })
    }

    fn header_value(&mut self, value: Option<&Spanned<String>>, default: &str) -> Option<String> {
        let Some(value) = value else {
            return Some(default.to_owned());
        };
        let text = value.get_ref();
        if text.is_empty() || text.chars().any(|c| c.is_control() || !c.is_ascii()) {
            self.reporter.error(
                &value.span(),
                "content_type must be a non-empty header value of printable ASCII",
                "write e.g. content_type = \"text/plain; charset=utf-8\"",
            );
            return None;
        }
        Some(text.clone())
    }

    pub(crate) fn seconds(
        &mut self,
        value: Option<&Spanned<i64>>,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
        default: u32,
        why: &str,
    ) -> Option<u32> {
        let Some(value) = value else {
            return Some(default);
        };
        let secs = *value.get_ref();
        if !range.contains(&secs) {
            self.reporter.error(
                &value.span(),
                format!(
                    "{key} = {secs} is out of range: it must be {} to {} seconds",
                    range.start(),
                    range.end()
                ),
                format!("{why}; write e.g. {key} = {default}"),
            );
            return None;
        }
        Some(secs as u32)
    }

    /// Options that belong to another action or mode contradict this route.
    fn reject_options_for(&mut self, r: &RouteEntry, action: &str, mode: &str) {
        use ModeKind::{LongPoll, Sse, Stream, WsEcho};
        /// A key, where it is written, and the modes it applies to.
        type KeyOwners<'k> = (&'k str, Option<Range<usize>>, &'k [ModeKind]);
        let options: [KeyOwners; 6] = [
            (
                "content_type",
                r.content_type.as_ref().map(Spanned::span),
                &[Stream],
            ),
            (
                "initial_body",
                r.initial_body.as_ref().map(Spanned::span),
                &[Stream, Sse],
            ),
            (
                "keep_alive",
                r.keep_alive.as_ref().map(Spanned::span),
                &[Stream, Sse, WsEcho],
            ),
            ("reliable", crate::hold::reliable_span(r), &[Stream, Sse]),
            (
                "timeout",
                r.timeout.as_ref().map(Spanned::span),
                &[LongPoll],
            ),
            (
                "on_timeout",
                r.on_timeout.as_ref().map(Spanned::span),
                &[LongPoll],
            ),
        ];
        for (key, span, owners) in options {
            let Some(span) = span else { continue };
            if action == "answer" && owners.iter().any(|owner| owner.name() == mode) {
                continue;
            }
            let names: Vec<String> = owners.iter().map(|o| format!("\"{}\"", o.name())).collect();
            let owner = match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => names.join(""),
            };
            let this = if action == "answer" {
                format!("answer = \"{mode}\"")
            } else {
                format!("a `{action}` route")
            };
            self.reporter.error(
                &span,
                format!("`{key}` applies to answer = {owner} only, not to {this}"),
                format!("remove `{key}`"),
            );
        }
    }

    fn channels(
        &mut self,
        r: &RouteEntry,
        header: &Range<usize>,
        action: Option<&ActionDef>,
        params: &[&str],
    ) -> Vec<Vec<crate::model::Piece>> {
        // Without a valid action the route is already reported; its channels cannot be judged.
        let Some(action) = action else {
            return Vec::new();
        };
        let answers = matches!(action, ActionDef::Answer(_));
        let Some(list) = &r.channels else {
            if answers {
                self.reporter.error(
                    header,
                    "an answer route needs `channels`",
                    "add channels = [\"test\"]; publish to that channel to reach its clients",
                );
            }
            return Vec::new();
        };
        if !answers {
            self.reporter.error(
                &list.span(),
                "`channels` applies to answer routes only",
                "remove it: behind a fanout or direct route the origin names its channels \
                 in its own Grip-Channel header",
            );
            return Vec::new();
        }
        let names = list.get_ref();
        if names.is_empty() {
            self.reporter.error(
                &list.span(),
                "empty `channels` list",
                "add channels = [\"test\"]",
            );
        }
        if names.len() > MAX_CHANNELS {
            self.reporter.error(
                &names[MAX_CHANNELS].span(),
                format!("{} channels, more than {MAX_CHANNELS}", names.len()),
                format!(
                    "Fanout ignores subscriptions past {MAX_CHANNELS} per connection: use fewer \
                     channels"
                ),
            );
        }
        let repeated = self.repeats(names, "channel", str::eq);
        let mut templates = Vec::new();
        for (name, repeated) in names.iter().zip(repeated) {
            if repeated {
                continue;
            }
            match channel::parse(name.get_ref(), params) {
                Ok(pieces) => templates.push(pieces),
                Err(e) => {
                    let at = self.inside(name, e.offset);
                    self.reporter.error(&(at..at), e.message, e.help);
                }
            }
        }
        templates
    }

    /// Reports each item of `list` that repeats an earlier one (`same` compares them);
    /// returns which did.
    pub(crate) fn repeats(
        &mut self,
        list: &[Spanned<String>],
        what: &str,
        same: fn(&str, &str) -> bool,
    ) -> Vec<bool> {
        let mut repeated = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let first = list[..i].iter().find(|n| same(n.get_ref(), item.get_ref()));
            if let Some(first) = first {
                self.reporter.conflict(
                    &item.span(),
                    "listed again here",
                    format!("{what} {:?} is listed twice", item.get_ref()),
                    &first.span(),
                    "first listed here",
                    format!("list each {what} once"),
                );
            }
            repeated.push(first.is_some());
        }
        repeated
    }

    /// The source offset of byte `index` of a string value, when the string is written
    /// without escapes; otherwise the start of the value.
    pub(crate) fn inside(&self, value: &Spanned<String>, index: usize) -> usize {
        let span = value.span();
        let raw = &self.source.text[span.clone()];
        let unescaped = raw.len() == value.get_ref().len() + 2 && !raw.starts_with("\"\"\"");
        if unescaped && raw[1..raw.len() - 1] == **value.get_ref() {
            span.start + 1 + index
        } else {
            span.start
        }
    }
}
