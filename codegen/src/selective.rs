//! The keys that make a route selective about what it takes (`hosts`, `websocket`,
//! `accept`, `headers`, `query`) and that change what its backend receives (`rewrite`,
//! `request_headers`).

use std::collections::BTreeMap;
use std::ops::Range;

use fanout_router_core::forwarding;
use fanout_router_core::path;
use fanout_router_core::route::PatternKind;
use toml::Spanned;

use crate::config::{HeaderMatch, RequestHeadersEntry, RewriteEntry, RouteEntry};
use crate::model::{ActionDef, ConditionsDef, Pattern, RequestHeadersDef, RouteDef};
use crate::validate::Checker;

/// The selective keys of one route, validated.
#[derive(Default)]
pub(crate) struct Selective {
    pub hosts: Vec<String>,
    pub when: ConditionsDef,
    pub rewrite: Option<String>,
    pub request_headers: RequestHeadersDef,
}

/// Headers that the platform or the connection owns, which a route may not set or remove.
const HOP_BY_HOP: [&str; 9] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "trailer",
    "keep-alive",
    "proxy-connection",
];

/// Whether `name` is an HTTP token (RFC 9110 section 5.6.2).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether `host` is a DNS name or an IPv4 address, in lower case: labels of letters,
/// digits and `-`, none empty.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether two routes can be asked for by one host at the same rank: both take any host,
/// or both list one same name or wildcard.
pub(crate) fn hosts_overlap(a: &RouteDef, b: &RouteDef) -> bool {
    (a.hosts.is_empty() && b.hosts.is_empty()) || a.hosts.iter().any(|h| b.hosts.contains(h))
}

impl Checker<'_, '_> {
    pub(crate) fn selective(
        &mut self,
        r: &RouteEntry,
        pattern: Option<&Pattern>,
        action: Option<&ActionDef>,
    ) -> Selective {
        Selective {
            hosts: r
                .hosts
                .as_ref()
                .map_or_else(Vec::new, |list| self.hosts(list)),
            when: self.conditions(r),
            rewrite: r
                .rewrite
                .as_ref()
                .and_then(|rewrite| self.rewrite(rewrite, pattern, action)),
            request_headers: r
                .request_headers
                .as_ref()
                .map(|entry| self.request_headers(entry, action))
                .unwrap_or_default(),
        }
    }

    fn hosts(&mut self, list: &Spanned<Vec<Spanned<String>>>) -> Vec<String> {
        if list.get_ref().is_empty() {
            self.reporter.error(
                &list.span(),
                "empty `hosts` list",
                "remove `hosts` to take every host, or list names such as \"api.example.com\"",
            );
        }
        let repeated = self.repeats(list.get_ref(), "host", |a, b| a.eq_ignore_ascii_case(b));
        let mut hosts = Vec::new();
        for (host, repeated) in list.get_ref().iter().zip(repeated) {
            let written = host.get_ref();
            let lower = written.to_ascii_lowercase();
            let name = lower.strip_prefix("*.").unwrap_or(&lower);
            let (message, help) = if written == "*" {
                (
                    "`*` is every host".to_owned(),
                    "remove `hosts` to take every host".to_owned(),
                )
            } else if let Some((bare, _)) = name.rsplit_once(':') {
                (
                    format!("host {written:?} has a port, and ports are ignored"),
                    format!("write {:?}", lower.split(':').next().unwrap_or(bare)),
                )
            } else if name.ends_with('.') && name.len() > 1 {
                (
                    format!("host {written:?} ends with a dot"),
                    format!(
                        "write {:?}: a trailing dot is ignored",
                        lower.trim_end_matches('.')
                    ),
                )
            } else if name.contains('*') {
                (
                    format!("host {written:?} has a `*` other than a leading `*.`"),
                    "a wildcard is written \"*.example.com\" and matches any name ending in \
                     .example.com"
                        .to_owned(),
                )
            } else if !is_host_name(name) {
                (
                    format!("host {written:?} is not a host name"),
                    "write a name such as \"api.example.com\", or \"*.example.com\" for every \
                     name below example.com"
                        .to_owned(),
                )
            } else {
                if !repeated {
                    hosts.push(lower);
                }
                continue;
            };
            self.reporter.error(&host.span(), message, help);
        }
        hosts.sort();
        hosts
    }

    fn conditions(&mut self, r: &RouteEntry) -> ConditionsDef {
        let mut when = ConditionsDef {
            websocket: r.websocket.as_ref().map(|w| *w.get_ref()),
            ..ConditionsDef::default()
        };
        if let Some(accept) = &r.accept {
            let media = accept.get_ref().to_ascii_lowercase();
            let valid = media
                .split_once('/')
                .is_some_and(|(kind, sub)| is_token(kind) && is_token(sub) && !media.contains('*'));
            if valid {
                when.accept = Some(media);
            } else {
                self.reporter.error(
                    &accept.span(),
                    format!("`accept` {:?} is not a media type", accept.get_ref()),
                    "write one media type without parameters or wildcards, such as \
                     accept = \"text/event-stream\"",
                );
            }
        }
        if let Some(headers) = &r.headers {
            if headers.get_ref().is_empty() {
                self.reporter.error(
                    &headers.span(),
                    "empty `headers` table",
                    "remove it, or name a header: headers = { \"x-stream\" = true }",
                );
            }
            for (name, value) in headers.get_ref() {
                let Some(lower) = self.header_name(name, "header condition") else {
                    continue;
                };
                match value.get_ref() {
                    HeaderMatch::Present(true) => when.headers.push((lower, None)),
                    HeaderMatch::Present(false) => self.reporter.error(
                        &value.span(),
                        "a header condition is `true` (present) or the value it must equal",
                        "a route cannot ask for a header to be absent: give the route for \
                         requests with the header the condition, and leave the other without",
                    ),
                    HeaderMatch::Equals(expected) => {
                        if header_value_ok(expected) {
                            when.headers.push((lower, Some(expected.clone())));
                        } else {
                            self.bad_header_value(&value.span());
                        }
                    }
                }
            }
        }
        if let Some(query) = &r.query {
            if query.get_ref().is_empty() {
                self.reporter.error(
                    &query.span(),
                    "empty `query` list",
                    "remove it, or name a parameter: query = [\"live\"]",
                );
            }
            let repeated = self.repeats(query.get_ref(), "query parameter", str::eq);
            for (name, repeated) in query.get_ref().iter().zip(repeated) {
                let text = name.get_ref();
                let normal = path::Target::normalise("/", Some(text))
                    .ok()
                    .and_then(|t| t.query);
                if text.is_empty()
                    || text.contains(['=', '&', '#'])
                    || normal.as_ref() != Some(text)
                {
                    self.reporter.error(
                        &name.span(),
                        format!("query parameter {text:?} is not a parameter name"),
                        "write the name alone, as it appears before `=` in the query, with \
                         escapes in upper case: query = [\"live\"]",
                    );
                } else if !repeated {
                    when.query.push(text.clone());
                }
            }
            when.query.sort();
        }
        when
    }

    /// A header name as routes.toml gives it, in lower case, unless the app or the platform
    /// owns it (then reported).
    fn header_name(&mut self, name: &Spanned<String>, what: &str) -> Option<String> {
        let lower = name.get_ref().to_ascii_lowercase();
        let fail = |message: String, help: &str| Some((message, help.to_owned()));
        let problem = if !is_token(&lower) {
            fail(
                format!("{:?} is not a header name", name.get_ref()),
                "a header name is letters, digits and !#$%&'*+-.^_`|~, such as \"x-env\"",
            )
        } else if what == "header condition" && lower == "host" {
            fail(
                "a route matches the host with `hosts`, not a header condition".to_owned(),
                "write hosts = [\"api.example.com\"]",
            )
        } else if what == "header condition" && lower == "upgrade" {
            fail(
                "a route matches a WebSocket upgrade with `websocket`, not a header condition"
                    .to_owned(),
                "write websocket = true",
            )
        } else if what != "header condition"
            && (forwarding::removed(&lower, false) || HOP_BY_HOP.contains(&lower.as_str()))
        {
            fail(
                format!("the app or the platform sets {:?} itself", name.get_ref()),
                "the forwarding headers (Forwarded, X-Forwarded-*, Fastly-Client-IP, ...), \
                 Grip-* and the connection's own headers are not a route's to change; name \
                 another header",
            )
        } else if lower.starts_with("grip-") {
            fail(
                format!(
                    "{:?} is a GRIP header, which only Fanout sends",
                    name.get_ref()
                ),
                "name another header",
            )
        } else {
            None
        };
        match problem {
            Some((message, help)) => {
                self.reporter.error(&name.span(), message, help);
                None
            }
            None => Some(lower),
        }
    }

    fn bad_header_value(&mut self, span: &Range<usize>) {
        self.reporter.error(
            span,
            "a header value is printable ASCII, without line breaks or spaces at its ends",
            "write the value as the header carries it, such as \"edge\"",
        );
    }

    fn rewrite(
        &mut self,
        rewrite: &Spanned<RewriteEntry>,
        pattern: Option<&Pattern>,
        action: Option<&ActionDef>,
    ) -> Option<String> {
        let Some(prefix) = &rewrite.get_ref().prefix else {
            self.reporter.error(
                &rewrite.span(),
                "`rewrite` without `prefix`",
                "write rewrite = { prefix = \"/v2\" } to replace the route's prefix with /v2",
            );
            return None;
        };
        if let Some(ActionDef::Answer(_)) = action {
            self.reporter.error(
                &rewrite.span(),
                "`rewrite` applies to `fanout` and `direct` routes, not to an answer route",
                "remove `rewrite`: the app answers this route itself",
            );
            return None;
        }
        if pattern.is_some_and(|p| p.kind == PatternKind::Exact) {
            self.reporter.error(
                &rewrite.span(),
                "`rewrite = { prefix }` replaces the matched prefix, and this is a `path` route",
                "write the route with `prefix` instead of `path`, or remove `rewrite`",
            );
            return None;
        }
        let text = prefix.get_ref();
        let normal = path::normalise(text).ok();
        if normal.as_deref() != Some(text.as_str())
            || (text.len() > 1 && text.ends_with('/'))
            || text.contains(['?', '#', '{', '}'])
        {
            let help = match normal {
                Some(normal) if normal != *text && !text.contains(['?', '#']) => {
                    format!("write {:?}, its normal form", normal.trim_end_matches('/'))
                }
                _ => "write a path in normal form without a trailing `/`, query or \
                      parameters, such as \"/v2\""
                    .to_owned(),
            };
            self.reporter.error(
                &prefix.span(),
                format!("rewrite prefix {text:?} would send paths that are not in normal form"),
                help,
            );
            return None;
        }
        Some(text.clone())
    }

    fn request_headers(
        &mut self,
        entry: &Spanned<RequestHeadersEntry>,
        action: Option<&ActionDef>,
    ) -> RequestHeadersDef {
        let mut def = RequestHeadersDef::default();
        if let Some(ActionDef::Answer(_)) = action {
            self.reporter.error(
                &entry.span(),
                "`request_headers` applies to `fanout` and `direct` routes, not to an answer \
                 route",
                "remove `request_headers`: no backend receives this route's requests",
            );
            return def;
        }
        let mut added: BTreeMap<String, Range<usize>> = BTreeMap::new();
        if let Some(add) = &entry.get_ref().add {
            for (name, value) in add.get_ref() {
                let Some(lower) = self.header_name(name, "request header") else {
                    continue;
                };
                if !header_value_ok(value.get_ref()) {
                    self.bad_header_value(&value.span());
                    continue;
                }
                if let Some(first) = added.get(&lower) {
                    self.reporter.conflict(
                        &name.span(),
                        "added again here",
                        format!("header {lower:?} is added twice"),
                        first,
                        "first added here",
                        "add each header once",
                    );
                    continue;
                }
                added.insert(lower.clone(), name.span());
                def.add.push((lower, value.get_ref().clone()));
            }
        }
        if let Some(remove) = &entry.get_ref().remove {
            let repeated =
                self.repeats(remove.get_ref(), "header", |a, b| a.eq_ignore_ascii_case(b));
            for (name, repeated) in remove.get_ref().iter().zip(repeated) {
                let Some(lower) = self.header_name(name, "request header") else {
                    continue;
                };
                if let Some(first) = added.get(&lower) {
                    self.reporter.conflict(
                        &name.span(),
                        "removed here",
                        format!("header {lower:?} is both added and removed"),
                        first,
                        "added here",
                        "an added header replaces the client's: remove it from `remove`",
                    );
                } else if !repeated {
                    def.remove.push(lower);
                }
            }
        }
        def
    }
}

/// Printable ASCII and spaces, no space at either end.
fn header_value_ok(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic())
        && value.trim() == value
}

/// Two routes with conditions on one pattern, for one host and method, that one request can
/// meet both: no rule could choose between them.
pub(crate) fn report_condition_overlaps(
    reporter: &mut crate::diagnostic::Reporter,
    defs: &[(RouteDef, Range<usize>)],
) {
    for (i, (route, span)) in defs.iter().enumerate() {
        let earlier = defs[..i].iter().find(|(other, _)| {
            !route.when.is_none()
                && !other.when.is_none()
                && route.pattern.same_shape(&other.pattern)
                && route.methods.intersects(other.methods)
                && hosts_overlap(route, other)
                && route.when.can_both_hold(&other.when)
        });
        if let Some((other, other_span)) = earlier {
            reporter.conflict(
                span,
                "this route",
                format!(
                    "one request can meet the conditions of this route ({}) and of the route on line {} ({}), on the same pattern",
                    route.when.describe(),
                    other.line,
                    other.when.describe()
                ),
                other_span,
                "the other route",
                "make the conditions exclude each other (websocket = true against websocket = false, or two values of one header), give the routes disjoint `methods` or `hosts`, or merge them",
            );
        }
    }
}
