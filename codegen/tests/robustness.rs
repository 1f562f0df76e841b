//! Whatever routes.toml holds, validation answers with a result or located errors, never a
//! panic: truncations, byte changes and splices of a file that uses every key.

use fanout_router_codegen::model::Table;
use fanout_router_codegen::{Diagnostic, Input, Source};

const EVERY_KEY: &str = r#"
[[route]]
path = "/rooms/{room}/events"
methods = ["GET", "HEAD"]
answer = "long-poll"
channels = ["room-{room}", "all"]
timeout = 30
on_timeout = { status = 204, content_type = "text/plain", body = "" }

[[route]]
path = "/s/{a}/{b}"
answer = "stream"
channels = ["x-{a}-{b}"]
content_type = "text/plain; charset=utf-8"
initial_body = 'hello'

[[route]]
prefix = "/"
answer = "sse"
keep_alive = 20
channels = ['test']

[[route]]
prefix = "/api"
direct = "origin"

[[route]]
path = "/ws"
answer = "ws-echo"
channels = ["test"]
"#;

const FASTLY: &str = "[local_server.backends.origin]\nurl = \"http://127.0.0.1:8000/\"\n\
                      [setup.backends.self]\naddress = \"example.com\"\n";

/// Fragments that steer mutations into interesting corners of the grammar.
const SPLICES: &[&str] = &[
    "{",
    "}",
    "{x}",
    "/",
    "//",
    "..",
    "\"",
    "'",
    "[",
    "]",
    ",",
    ";",
    "=",
    "\n",
    "#",
    "?",
    "é",
    "\u{0}",
    "\\u0000",
    "[[route]]\n",
    "-1",
    "99999999999999999999",
    "path",
    "prefix",
    "answer",
    "\"\"\"",
    "channels = []",
    "methods = [\"get\"]",
];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn table(text: &str) -> Result<Table, Vec<Diagnostic>> {
    let input = Input {
        routes: Source::new("routes.toml", text),
        fastly: Source::new("fastly.toml", FASTLY),
    };
    input.table()
}

fn check(text: &str) {
    if let Err(diagnostics) = table(text) {
        assert!(!diagnostics.is_empty());
        for d in diagnostics {
            assert!(d.location.line >= 1 && d.location.column >= 1, "{d}");
        }
    }
}

#[test]
fn the_sample_is_valid() {
    table(EVERY_KEY).unwrap_or_else(|d| panic!("{d:#?}"));
}

#[test]
fn every_truncation_is_answered() {
    for end in (0..=EVERY_KEY.len()).filter(|i| EVERY_KEY.is_char_boundary(*i)) {
        check(&EVERY_KEY[..end]);
    }
}

#[test]
fn random_mutations_are_answered() {
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    for _ in 0..20_000 {
        let mut text = EVERY_KEY.to_owned();
        for _ in 0..1 + rng.below(4) {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(3) {
                0 => text.insert_str(at, SPLICES[rng.below(SPLICES.len())]),
                1 => {
                    let mut end = (at + 1 + rng.below(8)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
                _ => {
                    let byte = (b' ' + rng.below(95) as u8) as char;
                    text.insert(at, byte);
                }
            }
        }
        check(&text);
    }
}
