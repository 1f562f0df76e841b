//! The generated text of `fixtures/rich.toml`, a routes file that uses every feature of the
//! generator, is compared with `fixtures/rich.rs`, committed beside it: a change to the
//! generator shows in review as a diff of that file. After an intended change, rewrite it
//! with
//!
//! ```sh
//! UPDATE_FIXTURES=1 cargo test -p fanout-router-codegen --test fixtures
//! ```
//!
//! The same file shows that the reviewed copy changes only where the routing does: a
//! comment changes nothing, and one more route is a diff of that route's lines only.

use std::path::{Path, PathBuf};
use std::{env, fs};

use fanout_router_codegen::{Input, Source, generate};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(name: &str) -> String {
    fs::read_to_string(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The text `routes` generates against the fixtures' fastly.toml.
fn generated(routes: &str) -> String {
    let fastly = read("fastly.toml");
    let input = Input {
        routes: Source::new("rich.toml", routes),
        fastly: Source::new("fastly.toml", &fastly),
    };
    let table = input.table().unwrap_or_else(|diagnostics| {
        let sources = input.sources();
        let all: Vec<String> = diagnostics.iter().map(|d| d.render(&sources)).collect();
        panic!("the fixture is refused:\n{}", all.join("\n\n"))
    });
    generate(&table)
}

#[test]
fn the_rich_routes_generate_the_committed_text() {
    let code = generated(&read("rich.toml"));
    let expected_path = fixtures().join("rich.rs");
    if env::var_os("UPDATE_FIXTURES").is_some() {
        fanout_router_codegen::write_if_changed(&expected_path, &code).unwrap();
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_default();
    if code != expected {
        panic!(
            "tests/fixtures/rich.rs is not what the generator writes:\n{:#?}\n\
             If the change is intended, run \
             `UPDATE_FIXTURES=1 cargo test -p fanout-router-codegen --test fixtures` \
             and commit the result.",
            diff(&expected, &code)
        );
    }
}

#[test]
fn the_fixture_exercises_every_feature() {
    let code = generated(&read("rich.toml"));
    for part in [
        "fn any_host_exact_4_repos<'p>(",
        "fn host_admin_example_com<'p>(",
        "request.host.ends_with(\".eu.example.com\")",
        "PREFIX_EVENTS.when.holds(request)",
        "HeaderCondition {",
        "accept: Some(\"text/event-stream\")",
        "rewrite: Some(Rewrite {",
        "remove: &[\"cookie\"]",
        "seg[3].len()",
        ".as_bytes()[",
        "name: \"number\",\n            segment: 4,",
        "if method.intersects(",
        "Mode::LongPoll",
        "Mode::Sse",
        "Mode::Stream",
        "Mode::WsEcho",
        "Piece::Param(0)",
        "production: Some(PublicSigner",
        "local: Some(SharedKeySigner",
        "static AUTH_USERS_KEYS: [jwt::Key; 2]",
        "algorithm: &jwt::ES256",
        "algorithm: &jwt::RS256",
        "auth::TokenSource::Query(\"access_token\")",
        "auth::TokenSource::Cookie(\"session\")",
        "secret: Some(auth::StoredSecret",
        "algorithms: &[&jwt::ES256, &jwt::RS256]",
        "auth: Some(&AUTH_USERS_P0)",
        "auth: Some(&AUTH_USERS_P1)",
        "cors: Some(&CORS_FRONT_END)",
    ] {
        assert!(code.contains(part), "rich.rs has no {part:?}");
    }
}

#[test]
fn a_comment_leaves_the_generated_text_alone() {
    let routes = read("rich.toml");
    let commented = routes.replacen("[[route]]", "# A comment.\n\n[[route]]", 3);
    assert_eq!(generated(&commented), generated(&routes));
}

#[test]
fn one_more_route_is_a_diff_of_that_route_only() {
    let routes = read("rich.toml");
    let new_route =
        "[[route]]\npath = \"/repos/{owner}/{repo}/notifications\"\nfanout = \"origin\"\n\n";
    // Near the top of the file, so that every route below it moves down.
    let at = routes.find("[[route]]\npath = \"/rooms/lobby").unwrap();
    let added = format!("{}{new_route}{}", &routes[..at], &routes[at..]);
    let (before, after) = (generated(&routes), generated(&added));
    let hunks = diff(&before, &after);
    let shown = format!("{hunks:#?}");
    let name = "PATH_REPOS_OWNER_REPO_NOTIFICATIONS";
    let [count, entry, route, lookup] = &hunks[..] else {
        panic!("{} hunks, not 4:\n{shown}", hunks.len());
    };
    // The line that counts the routes, the route's entry in ROUTES, its static, and its
    // arm in the lookup: nothing else changes, nothing is removed.
    assert_eq!(
        (count.removed.as_slice(), count.added.as_slice()),
        (
            ["pub static ROUTES: [&Route; 39] = [".to_owned()].as_slice(),
            ["pub static ROUTES: [&Route; 40] = [".to_owned()].as_slice()
        ),
        "{shown}"
    );
    assert_eq!(entry.added, [format!("    &{name},")], "{shown}");
    let adds = |hunk: &Hunk, text: String| hunk.added.iter().any(|l| l.contains(&text));
    assert!(adds(route, format!("static {name}: Route")), "{shown}");
    assert!(adds(lookup, format!("return Some(&{name});")), "{shown}");
    for hunk in [entry, route, lookup] {
        assert!(hunk.removed.is_empty(), "{shown}");
    }
}

/// `FEATURES` names the code of a feature only when some route uses it: the catch-all
/// alone uses none, and a route set that adds a route using one gets that one alone.
#[test]
fn features_are_compiled_in_only_for_the_routes_that_use_them() {
    let catch_all = "[[route]]\nprefix = \"/\"\nfanout = \"origin\"\n";
    // Each feature: its field, the code it names, and a route that uses it.
    let uses = [
        (
            "authorize",
            "auth::Policy::authorize",
            "[auth.users]\nsecret = { store = \"fanout-router-auth\", key = \"users-hs256\" }\n\n\
             [[route]]\npath = \"/a\"\nfanout = \"origin\"\nauth = \"users\"\n",
        ),
        (
            "cors",
            "cors::CALLS",
            "[cors.web]\norigins = [\"https://app.example.com\"]\n\n\
             [[route]]\npath = \"/a\"\nfanout = \"origin\"\ncors = \"web\"\n",
        ),
        (
            "reliable",
            "reliable::CALLS",
            "[[route]]\npath = \"/a\"\nanswer = \"sse\"\nchannels = [\"a\"]\n\
             reliable = { history = \"origin\", path = \"/history\" }\n",
        ),
        (
            "rewrite",
            "Rewrite::apply",
            "[[route]]\nprefix = \"/a\"\ndirect = \"origin\"\nrewrite = { prefix = \"/v2\" }\n",
        ),
    ];
    let features = |routes: &str| {
        let code = generated(routes);
        let at = code
            .find("pub const FEATURES")
            .expect("FEATURES is generated");
        code[at..].to_owned()
    };
    let none = features(catch_all);
    for (name, _, _) in uses {
        assert!(none.contains(&format!("{name}: None,")), "{none}");
    }
    for (used, _, route) in uses {
        let with = features(&format!("{route}\n{catch_all}"));
        for (name, code, _) in uses {
            let expected = if name == used {
                format!("{name}: Some({code}),")
            } else {
                format!("{name}: None,")
            };
            assert!(with.contains(&expected), "{route}\n{with}");
        }
    }
}

/// A run of changed lines: `removed` from the old text, replaced by `added`.
#[derive(Debug, Default)]
struct Hunk {
    removed: Vec<String>,
    added: Vec<String>,
}

/// The hunks that turn `old` into `new`, by a longest common subsequence of lines.
fn diff(old: &str, new: &str) -> Vec<Hunk> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut hunks = Vec::new();
    let mut hunk = Hunk::default();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            if !hunk.removed.is_empty() || !hunk.added.is_empty() {
                hunks.push(std::mem::take(&mut hunk));
            }
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || common[i][j + 1] >= common[i + 1][j]) {
            hunk.added.push(b[j].to_owned());
            j += 1;
        } else {
            hunk.removed.push(a[i].to_owned());
            i += 1;
        }
    }
    if !hunk.removed.is_empty() || !hunk.added.is_empty() {
        hunks.push(hunk);
    }
    hunks
}
