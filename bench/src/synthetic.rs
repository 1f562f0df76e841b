//! Generated route sets of any size, and the paths the benchmarks look up in them.
//!
//! Deterministic (fixed seed per set). Patterns have 1 to 4 segments drawn from a vocabulary
//! of 40 words, so a trie node has up to 40 literal children whatever the set's size; the
//! paths are instances of randomly chosen routes. Shared by build.rs, which compiles the sets
//! into lookups, and by the build-time test.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use fastrand::Rng;

/// fastly.toml for generated route sets: the one backend they name.
pub const FASTLY: &str = "[local_server.backends.origin]\nurl = \"http://127.0.0.1:8000/\"\n";

/// Paths looked up per iteration in every generated set.
pub const PATHS: usize = 128;

const WORDS: [&str; 40] = [
    "users",
    "repos",
    "orders",
    "items",
    "events",
    "search",
    "teams",
    "orgs",
    "files",
    "comments",
    "labels",
    "hooks",
    "keys",
    "tags",
    "stats",
    "releases",
    "assets",
    "pulls",
    "issues",
    "commits",
    "branches",
    "members",
    "notifications",
    "feeds",
    "gists",
    "emails",
    "followers",
    "following",
    "starred",
    "subscriptions",
    "milestones",
    "trees",
    "blobs",
    "refs",
    "statuses",
    "downloads",
    "forks",
    "readme",
    "languages",
    "contributors",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `path` routes of literal segments only.
    Static,
    /// `prefix` routes of literal segments only.
    Prefix,
    /// `path` routes with one or more parameters.
    Param,
    /// A third each of the above.
    Mixed,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Static, Kind::Prefix, Kind::Param, Kind::Mixed];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Static => "static",
            Kind::Prefix => "prefix",
            Kind::Param => "param",
            Kind::Mixed => "mixed",
        }
    }
}

/// A generated route set.
pub struct Set {
    /// routes.toml text.
    pub toml: String,
    /// The same routes for matchit: a prefix becomes the bare path plus `/{*rest}`.
    pub matchit: Vec<String>,
    /// Paths to look up, each matched by some route.
    pub paths: Vec<String>,
}

/// One pattern segment: a word, or a parameter named after its position so that every
/// router accepts the set (matchit wants one name per position).
enum Seg {
    Word(&'static str),
    Param(usize),
}

struct Pattern {
    prefix: bool,
    segs: Vec<Seg>,
}

impl Pattern {
    fn text(&self) -> String {
        let mut text = String::new();
        for seg in &self.segs {
            match seg {
                Seg::Word(w) => write!(text, "/{w}").unwrap(),
                Seg::Param(i) => write!(text, "/{{s{i}}}").unwrap(),
            }
        }
        if text.is_empty() {
            text.push('/');
        }
        text
    }

    /// What makes two patterns match the same paths: kind and segments, parameters alike.
    fn shape(&self) -> String {
        let mut shape = String::from(if self.prefix { "prefix " } else { "path " });
        for seg in &self.segs {
            shape.push('/');
            shape.push_str(match seg {
                Seg::Word(w) => w,
                Seg::Param(_) => "{}",
            });
        }
        shape
    }

    /// A path this pattern matches: parameters get values, a prefix gets 0 to 2 more segments.
    fn instance(&self, rng: &mut Rng) -> String {
        let mut path = String::new();
        for seg in &self.segs {
            match seg {
                Seg::Word(w) => write!(path, "/{w}").unwrap(),
                Seg::Param(_) => write!(path, "/v{}", rng.u32(..1_000_000)).unwrap(),
            }
        }
        if self.prefix {
            for _ in 0..rng.usize(..3) {
                write!(path, "/{}", WORDS[rng.usize(..WORDS.len())]).unwrap();
            }
        }
        if path.is_empty() {
            path.push('/');
        }
        path
    }
}

fn random_pattern(rng: &mut Rng, kind: Kind) -> Pattern {
    let kind = match kind {
        Kind::Mixed => [Kind::Static, Kind::Prefix, Kind::Param][rng.usize(..3)],
        other => other,
    };
    let length = 1 + rng.usize(..4);
    let param_odds = match kind {
        Kind::Static | Kind::Prefix => 0,
        _ => 3,
    };
    let mut segs: Vec<Seg> = (0..length)
        .map(|i| {
            if param_odds > 0 && rng.usize(..param_odds) == 0 {
                Seg::Param(i)
            } else {
                Seg::Word(WORDS[rng.usize(..WORDS.len())])
            }
        })
        .collect();
    if kind == Kind::Param && !segs.iter().any(|s| matches!(s, Seg::Param(_))) {
        let i = rng.usize(..length);
        segs[i] = Seg::Param(i);
    }
    Pattern {
        prefix: kind == Kind::Prefix,
        segs,
    }
}

/// `count` distinct routes of `kind`, and [`PATHS`] paths that they match.
pub fn generate(kind: Kind, count: usize) -> Set {
    let mut rng = Rng::with_seed(0x5EED_0000_0000_0001 ^ ((count as u64) << 8) ^ kind as u64);
    let mut shapes = BTreeSet::new();
    let mut patterns = Vec::with_capacity(count);
    while patterns.len() < count {
        let pattern = random_pattern(&mut rng, kind);
        if shapes.insert(pattern.shape()) {
            patterns.push(pattern);
        }
    }
    let mut toml = String::with_capacity(count * 48);
    let mut matchit = Vec::with_capacity(count * 2);
    for pattern in &patterns {
        let text = pattern.text();
        let key = if pattern.prefix { "prefix" } else { "path" };
        writeln!(toml, "[[route]]\n{key} = \"{text}\"\nfanout = \"origin\"\n").unwrap();
        if pattern.prefix {
            let base = text.trim_end_matches('/');
            matchit.push(format!("{base}/{{*rest}}"));
        }
        matchit.push(text);
    }
    let paths = (0..PATHS)
        .map(|_| patterns[rng.usize(..count)].instance(&mut rng))
        .collect();
    Set {
        toml,
        matchit,
        paths,
    }
}

/// The host patterns of a set served on `count` hosts: `count - 1` exact names and one
/// wildcard.
pub fn host_patterns(count: usize) -> Vec<String> {
    (0..count.saturating_sub(1))
        .map(|i| format!("h{i}.example.com"))
        .chain(std::iter::once("*.tenants.example.com".to_owned()))
        .collect()
}

/// The host of the `i`th request to a set served on `patterns`: the patterns in turn, a
/// wildcard as a name under it (`t7.tenants.example.com`).
pub fn request_host(patterns: &[impl AsRef<str>], i: usize) -> String {
    let pattern = patterns[i % patterns.len()].as_ref();
    match pattern.strip_prefix('*') {
        Some(suffix) => format!("t{i}{suffix}"),
        None => pattern.to_owned(),
    }
}

/// `routes` (routes.toml text) with every route limited to `hosts`.
pub fn on_hosts(routes: &str, hosts: &[impl AsRef<str>]) -> String {
    let list: Vec<String> = hosts.iter().map(|h| format!("{:?}", h.as_ref())).collect();
    routes.replace(
        "[[route]]\n",
        &format!("[[route]]\nhosts = [{}]\n", list.join(", ")),
    )
}
