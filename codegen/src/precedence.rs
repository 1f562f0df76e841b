//! The precedence rules, in one place: which of several matching routes handles a request.
//!
//! 1. A `path` route beats any `prefix` route.
//! 2. Among prefixes, the one with more segments wins.
//! 3. Then, comparing segments left to right, a literal segment beats a parameter.
//! 4. On the same pattern, a route with conditions on the kind of request (`websocket`,
//!    `accept`, `headers`, `query`) that the request meets beats one without.
//! 5. On the same pattern, a route that lists the request's method beats one without
//!    `methods`.
//!
//! Before all of them, the host selects ([`HostRank`]): a route that lists the request's
//! host exactly beats one that admits it by a wildcard, a longer wildcard beats a shorter
//! one, and any of them beats a route without `hosts`. A request that no route of its host
//! matches falls to the routes of the next rank.
//!
//! Routes that tie on all of them match the same requests; validation rejects them, and
//! rejects two routes with conditions on one pattern that one request can meet both.
//! [`Rank`] orders routes by these rules (validation sorts the table by it, and the
//! reference lookup picks by it); [`deciding_rule`] names the one that decided.

use std::cmp::Reverse;
use std::fmt;

use crate::model::{Pattern, RouteDef, Segment, Table};
use fanout_router_core::method::Methods;
use fanout_router_core::route::{self, PatternKind, RequestKey};

/// A route's place in precedence order: the smaller rank wins. Its fields are the rules,
/// compared in their order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rank {
    /// Rule 1: a `path` route (`false`) before a `prefix` route.
    prefix: bool,
    /// Rule 2: among prefixes, more segments first; the same for every `path` route.
    segments: Reverse<usize>,
    /// Rule 3: segment by segment, a literal (`false`) before a parameter.
    params: Vec<bool>,
    /// Rule 4: a route with conditions (`false`) before one without.
    unconditioned: bool,
    /// Rule 5: a route that lists methods (`false`) before one without.
    any_method: bool,
}

/// How a route's `hosts` admit a request's host: the smaller wins, before any [`Rank`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HostRank {
    /// The route lists the host.
    Exact,
    /// A wildcard admits it; the longer suffix (in bytes) first.
    Wildcard(Reverse<usize>),
    /// The route has no `hosts`.
    Any,
}

impl HostRank {
    /// How `route` admits `host` (in normal form), or `None` if its `hosts` do not.
    pub fn of(route: &RouteDef, host: &str) -> Option<HostRank> {
        if route.hosts.is_empty() {
            return Some(HostRank::Any);
        }
        route
            .hosts
            .iter()
            .filter_map(|pattern| match pattern.strip_prefix('*') {
                None => (pattern == host).then_some(HostRank::Exact),
                Some(suffix) => (host.len() > suffix.len() && host.ends_with(suffix))
                    .then_some(HostRank::Wildcard(Reverse(suffix.len()))),
            })
            .min()
    }

    /// Why a route admitting the host so beats one admitting it as `other` does.
    pub fn explain(&self, other: &HostRank) -> Option<&'static str> {
        (self < other).then_some(match (self, other) {
            (HostRank::Exact, _) => "a route that lists the host beats one that does not",
            (HostRank::Wildcard(_), HostRank::Wildcard(_)) => "the longer host wildcard wins",
            _ => "a route limited to the host by a wildcard beats one without `hosts`",
        })
    }
}

impl Rank {
    pub fn of(route: &RouteDef) -> Rank {
        let pattern = &route.pattern;
        let prefix = pattern.kind == PatternKind::Prefix;
        Rank {
            prefix,
            segments: Reverse(if prefix { pattern.segments.len() } else { 0 }),
            params: pattern
                .segments
                .iter()
                .map(|s| matches!(s, Segment::Param(_)))
                .collect(),
            unconditioned: route.when.is_none(),
            any_method: route.methods.is_any(),
        }
    }
}

/// The rule by which one route beat another that matches the same request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    PathBeatsPrefix,
    LongerPrefix {
        segments: usize,
        other: usize,
    },
    LiteralBeatsParameter {
        /// From 1.
        segment: usize,
        literal: String,
        param: String,
    },
    Conditions(String),
    ListedMethod,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::PathBeatsPrefix => f.write_str("a `path` route beats any `prefix` route"),
            Rule::LongerPrefix { segments, other } => write!(
                f,
                "the longer prefix wins ({segments} segments against {other})"
            ),
            Rule::LiteralBeatsParameter {
                segment,
                literal,
                param,
            } => write!(
                f,
                "a literal segment beats a parameter: segment {segment} is `{literal}` here, \
                 `{{{param}}}` there"
            ),
            Rule::Conditions(conditions) => write!(
                f,
                "on the same pattern, a route with conditions the request meets ({conditions}) \
                 beats one without"
            ),
            Rule::ListedMethod => f.write_str(
                "on the same pattern, a route that lists the method beats one without `methods`",
            ),
        }
    }
}

/// Why `winner` beats `other` when both match a request: the first rule on which their
/// ranks differ, or `None` if that rule ranks `other` first or none tells them apart.
pub fn deciding_rule(winner: &RouteDef, other: &RouteDef) -> Option<Rule> {
    let (w, o) = (Rank::of(winner), Rank::of(other));
    if w.prefix != o.prefix {
        return (w < o).then_some(Rule::PathBeatsPrefix);
    }
    if w.segments != o.segments {
        return (w < o).then_some(Rule::LongerPrefix {
            segments: w.segments.0,
            other: o.segments.0,
        });
    }
    if let Some(index) =
        (0..w.params.len().min(o.params.len())).find(|&i| w.params[i] != o.params[i])
    {
        let (Segment::Literal(literal), Segment::Param(param)) = (
            &winner.pattern.segments[index],
            &other.pattern.segments[index],
        ) else {
            return None;
        };
        return Some(Rule::LiteralBeatsParameter {
            segment: index + 1,
            literal: literal.clone(),
            param: param.clone(),
        });
    }
    if w.params != o.params {
        // Paths of different lengths: never both match one request.
        return None;
    }
    if w.unconditioned != o.unconditioned {
        return (w < o).then(|| Rule::Conditions(winner.when.describe()));
    }
    (w < o).then_some(Rule::ListedMethod)
}

/// Whether `request` meets the conditions of `route`: the plain definition that the
/// generated checks must agree with.
pub fn meets(route: &RouteDef, request: &RequestKey) -> bool {
    let when = &route.when;
    let header = |name: &str| request.headers.get(name);
    when.websocket
        .is_none_or(|ws| route::is_websocket_upgrade(request.headers) == ws)
        && when.accept.as_ref().is_none_or(|media| {
            header("accept").is_some_and(|accept| route::accepts(accept, media))
        })
        && when
            .headers
            .iter()
            .all(|(name, value)| match (header(name), value) {
                (Some(_), None) => true,
                (Some(found), Some(value)) => found.trim_ascii() == value.as_bytes(),
                (None, _) => false,
            })
        && when.query.iter().all(|name| {
            request.query.is_some_and(|query| {
                query
                    .split('&')
                    .any(|pair| pair.split('=').next() == Some(name.as_str()))
            })
        })
}

/// Whether `pattern` matches `path`, ignoring methods: the plain definition that the
/// generated lookup must agree with.
pub fn matches(pattern: &Pattern, path: &str) -> bool {
    let Some(segments) = path_segments(path) else {
        return false;
    };
    let fits = match pattern.kind {
        PatternKind::Exact => segments.len() == pattern.segments.len(),
        PatternKind::Prefix => segments.len() >= pattern.segments.len(),
    };
    fits && pattern
        .segments
        .iter()
        .zip(&segments)
        .all(|(p, s)| match p {
            Segment::Literal(text) => text == s,
            Segment::Param(_) => !s.is_empty(),
        })
}

/// `/` has no segments; `/a/` has two, the second empty.
pub fn path_segments(path: &str) -> Option<Vec<&str>> {
    let rest = path.strip_prefix('/')?;
    Some(if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('/').collect()
    })
}

/// The route that handles a request by the rules above, as an index into `table.routes`:
/// a plain scan that the generated lookup is tested against.
pub fn reference_lookup(table: &Table, request: &RequestKey) -> Option<usize> {
    let method = Methods::of(request.method);
    table
        .routes
        .iter()
        .enumerate()
        .filter(|(_, route)| {
            route.methods.intersects(method)
                && matches(&route.pattern, request.path)
                && meets(route, request)
        })
        .filter_map(|(index, route)| Some((HostRank::of(route, request.host)?, index, route)))
        .min_by_key(|(host, _, route)| (host.clone(), Rank::of(route)))
        .map(|(_, index, _)| index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern;

    fn pattern(text: &str, kind: PatternKind) -> Pattern {
        pattern::parse(text, kind).unwrap()
    }

    /// The documented path policy, on the path the platform hands the app.
    #[test]
    fn path_policy() {
        let exact = pattern("/rooms/{room}", PatternKind::Exact);
        let prefix = pattern("/api", PatternKind::Prefix);
        let cases = [
            (&exact, "/rooms/lobby", true),
            // An exact route does not match a trailing slash; a prefix route does.
            (&exact, "/rooms/lobby/", false),
            (&prefix, "/api/", true),
            (&prefix, "/api", true),
            (&prefix, "/api/v1/x", true),
            // Prefixes respect segment boundaries.
            (&prefix, "/apix", false),
            // An empty segment never fills a parameter, and `//` is not `/`.
            (&exact, "/rooms//", false),
            (&exact, "//rooms/lobby", false),
            (&prefix, "//api", false),
            // Case-sensitive, and escapes are not decoded: `%2F` stays inside one segment.
            (&prefix, "/API", false),
            (&exact, "/rooms/a%2Fb", true),
            (&prefix, "/%61pi", false),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(
                matches(pattern, path),
                expected,
                "{} vs {path}",
                pattern.text
            );
        }
    }

    fn route_with(hosts: &[&str], when: crate::model::ConditionsDef) -> RouteDef {
        RouteDef {
            pattern: pattern("/", PatternKind::Prefix),
            methods: Methods::ANY,
            action: crate::model::ActionDef::Direct("origin".into()),
            channels: Vec::new(),
            auth: None,
            cors: None,
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            when,
            rewrite: None,
            request_headers: Default::default(),
            line: 1,
        }
    }

    /// Exact beats wildcard, a longer wildcard beats a shorter, any wildcard beats none.
    #[test]
    fn the_host_ranks_before_the_path() {
        let both = route_with(&["api.example.com", "*.example.com"], Default::default());
        assert_eq!(
            HostRank::of(&both, "api.example.com"),
            Some(HostRank::Exact)
        );
        let wild = HostRank::of(&both, "x.example.com").unwrap();
        let nested = route_with(&["*.eu.example.com"], Default::default());
        let longer = HostRank::of(&nested, "x.eu.example.com").unwrap();
        assert!(HostRank::Exact < longer && longer < wild && wild < HostRank::Any);
        assert_eq!(HostRank::of(&nested, "eu.example.com"), None);
        assert_eq!(
            HostRank::of(&route_with(&[], Default::default()), "x"),
            Some(HostRank::Any)
        );
    }

    /// Conditions exclude each other only by `websocket` or two values of one header.
    #[test]
    fn conditions_that_can_both_hold() {
        use crate::model::ConditionsDef;
        let ws = |w| ConditionsDef {
            websocket: Some(w),
            ..Default::default()
        };
        let header = |v: Option<&str>| ConditionsDef {
            headers: vec![("x-a".into(), v.map(str::to_owned))],
            ..Default::default()
        };
        let sse = ConditionsDef {
            accept: Some("text/event-stream".into()),
            ..Default::default()
        };
        assert!(!ws(true).can_both_hold(&ws(false)));
        assert!(ws(true).can_both_hold(&sse));
        assert!(!header(Some("1")).can_both_hold(&header(Some("2"))));
        assert!(header(Some("1")).can_both_hold(&header(None)));
        assert!(header(Some("1")).can_both_hold(&sse));
        // A route with conditions ranks before one without on the same pattern.
        let with = Rank::of(&route_with(&[], sse.clone()));
        let without = Rank::of(&route_with(&[], Default::default()));
        assert!(with < without);
    }
}
