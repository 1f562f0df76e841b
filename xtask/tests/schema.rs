//! routes.schema.json, which editors use to complete and check routes.toml, agrees with the
//! build: the default file, the e2e routes and every routes.toml example in README.md pass
//! both, and files the build refuses for a reason a schema can express fail both.

use std::collections::BTreeSet;

use fanout_router_codegen::model::Table;
use fanout_router_codegen::{Diagnostic, Input, Source};
use fanout_router_core::route::ModeKind;
use fanout_router_stack::paths::repo_root;
use jsonschema::Validator;
use serde_json::Value;

fn read(name: &str) -> String {
    std::fs::read_to_string(repo_root().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `routes` validated against the repository's fastly.toml.
fn table(routes: &str) -> Result<Table, Vec<Diagnostic>> {
    let fastly = read("fastly.toml");
    let input = Input {
        routes: Source::new("routes.toml", routes),
        fastly: Source::new("fastly.toml", &fastly),
    };
    input.table()
}

fn schema() -> Validator {
    let schema: Value = serde_json::from_str(&read("routes.schema.json")).unwrap();
    jsonschema::draft7::new(&schema).expect("routes.schema.json is a valid draft-07 schema")
}

/// The schema's complaints about `routes`, empty when it passes.
fn schema_errors(schema: &Validator, routes: &str) -> Vec<String> {
    let value: Value = toml::from_str(routes).expect("the example is TOML");
    schema.iter_errors(&value).map(|e| e.to_string()).collect()
}

fn accepted_by_the_build(routes: &str) -> bool {
    table(routes).is_ok()
}

/// The ```toml blocks of README.md, less those that open with `# fastly.toml`.
/// The first line of README's excerpts of examples/chat/routes.toml.
const CHAT_EXCERPT: &str = "# examples/chat/routes.toml (excerpt)";

fn readme_examples() -> Vec<String> {
    let readme = read("README.md");
    let mut examples = Vec::new();
    let mut rest = readme.as_str();
    while let Some(start) = rest.find("\n```toml\n") {
        let body = &rest[start + 9..];
        let end = body.find("\n```").expect("every fence is closed");
        // fastly.toml excerpts, and excerpts of the chat example, which passes as a whole
        // (and tests/recipes.rs keeps its excerpts verbatim).
        if !body.starts_with("# fastly.toml") && !body.starts_with(CHAT_EXCERPT) {
            examples.push(body[..=end].to_owned());
        }
        rest = &body[end..];
    }
    examples
}

#[test]
fn the_default_and_e2e_routes_pass() {
    let schema = schema();
    for name in [
        "routes.toml",
        "e2e/routes.toml",
        "examples/chat/routes.toml",
    ] {
        let errors = schema_errors(&schema, &read(name));
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn the_default_routes_toml_names_the_schema_on_its_first_line() {
    let routes = read("routes.toml");
    assert_eq!(routes.lines().next(), Some("#:schema ./routes.schema.json"));
}

#[test]
fn every_readme_example_passes_the_schema_and_the_build() {
    let schema = schema();
    let examples = readme_examples();
    assert!(
        examples.len() >= 10,
        "found only {} examples",
        examples.len()
    );
    for example in examples {
        let errors = schema_errors(&schema, &example);
        assert!(errors.is_empty(), "{example}\n{errors:#?}");
        assert!(
            accepted_by_the_build(&example),
            "the build refuses:\n{example}"
        );
    }
}

#[test]
fn files_the_build_refuses_fail_the_schema() {
    let route = |body: &str| format!("[[route]]\n{body}\n");
    let grip_sig = |body: &str| {
        format!(
            "{}\n[grip_sig]\n{body}\n",
            route("prefix = \"/\"\nfanout = \"origin\"")
        )
    };
    // A policy the route names, so that only the policy's own fault fails the build.
    let policy = |kind: &str, body: &str| {
        format!(
            "{}{kind} = \"p\"\n\n[{kind}.p]\n{body}\n",
            route("prefix = \"/\"\nfanout = \"origin\"")
        )
    };
    let cases = [
        ("no route", String::new()),
        (
            "unknown top-level table",
            "[[routes]]\nprefix = \"/\"\nfanout = \"origin\"\n".to_owned(),
        ),
        (
            "unknown key",
            route("prefix = \"/\"\nfanout = \"origin\"\nchanels = [\"a\"]"),
        ),
        ("no pattern", route("fanout = \"origin\"")),
        (
            "path and prefix",
            route("path = \"/a\"\nprefix = \"/a\"\nfanout = \"origin\""),
        ),
        ("no action", route("path = \"/a\"")),
        (
            "two actions",
            route("path = \"/a\"\nfanout = \"origin\"\ndirect = \"origin\""),
        ),
        ("path without /", route("path = \"a\"\nfanout = \"origin\"")),
        (
            "trailing slash",
            route("prefix = \"/api/\"\nfanout = \"origin\""),
        ),
        (
            "dot segment",
            route("prefix = \"/a/../b\"\nfanout = \"origin\""),
        ),
        ("query", route("path = \"/a?x=1\"\nfanout = \"origin\"")),
        (
            "malformed parameter",
            route("path = \"/rooms/room-{id}\"\nfanout = \"origin\""),
        ),
        (
            "miscased method",
            route("prefix = \"/\"\nmethods = [\"get\"]\nfanout = \"origin\""),
        ),
        (
            "empty methods",
            route("prefix = \"/\"\nmethods = []\nfanout = \"origin\""),
        ),
        ("fanout to self", route("prefix = \"/\"\nfanout = \"self\"")),
        (
            "unknown mode",
            route("path = \"/a\"\nanswer = \"steam\"\nchannels = [\"a\"]"),
        ),
        (
            "answer without channels",
            route("path = \"/a\"\nanswer = \"sse\""),
        ),
        (
            "channels on a fanout route",
            route("path = \"/a\"\nfanout = \"origin\"\nchannels = [\"a\"]"),
        ),
        (
            "empty channel",
            route("path = \"/a\"\nanswer = \"sse\"\nchannels = [\"\"]"),
        ),
        (
            "channel with a comma",
            route("path = \"/a\"\nanswer = \"sse\"\nchannels = [\"a,b\"]"),
        ),
        (
            "unbalanced brace",
            route("path = \"/a\"\nanswer = \"sse\"\nchannels = [\"x-{room\"]"),
        ),
        (
            "21 channels",
            route(&format!(
                "path = \"/a\"\nanswer = \"sse\"\nchannels = [{}]",
                (0..21)
                    .map(|i| format!("\"c{i}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        ),
        (
            "keep_alive too long",
            route("path = \"/a\"\nanswer = \"sse\"\nchannels = [\"a\"]\nkeep_alive = 600"),
        ),
        (
            "keep_alive on long-poll",
            route("path = \"/a\"\nanswer = \"long-poll\"\nchannels = [\"a\"]\nkeep_alive = 20"),
        ),
        (
            "keep_alive mode unknown",
            route(
                "path = \"/a\"\nanswer = \"sse\"\nchannels = [\"a\"]\nkeep_alive = { mode = \"often\" }",
            ),
        ),
        (
            "reliable on ws-echo",
            route(
                "path = \"/a\"\nanswer = \"ws-echo\"\nchannels = [\"a\"]\nreliable = { history = \"origin\" }",
            ),
        ),
        (
            "reliable without history",
            route(
                "path = \"/a\"\nanswer = \"sse\"\nchannels = [\"a\"]\nreliable = { path = \"/h\" }",
            ),
        ),
        (
            "reliable on two channels",
            route(
                "path = \"/a\"\nanswer = \"sse\"\nchannels = [\"a\", \"b\"]\nreliable = { history = \"origin\" }",
            ),
        ),
        (
            "timeout too short",
            route("path = \"/a\"\nanswer = \"long-poll\"\nchannels = [\"a\"]\ntimeout = 2"),
        ),
        (
            "timeout on a fanout route",
            route("path = \"/a\"\nfanout = \"origin\"\ntimeout = 20"),
        ),
        (
            "status out of range",
            route(
                "path = \"/a\"\nanswer = \"long-poll\"\nchannels = [\"a\"]\non_timeout = { status = 100 }",
            ),
        ),
        (
            "body on a 204",
            route(
                "path = \"/a\"\nanswer = \"long-poll\"\nchannels = [\"a\"]\non_timeout = { status = 204, body = \"x\" }",
            ),
        ),
        (
            "content_type with a newline",
            route(
                "path = \"/a\"\nanswer = \"stream\"\nchannels = [\"a\"]\ncontent_type = \"text/plain\\n\"",
            ),
        ),
        (
            "issuer without public_key",
            grip_sig("issuer = \"pushpin\""),
        ),
        (
            "local_key without local_issuer",
            grip_sig("local_key = \"a-long-enough-key\""),
        ),
        (
            "local_key too short",
            grip_sig("local_issuer = \"pushpin\"\nlocal_key = \"changeme\""),
        ),
        (
            "public_key not in PEM form",
            grip_sig("issuer = \"pushpin\"\npublic_key = \"abc\""),
        ),
        ("unknown grip_sig key", grip_sig("algorithm = \"HS256\"")),
        (
            "auth policy without a key source",
            policy("auth", "issuer = \"https://auth.example.com\""),
        ),
        (
            "HS256 key inline",
            policy(
                "auth",
                "keys = [{ algorithm = \"HS256\", pem = \"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\" }]",
            ),
        ),
        (
            "jwks without algorithms",
            policy("auth", "jwks = { store = \"s\", key = \"k\" }"),
        ),
        (
            "empty token_from",
            policy(
                "auth",
                "token_from = []\nsecret = { store = \"s\", key = \"k\" }",
            ),
        ),
        (
            "leeway out of range",
            policy(
                "auth",
                "leeway = 600\nsecret = { store = \"s\", key = \"k\" }",
            ),
        ),
        (
            "cors without origins",
            policy("cors", "credentials = false"),
        ),
        (
            "any origin with credentials",
            policy("cors", "origins = [\"*\"]\ncredentials = true"),
        ),
        (
            "origin with a trailing slash",
            policy("cors", "origins = [\"https://app.example.com/\"]"),
        ),
        (
            "max_age out of range",
            policy("cors", "origins = [\"*\"]\nmax_age = 100000"),
        ),
        (
            "unknown auth key",
            policy(
                "auth",
                "leway = 10\nsecret = { store = \"s\", key = \"k\" }",
            ),
        ),
    ];
    let schema = schema();
    for (name, routes) in cases {
        assert!(
            !accepted_by_the_build(&routes),
            "{name}: the build accepts it"
        );
        assert!(
            !schema_errors(&schema, &routes).is_empty(),
            "{name}: the schema accepts it"
        );
    }
}

/// The keys the build accepts where `routes` puts the unknown key `zzz`, read from the help
/// of its error: "this table takes `a`, `b`, ...".
fn keys_the_build_accepts(routes: &str) -> BTreeSet<String> {
    let Err(diagnostics) = table(routes) else {
        panic!("the build accepts `zzz` in:\n{routes}");
    };
    let help = diagnostics[0].help.as_deref().unwrap_or_default();
    let keys = help
        .strip_prefix("this table takes ")
        .unwrap_or_else(|| panic!("the help lists the keys: {help}"));
    keys.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn keys_the_schema_names(properties: &Value) -> BTreeSet<String> {
    properties.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn the_schema_names_every_key_the_build_accepts() {
    let schema: Value = serde_json::from_str(&read("routes.schema.json")).unwrap();
    let route = &schema["definitions"]["route"]["properties"];
    let auth = &schema["definitions"]["auth"]["properties"];
    let long_poll = "[[route]]\npath = \"/a\"\nanswer = \"long-poll\"\nchannels = [\"a\"]\n";
    let cases = [
        ("zzz = 1\n".to_owned(), &schema["properties"]),
        ("[[route]]\nzzz = 1\n".to_owned(), route),
        (
            format!("{long_poll}on_timeout = {{ zzz = 1 }}\n"),
            &route["on_timeout"]["properties"],
        ),
        (
            "[[route]]\nkeep_alive = { zzz = 1 }\n".to_owned(),
            &route["keep_alive"]["oneOf"][1]["properties"],
        ),
        (
            "[[route]]\nreliable = { zzz = 1 }\n".to_owned(),
            &route["reliable"]["properties"],
        ),
        (
            "[grip_sig]\nzzz = 1\n".to_owned(),
            &schema["properties"]["grip_sig"]["properties"],
        ),
        ("[auth.a]\nzzz = 1\n".to_owned(), auth),
        (
            "[auth.a]\nsecret = { zzz = 1 }\n".to_owned(),
            &auth["secret"]["properties"],
        ),
        (
            "[auth.a]\njwks = { zzz = 1 }\n".to_owned(),
            &auth["jwks"]["properties"],
        ),
        (
            "[auth.a]\nkeys = [{ zzz = 1 }]\n".to_owned(),
            &auth["keys"]["items"]["properties"],
        ),
        (
            "[cors.a]\nzzz = 1\n".to_owned(),
            &schema["definitions"]["cors"]["properties"],
        ),
    ];
    for (routes, properties) in cases {
        assert_eq!(
            keys_the_build_accepts(&routes),
            keys_the_schema_names(properties),
            "{routes}"
        );
    }
}

#[test]
fn the_schema_names_the_modes_the_build_knows() {
    let schema: Value = serde_json::from_str(&read("routes.schema.json")).unwrap();
    let answer = &schema["definitions"]["route"]["properties"]["answer"]["enum"];
    let names: Vec<&str> = ModeKind::ALL.iter().map(|mode| mode.name()).collect();
    assert_eq!(answer, &serde_json::json!(names));
}
