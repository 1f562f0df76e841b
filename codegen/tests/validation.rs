//! Every way routes.toml can be wrong fails with the file, line and column, what is wrong
//! and what to write instead.

use fanout_router_codegen::{Diagnostic, Input, Source};

const FASTLY: &str = r#"
[local_server.backends.origin]
url = "http://127.0.0.1:8000/"

[local_server.backends.self]
url = "http://127.0.0.1:7676/"

[setup.backends.api]
address = "api.example.com"
"#;

fn input<'a>(routes: &'a str, fastly: &'a str) -> Input<'a> {
    Input {
        routes: Source::new("routes.toml", routes),
        fastly: Source::new("fastly.toml", fastly),
    }
}

fn diagnostics_with(routes: &str, fastly: &str) -> Vec<Diagnostic> {
    let table = input(routes, fastly).table();
    table.err().expect("routes.toml should be refused")
}

/// The single error for `routes`, as `file:line:column: message`, and its help.
fn refused(routes: &str) -> (String, String) {
    let diagnostics = diagnostics_with(routes, FASTLY);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    (
        format!("{}: {}", d.location, d.message),
        d.help
            .clone()
            .expect("every error says what to write instead"),
    )
}

fn accepted(routes: &str) {
    if let Err(d) = input(routes, FASTLY).table() {
        panic!("refused: {d:#?}");
    }
}

#[test]
fn toml_syntax_error() {
    let (error, help) = refused("[[route]]\npath = \"/a\nfanout = \"origin\"\n");
    assert!(error.starts_with("routes.toml:2:"), "{error}");
    assert!(help.contains("README.md"), "{help}");
}

#[test]
fn misspelt_key() {
    let (error, help) =
        refused("[[route]]\npath = \"/a\"\nfanout = \"origin\"\nchanels = [\"a\"]\n");
    assert_eq!(error, "routes.toml:4:1: unknown key `chanels`");
    assert_eq!(help, "did you mean `channels`?");
    // In the other tables too, from the keys each one takes.
    let (error, help) =
        refused("[[route]]\nprefix = \"/\"\nfanout = \"origin\"\n[grip_sig]\nisuer = \"x\"\n");
    assert_eq!(error, "routes.toml:5:1: unknown key `isuer`");
    assert_eq!(help, "did you mean `issuer`?");
}

#[test]
fn unknown_key_lists_the_keys_once() {
    let (error, help) = refused("[[route]]\npath = \"/a\"\nfanout = \"origin\"\nbackend = \"x\"\n");
    assert_eq!(error, "routes.toml:4:1: unknown key `backend`");
    assert!(
        help.starts_with("this table takes `path`, `prefix`, `methods`"),
        "{help}"
    );
    assert_eq!(help.matches("`channels`").count(), 1, "{help}");
}

#[test]
fn unknown_top_level_table() {
    let (error, help) = refused("[[routes]]\npath = \"/a\"\nfanout = \"origin\"\n");
    assert_eq!(error, "routes.toml:1:3: unknown key `routes`");
    assert_eq!(help, "did you mean `route`?");
}

#[test]
fn a_single_route_table() {
    let (error, help) = refused("[route]\npath = \"/a\"\nfanout = \"origin\"\n");
    assert_eq!(
        error,
        "routes.toml:1:1: `[route]` is one table, but the file holds a list of them"
    );
    assert_eq!(help, "write [[route]], once above each of them");
}

#[test]
fn a_string_where_a_list_goes() {
    let (error, help) =
        refused("[[route]]\npath = \"/a\"\nmethods = \"GET\"\nfanout = \"origin\"\n");
    assert_eq!(error, "routes.toml:3:11: `methods` is a list, not a string");
    assert_eq!(help, "write methods = [\"GET\"]");
}

#[test]
fn other_routers_parameter_syntax() {
    let (error, help) = refused(
        "[[route]]\npath = \"/ws/rooms/:room\"\nanswer = \"ws-echo\"\nchannels = [\"a\"]\n",
    );
    assert_eq!(
        error,
        "routes.toml:2:19: `:room` would match the literal text `:room`, not any segment"
    );
    assert_eq!(help, "a parameter is written in braces: write `{room}`");
    // A colon inside a segment is an ordinary character.
    accepted("[[route]]\npath = \"/v1/models/m:generate\"\nfanout = \"origin\"\n");
}

#[test]
fn other_routers_wildcards() {
    let cases = [
        (
            "prefix = \"/assets/*\"",
            "routes.toml:2:19: `*` is not a wildcard: it would match the literal text `*`",
            "a prefix already matches everything below it: write prefix = \"/assets\"",
        ),
        (
            "prefix = \"/**\"",
            "routes.toml:2:12: `**` is not a wildcard: it would match the literal text `**`",
            "a prefix already matches everything below it: write prefix = \"/\"",
        ),
        (
            "path = \"/assets/*\"",
            "routes.toml:2:17: `*` is not a wildcard: it would match the literal text `*`",
            "to match everything below it, write prefix = \"/assets\"",
        ),
        (
            "path = \"/a/*/b\"",
            "routes.toml:2:12: `*` is not a wildcard: it would match the literal text `*`",
            "to match any one segment, write a parameter such as `{name}`",
        ),
    ];
    for (pattern, expected_error, expected_help) in cases {
        let (error, help) = refused(&format!("[[route]]\n{pattern}\nfanout = \"origin\"\n"));
        assert_eq!(
            (error.as_str(), help.as_str()),
            (expected_error, expected_help)
        );
    }
}

#[test]
fn unknown_mode() {
    let (error, help) =
        refused("[[route]]\npath = \"/a\"\nanswer = \"steam\"\nchannels = [\"a\"]\n");
    assert_eq!(error, "routes.toml:3:10: unknown answer mode \"steam\"");
    assert_eq!(
        help,
        "write answer = one of \"stream\", \"sse\", \"long-poll\", \"ws-echo\""
    );
}

#[test]
fn path_without_leading_slash() {
    let (error, help) = refused("[[route]]\npath = \"a/b\"\nfanout = \"origin\"\n");
    assert_eq!(error, "routes.toml:2:9: path must start with `/`");
    assert_eq!(help, "write path = \"/a/b\"");
}

#[test]
fn path_with_query_fragment_or_whitespace() {
    let cases = [
        (
            "/a?x=1",
            "routes.toml:2:11: path holds a query (`?`), which routing never sees",
        ),
        (
            "/a#top",
            "routes.toml:2:11: path holds a fragment (`#`), which browsers never send",
        ),
        ("/a b", "routes.toml:2:11: path holds the character ' '"),
    ];
    for (path, expected) in cases {
        let (error, _) = refused(&format!(
            "[[route]]\npath = \"{path}\"\nfanout = \"origin\"\n"
        ));
        assert_eq!(error, expected);
    }
}

#[test]
fn dot_segments() {
    let (error, _) = refused("[[route]]\nprefix = \"/a/../b\"\nfanout = \"origin\"\n");
    assert_eq!(error, "routes.toml:2:14: prefix has a `..` segment");
    let (error, _) = refused("[[route]]\nprefix = \"/./b\"\nfanout = \"origin\"\n");
    assert_eq!(error, "routes.toml:2:12: prefix has a `.` segment");
}

#[test]
fn malformed_parameters() {
    let (error, help) = refused("[[route]]\npath = \"/rooms/room-{id}\"\nfanout = \"origin\"\n");
    assert_eq!(
        error,
        "routes.toml:2:21: malformed parameter in segment `room-{id}`"
    );
    assert!(help.contains("/rooms/{room}"), "{help}");
    let (error, _) = refused("[[route]]\npath = \"/rooms/{}\"\nfanout = \"origin\"\n");
    assert_eq!(error, "routes.toml:2:16: `{}` is not a valid parameter");
}

#[test]
fn empty_segment_and_trailing_slash() {
    let (error, help) = refused("[[route]]\nprefix = \"/api/\"\nfanout = \"origin\"\n");
    assert_eq!(error, "routes.toml:2:15: prefix has an empty segment");
    assert!(help.contains("prefix = \"/api\""), "{help}");
}

#[test]
fn duplicate_route_points_at_both() {
    let routes = "[[route]]\npath = \"/a/{x}\"\nfanout = \"origin\"\n\n\
                  [[route]]\npath = \"/a/{y}\"\ndirect = \"origin\"\n";
    let diagnostics = diagnostics_with(routes, FASTLY);
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert_eq!(d.location.to_string(), "routes.toml:6:8");
    assert_eq!(
        d.message,
        "this route matches the same requests as the route on line 1: same pattern and \
         neither lists methods"
    );
    let (other, note) = d.related.as_ref().expect("the other route is pointed at");
    assert_eq!(
        (other.to_string().as_str(), note.as_str()),
        ("routes.toml:2:8", "the other route")
    );
}

#[test]
fn duplicate_methods_on_one_pattern() {
    let routes = "[[route]]\nprefix = \"/a\"\nmethods = [\"GET\", \"POST\"]\nfanout = \"origin\"\n\n\
                  [[route]]\nprefix = \"/a\"\nmethods = [\"POST\"]\ndirect = \"origin\"\n";
    let (error, help) = refused(routes);
    assert_eq!(
        error,
        "routes.toml:7:10: this route matches the same requests as the route on line 1: same \
         pattern and both accept POST"
    );
    assert!(help.contains("disjoint `methods`"), "{help}");
}

#[test]
fn method_split_is_accepted() {
    accepted(
        "[[route]]\nprefix = \"/\"\nmethods = [\"GET\", \"HEAD\"]\nfanout = \"origin\"\n\n\
         [[route]]\nprefix = \"/\"\ndirect = \"origin\"\n",
    );
}

#[test]
fn unknown_and_miscased_methods() {
    let (error, help) =
        refused("[[route]]\nprefix = \"/\"\nmethods = [\"get\"]\nfanout = \"origin\"\n");
    assert_eq!(error, "routes.toml:3:12: unknown method \"get\"");
    assert_eq!(help, "method names are case-sensitive: write \"GET\"");
    let (error, help) =
        refused("[[route]]\nprefix = \"/\"\nmethods = [\"FETCH\"]\nfanout = \"origin\"\n");
    assert_eq!(error, "routes.toml:3:12: unknown method \"FETCH\"");
    assert!(help.starts_with("write one of GET, HEAD, POST"), "{help}");
}

#[test]
fn undeclared_backend_names_both_sections() {
    let (error, help) = refused("[[route]]\nprefix = \"/\"\nfanout = \"orgin\"\n");
    assert_eq!(
        error,
        "routes.toml:3:10: backend `orgin` is declared in fastly.toml neither under \
         [local_server.backends] nor under [setup.backends]"
    );
    assert!(help.ends_with("or use one of: api, origin, self"), "{help}");
}

#[test]
fn backend_declared_in_either_section_is_accepted() {
    accepted("[[route]]\nprefix = \"/\"\ndirect = \"api\"\n");
}

#[test]
fn answer_mode_without_self_backend() {
    let fastly = "[local_server.backends.origin]\nurl = \"http://127.0.0.1:8000/\"\n";
    let routes = "[[route]]\npath = \"/s\"\nanswer = \"sse\"\nchannels = [\"a\"]\n";
    let diagnostics = diagnostics_with(routes, fastly);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(
        format!("{}: {}", diagnostics[0].location, diagnostics[0].message),
        "routes.toml:3:10: answer = \"sse\" needs a backend `self` in fastly.toml"
    );
}

#[test]
fn fanout_to_self_would_loop() {
    let (error, _) = refused("[[route]]\nprefix = \"/\"\nfanout = \"self\"\n");
    assert_eq!(
        error,
        "routes.toml:3:10: backend `self` is the app itself, so this route would loop"
    );
}

#[test]
fn channel_with_unknown_parameter() {
    let routes =
        "[[route]]\npath = \"/rooms/{room}\"\nanswer = \"sse\"\nchannels = [\"room-{id}\"]\n";
    let (error, help) = refused(routes);
    assert_eq!(
        error,
        "routes.toml:4:19: channel names unknown parameter `{id}`"
    );
    assert_eq!(help, "the pattern's parameters are {room}");
}

#[test]
fn empty_channel_or_one_holding_separators() {
    let cases = [
        ("\"\"", "routes.toml:4:14: empty channel name"),
        (
            "\"a,b\"",
            "routes.toml:4:15: channel name holds ',', which Grip-Channel cannot carry",
        ),
        (
            "\"a;b\"",
            "routes.toml:4:15: channel name holds ';', which Grip-Channel cannot carry",
        ),
    ];
    for (channel, expected) in cases {
        let routes =
            format!("[[route]]\npath = \"/s\"\nanswer = \"sse\"\nchannels = [{channel}]\n");
        assert_eq!(refused(&routes).0, expected);
    }
}

#[test]
fn more_than_twenty_channels() {
    let channels: Vec<String> = (0..21).map(|i| format!("\"c{i}\"")).collect();
    let routes = format!(
        "[[route]]\npath = \"/s\"\nanswer = \"sse\"\nchannels = [{}]\n",
        channels.join(", ")
    );
    let (error, _) = refused(&routes);
    assert!(error.starts_with("routes.toml:4:"), "{error}");
    assert!(error.ends_with("21 channels, more than 20"), "{error}");
}

#[test]
fn long_poll_timeout_under_five_seconds() {
    let routes =
        "[[route]]\npath = \"/p\"\nanswer = \"long-poll\"\nchannels = [\"a\"]\ntimeout = 2\n";
    let (error, help) = refused(routes);
    assert_eq!(
        error,
        "routes.toml:5:11: timeout = 2 is out of range: it must be 5 to 3600 seconds"
    );
    assert!(help.ends_with("write e.g. timeout = 55"), "{help}");
}

#[test]
fn keep_alive_out_of_range() {
    let routes =
        "[[route]]\npath = \"/s\"\nanswer = \"sse\"\nchannels = [\"a\"]\nkeep_alive = 600\n";
    let (error, _) = refused(routes);
    assert_eq!(
        error,
        "routes.toml:5:14: keep_alive = 600 is out of range: it must be 5 to 55 seconds"
    );
}

#[test]
fn contradictory_keys() {
    let cases = [
        (
            "path = \"/a\"\nprefix = \"/a\"\nfanout = \"origin\"\n",
            "routes.toml:3:10: a route has either `path` or `prefix`, not both",
        ),
        (
            "path = \"/a\"\nfanout = \"origin\"\nanswer = \"sse\"\n",
            "routes.toml:4:10: a route has one action, but this one has `fanout` and `answer`",
        ),
        (
            "path = \"/a\"\nanswer = \"stream\"\nchannels = [\"a\"]\nkeep_alive = 20\n",
            "routes.toml:5:14: `keep_alive` applies to answer = \"sse\" only, not to answer = \"stream\"",
        ),
        (
            "path = \"/a\"\nfanout = \"origin\"\ntimeout = 20\n",
            "routes.toml:4:11: `timeout` applies to answer = \"long-poll\" only, not to a `fanout` route",
        ),
        (
            "path = \"/a\"\nfanout = \"origin\"\nchannels = [\"a\"]\n",
            "routes.toml:4:12: `channels` applies to answer routes only",
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(refused(&format!("[[route]]\n{body}")).0, expected);
    }
}

#[test]
fn route_without_pattern_action_or_channels() {
    let (error, help) = refused("[[route]]\nfanout = \"origin\"\n");
    assert_eq!(error, "routes.toml:1:1: route has no `path` or `prefix`");
    assert!(help.contains("prefix = \"/section\""), "{help}");
    let (error, _) = refused("[[route]]\npath = \"/a\"\n");
    assert_eq!(error, "routes.toml:1:1: route has no action");
    let (error, _) = refused("[[route]]\npath = \"/a\"\nanswer = \"stream\"\n");
    assert_eq!(error, "routes.toml:1:1: an answer route needs `channels`");
}

#[test]
fn file_without_routes() {
    let (error, _) = refused("# nothing yet\n");
    assert_eq!(
        error,
        "routes.toml:1:1: routes.toml declares no route, so every request would get 404"
    );
}

#[test]
fn reports_every_error_at_once() {
    let routes = "[[route]]\npath = \"a\"\nfanout = \"origin\"\n\n\
                  [[route]]\npath = \"/b\"\nanswer = \"nope\"\nchannels = [\"x\"]\n";
    let locations: Vec<String> = diagnostics_with(routes, FASTLY)
        .iter()
        .map(|d| d.location.to_string())
        .collect();
    assert_eq!(locations, ["routes.toml:2:9", "routes.toml:7:10"]);
}

#[test]
fn the_default_routes_toml_is_valid() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let read = |name: &str| std::fs::read_to_string(format!("{root}/{name}")).unwrap();
    let (routes, fastly) = (read("routes.toml"), read("fastly.toml"));
    if let Err(d) = input(&routes, &fastly).table() {
        panic!("refused: {d:#?}");
    }
}

const ROUTE: &str = "[[route]]\nprefix = \"/\"\nfanout = \"origin\"\n\n";

#[test]
fn grip_sig_keys_come_with_their_issuer() {
    let (error, help) = refused(&format!(
        "{ROUTE}[grip_sig]\nlocal_key = \"a-long-enough-key\"\n"
    ));
    assert_eq!(
        error,
        "routes.toml:6:13: `local_issuer` and `local_key` go together"
    );
    assert!(help.contains("neither to keep the default"), "{help}");
}

#[test]
fn grip_sig_public_key_must_be_a_p256_pem() {
    let routes = format!("{ROUTE}[grip_sig]\nissuer = \"pushpin\"\npublic_key = \"not a key\"\n");
    let (error, _) = refused(&routes);
    assert_eq!(
        error,
        "routes.toml:7:14: public_key is not a P-256 public key in PEM form"
    );
}

#[test]
fn grip_sig_local_key_must_not_be_trivially_short() {
    let routes =
        format!("{ROUTE}[grip_sig]\nlocal_issuer = \"pushpin\"\nlocal_key = \"changeme\"\n");
    let (error, _) = refused(&routes);
    assert_eq!(
        error,
        "routes.toml:7:13: local_key is shorter than 12 bytes"
    );
}

/// The P-256 public key of README.md's `[grip_sig]` example.
const PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEVwU5dADtTXdv0+WaPYvFdCV8CFij
ulTxsnifqc1hEVcAEqrL7U3FEG/aXnJFDhx3CnI0+RX5ygxNRncIzohdHQ==
-----END PUBLIC KEY-----
";

#[test]
fn grip_sig_public_key_that_is_not_on_the_curve_is_refused() {
    // The key of `PEM` with its last point byte changed: a well-formed PEM of a point off
    // the curve.
    let off_curve = PEM.replace("dHQ==", "dHA==");
    let routes = format!(
        "{ROUTE}[grip_sig]\nissuer = \"pushpin\"\npublic_key = \"\"\"\n{off_curve}\"\"\"\n"
    );
    let (error, _) = refused(&routes);
    assert_eq!(
        error,
        "routes.toml:7:14: public_key is not a P-256 public key in PEM form"
    );
}

#[test]
fn grip_sig_signers_are_accepted() {
    accepted(&format!(
        "{ROUTE}[grip_sig]\nissuer = \"my-pushpin\"\npublic_key = \"\"\"\n{PEM}\"\"\"\n\
         local_issuer = \"pushpin\"\nlocal_key = \"a-long-enough-key\"\n"
    ));
}

#[test]
fn a_pattern_not_in_the_normal_form_of_request_paths() {
    let (error, help) = refused("[[route]]\npath = \"/rooms/%6Cobby\"\nfanout = \"origin\"\n");
    assert_eq!(
        error,
        "routes.toml:2:16: path segment `%6Cobby` is not in the normal form requests are routed in"
    );
    assert_eq!(
        help,
        "requests reach routing as `lobby`: write that (see README, Path policy)"
    );
    let (error, help) = refused("[[route]]\nprefix = \"/files/a%2Fb\"\ndirect = \"origin\"\n");
    assert!(
        error.starts_with("routes.toml:2:19: prefix segment `a%2Fb` can never match"),
        "{error}"
    );
    assert_eq!(
        help,
        "requests holding it are refused with a 400 before routing"
    );
}
