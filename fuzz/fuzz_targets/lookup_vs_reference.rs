//! The lookup generated from `fuzz/routes.toml` against `precedence::reference_lookup` on
//! the same file: for any method, host, kind of request and path, both pick the same route (by its index, the same
//! in the table and in the generated `ROUTES`) with the same captured values.

#![no_main]

use std::sync::LazyLock;

use fanout_router_codegen::model::{Segment, Table};
use fanout_router_codegen::precedence::{path_segments, reference_lookup};
use fanout_router_codegen::{Input, Source};
use fanout_router_core::decision::Headers;
use fanout_router_core::route::{Match, RequestKey};
use libfuzzer_sys::fuzz_target;

#[allow(dead_code, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/routes.rs"));
}

/// A request method of every kind the lookup tells apart, and lookalikes.
const METHODS: [&str; 12] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "get", "PURGE",
    "",
];

/// Request hosts in normal form, near the routes' hosts and not.
const HOSTS: [&str; 6] = [
    "",
    "admin.example.com",
    "a.example.com",
    "a.eu.example.com",
    "example.com",
    "xadmin.example.com",
];

/// Kinds of request: the headers and the query the conditions read.
type Kind = (
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
);
const KINDS: [Kind; 6] = [
    (&[], None),
    (&[("upgrade", "websocket")], None),
    (&[("accept", "text/event-stream")], None),
    (&[("accept", "text/event-stream;q=0")], Some("live")),
    (&[("x-stream", "yes")], Some("a&live=1")),
    (
        &[("x-stream", "yes"), ("upgrade", "websocket")],
        Some("live"),
    ),
];

struct Pairs(&'static [(&'static str, &'static str)]);

impl Headers for Pairs {
    fn get(&self, name: &str) -> Option<&[u8]> {
        let found = self.0.iter().find(|(n, _)| *n == name);
        found.map(|(_, value)| value.as_bytes())
    }
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let input = Input {
        routes: Source::new("routes.toml", include_str!("../routes.toml")),
        fastly: Source::new("fastly.toml", include_str!("../../fastly.toml")),
    };
    input
        .table()
        .unwrap_or_else(|d| panic!("fuzz/routes.toml is refused: {d:?}"))
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, path)) = data.split_first() else {
        return;
    };
    let selector = usize::from(selector);
    let method = METHODS[selector % METHODS.len()];
    let host = HOSTS[selector / METHODS.len() % HOSTS.len()];
    let (headers, query) = KINDS[selector / 2 % KINDS.len()];
    let path = format!("/{}", String::from_utf8_lossy(path));
    let request = RequestKey {
        host,
        query,
        headers: &Pairs(headers),
        ..RequestKey::plain(method, &path)
    };

    let found = generated::lookup(&request).map(|route| {
        let m = Match::new(route, &path);
        let index = generated::ROUTES
            .iter()
            .position(|r| std::ptr::eq(*r, m.route))
            .expect("the lookup returns a route of ROUTES");
        let captures = (0..m.route.params.len())
            .map(|i| m.value(i))
            .collect();
        (index, m.route.pattern, captures)
    });
    assert_eq!(
        found,
        expected(&TABLE, &request),
        "{method} {host} {headers:?} {query:?} {path:?}"
    );
});

/// The reference's route (index and pattern) and the values its parameters capture.
fn expected<'a, 'p>(
    table: &'a Table,
    request: &RequestKey<'p>,
) -> Option<(usize, &'a str, Vec<&'p str>)> {
    let path = request.path;
    let index = reference_lookup(table, request)?;
    let route = &table.routes[index];
    let segments = path_segments(path).expect("the path starts with /");
    let captures = route
        .pattern
        .segments
        .iter()
        .zip(segments)
        .filter(|(s, _)| matches!(s, Segment::Param(_)))
        .map(|(_, value)| value)
        .collect();
    Some((index, route.pattern.text.as_str(), captures))
}
