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

[[local_server.secret_stores.auth]]
key = "users-hs256"
data = "a development secret"

[local_server.config_stores.keys]
format = "inline-toml"
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
            "path = \"/a\"\nanswer = \"long-poll\"\nchannels = [\"a\"]\nkeep_alive = 20\n",
            "routes.toml:5:14: `keep_alive` applies to answer = \"stream\", \"sse\" or \"ws-echo\" only, not to answer = \"long-poll\"",
        ),
        (
            "path = \"/a\"\nanswer = \"ws-echo\"\nchannels = [\"a\"]\nreliable = { history = \"origin\" }\n",
            "routes.toml:5:12: `reliable` applies to answer = \"stream\" or \"sse\" only, not to answer = \"ws-echo\"",
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

/// A route naming `[auth.users]`, then that table opening on line 6 and its keys from
/// line 7 on.
fn auth(body: &str) -> String {
    format!(
        "[[route]]\npath = \"/n/{{user}}\"\nfanout = \"origin\"\nauth = \"users\"\n\n\
         [auth.users]\n{body}\n"
    )
}

/// The key source the auth cases give when they are about something else.
const SECRET: &str = "secret = { store = \"auth\", key = \"users-hs256\" }";

/// Public keys made for these tests with openssl: P-256, P-384, RSA-2048 and RSA-1024.
const P256_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEadY0ZUo0t6FTgQSqelzMsofE/IAY\nTpjrGc0FDnKCGthY8vomgc4SyM6Z6l/q+ulNAh+h2CQ/ktdBa3OrY2C57g==\n-----END PUBLIC KEY-----";
const P384_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEnNeC1MwE1XLIhKNY81jCZslRydxoVkM8\nDeteRjwu6ax9Yiy/2TUfA6qVAHrbTjm/ek7KFz/U7tnZvVTltgdIP8udU3Ss0dPC\ny1BqCwhIa1IHI3r2pie+P51JHE+dHtUF\n-----END PUBLIC KEY-----";
const RSA_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqx5iIpZSC5JLZh6vcX9L\n/Lmy6/yYPJBs9GKqNIoMSHuxrnT1Z7sOQ4GFipSmIqWWDva3IMTC/NV8W+KJpCNY\n3KCIhe4SYXE5J9DA/JCwT2LLYRGL4qoV+2iht+slY3vC7NOAZzO0SKplPYSDYgi4\noTp3uq74p8SfspNnpnvBIoYuaklNTrJOX1ufQLS1R63oBRkWcmr5c0pt3DZNzpUc\nvubYfzh6uu38cf7IWW1yMa/He/KR3ye8af3ixqlFyFOV2onLVd5X3/ZLS4xVd0aJ\nsyZF1QftD+3P6KJLzy/5h/gGtb1BkpgInuecetvJcX/kQxGfdkzm5/yWELPtZrBs\nPwIDAQAB\n-----END PUBLIC KEY-----";
const RSA_1024_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC/W3xBn83bJ2HlMKlGw/HinGAP\nEc2/6zIzfoeTU4xoRv6+stdlria48ilHaXmUEqluRyV7HWGBoP/xaT2PAcQ7YoKK\n1pxlyV2RsGARlJDbYcZ8w8Skv4jP3jLc9mrwd7sGxXhpSs9xHTpc5br1DB6jXouP\n3ODuFjk/aZEkzpoPmwIDAQAB\n-----END PUBLIC KEY-----";

/// Each case: the policy's keys, the error as `file:line:column: message`, and a part of
/// its help.
fn assert_refused(cases: &[(String, &str, &str)]) {
    for (routes, expected, help_part) in cases {
        let (error, help) = refused(routes);
        assert_eq!(&error, expected, "{routes}");
        assert!(help.contains(help_part), "{routes}\nhelp: {help}");
    }
}

#[test]
fn a_full_auth_policy_is_accepted() {
    accepted(&auth(&format!(
        "token_from = [\"header\", \"query\", \"cookie\"]\nquery = \"access_token\"\n\
         cookie = \"session\"\n\
         secret = {{ store = \"auth\", key = \"users-hs256\", kid = \"hs\" }}\n\
         jwks = {{ store = \"keys\", key = \"users-jwks\", algorithms = [\"ES256\", \"RS256\"] }}\n\
         keys = [{{ kid = \"ec\", algorithm = \"ES256\", pem = \"\"\"{P256_PEM}\"\"\" }}, \
         {{ kid = \"rsa\", algorithm = \"RS256\", pem = \"\"\"{RSA_PEM}\"\"\" }}]\n\
         issuer = \"https://auth.example.com\"\naudience = \"chat\"\nleeway = 0\n\
         claims = {{ sub = \"user-{{user}}\" }}\nchannels_claim = \"x-fastly-read\"\n\
         forward_authorization = false"
    )));
}

#[test]
fn a_route_naming_an_unknown_policy() {
    let routes = auth(SECRET).replace("auth = \"users\"", "auth = \"usres\"");
    let (error, help) = refused(&routes);
    assert_eq!(error, "routes.toml:4:8: unknown auth policy `usres`");
    assert_eq!(help, "did you mean `users`? The auth policies are: users");
    let routes = format!("{}\ncors = \"front\"\n", ROUTE.trim_end());
    let (error, help) = refused(&routes);
    assert_eq!(error, "routes.toml:4:8: unknown cors policy `front`");
    assert_eq!(help, "declare it in a [cors.front] table");
}

#[test]
fn a_claim_naming_a_parameter_the_pattern_lacks_points_at_both() {
    let routes = auth(&format!("{SECRET}\nclaims = {{ sub = \"{{owner}}\" }}"));
    let diagnostics = diagnostics_with(&routes, FASTLY);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(
        format!("{}: {}", d.location, d.message),
        "routes.toml:4:8: auth policy `users` binds claim `sub` to `{owner}`, a parameter \
         this route's pattern lacks"
    );
    assert_eq!(d.label.as_deref(), Some("this route"));
    let (other, note) = d.related.as_ref().expect("the claim is pointed at");
    assert_eq!(
        (other.to_string().as_str(), note.as_str()),
        ("routes.toml:8:18", "the claim")
    );
    assert_eq!(
        d.help.as_deref(),
        Some("the pattern's parameters are {user}: name a policy whose claims use them")
    );
}

#[test]
fn a_claim_template_that_does_not_parse() {
    assert_refused(&[
        (
            auth(&format!("{SECRET}\nclaims = {{ sub = \"{{user\" }}")),
            "routes.toml:8:19: unbalanced brace in claim template",
            "write a parameter as {name}",
        ),
        (
            auth(&format!("{SECRET}\nclaims = {{ sub = \"\" }}")),
            "routes.toml:8:18: empty claim template",
            "sub = \"{user}\"",
        ),
    ]);
}

#[test]
fn inline_keys_that_do_not_parse() {
    let key = |algorithm: &str, pem: &str| {
        auth(&format!(
            "keys = [{{ kid = \"k\", algorithm = \"{algorithm}\", pem = \"\"\"{pem}\"\"\" }}]"
        ))
    };
    assert_refused(&[
        (
            key("ES256", "not a key"),
            "routes.toml:7:49: pem is not a P-256 public key in PEM form",
            "from -----BEGIN PUBLIC KEY-----",
        ),
        (
            key("ES256", P384_PEM),
            "routes.toml:7:49: pem is not a P-256 public key in PEM form",
            "a key on the P-256 curve, no other",
        ),
        (
            key("RS256", P256_PEM),
            "routes.toml:7:49: pem is not an RSA public key in PEM form",
            "paste the RS256 public key",
        ),
        (
            key("RS256", RSA_1024_PEM),
            "routes.toml:7:49: the RSA key of pem has 1024 bits, fewer than 2048",
            "an RSA key of 2048 bits or more",
        ),
        (
            key("HS256", "a shared secret"),
            "routes.toml:7:34: an HS256 key is a secret, which routes.toml must not hold",
            "put it in a Secret Store",
        ),
        (
            key("PS256", RSA_PEM),
            "routes.toml:7:34: unknown algorithm \"PS256\"",
            "write \"ES256\" (a P-256 key) or \"RS256\"",
        ),
        (
            key("es256", P256_PEM),
            "routes.toml:7:34: unknown algorithm \"es256\"",
            "algorithm names are case-sensitive: write \"ES256\"",
        ),
        (
            auth("keys = [{ kid = \"k\", algorithm = \"ES256\" }]"),
            "routes.toml:7:9: a key needs `algorithm` and `pem`",
            "pem = ",
        ),
        (
            auth("keys = []"),
            "routes.toml:7:8: empty `keys` list",
            "give at least one key",
        ),
    ]);
}

#[test]
fn two_keys_cannot_share_a_kid() {
    let (error, _) = refused(&auth(&format!(
        "secret = {{ store = \"auth\", key = \"users-hs256\", kid = \"k\" }}\n\
         keys = [{{ kid = \"k\", algorithm = \"ES256\", pem = \"\"\"{P256_PEM}\"\"\" }}]"
    )));
    assert_eq!(error, "routes.toml:8:17: kid \"k\" is listed twice");
}

#[test]
fn jwks_algorithms_empty_unknown_or_missing() {
    let jwks = |algorithms: &str| {
        auth(&format!(
            "jwks = {{ store = \"keys\", key = \"users-jwks\"{algorithms} }}"
        ))
    };
    assert_refused(&[
        (
            jwks(", algorithms = []"),
            "routes.toml:7:59: empty `algorithms` list",
            "algorithms = [\"ES256\"]",
        ),
        (
            jwks(", algorithms = [\"HS256\"]"),
            "routes.toml:7:60: an HS256 key is a secret, which a Config Store must not hold",
            "put it in a Secret Store",
        ),
        (
            jwks(", algorithms = [\"EdDSA\"]"),
            "routes.toml:7:60: unknown algorithm \"EdDSA\"",
            "write \"ES256\"",
        ),
        (
            jwks(", algorithms = [\"ES256\", \"ES256\"]"),
            "routes.toml:7:69: algorithm \"ES256\" is listed twice",
            "list each algorithm once",
        ),
        (
            jwks(""),
            "routes.toml:7:8: `jwks` needs `algorithms`",
            "algorithms = [\"ES256\"]",
        ),
    ]);
}

#[test]
fn contradictory_token_sources() {
    assert_refused(&[
        (
            auth(&format!("{SECRET}\nquery = \"access_token\"")),
            "routes.toml:8:9: `query` is given, but `token_from` does not list \"query\"",
            "add \"query\" to token_from, or remove `query`",
        ),
        (
            auth(&format!(
                "{SECRET}\ntoken_from = [\"header\"]\ncookie = \"session\""
            )),
            "routes.toml:9:10: `cookie` is given, but `token_from` does not list \"cookie\"",
            "add \"cookie\" to token_from",
        ),
        (
            auth(&format!("{SECRET}\ntoken_from = [\"query\"]")),
            "routes.toml:8:15: `token_from` lists \"query\", but `query` is not given",
            "add query = \"access_token\"",
        ),
        (
            auth(&format!("{SECRET}\ntoken_from = [\"cookie\"]")),
            "routes.toml:8:15: `token_from` lists \"cookie\", but `cookie` is not given",
            "add cookie = \"session\"",
        ),
        (
            auth(&format!("{SECRET}\ntoken_from = [\"header\", \"header\"]")),
            "routes.toml:8:25: token source \"header\" is listed twice",
            "list each token source once",
        ),
        (
            auth(&format!("{SECRET}\ntoken_from = []")),
            "routes.toml:8:14: empty `token_from` list",
            "\"header\", \"query\" and \"cookie\"",
        ),
        (
            auth(&format!("{SECRET}\ntoken_from = [\"bearer\"]")),
            "routes.toml:8:15: unknown token source \"bearer\"",
            "write \"header\", \"query\" or \"cookie\"",
        ),
        (
            auth(&format!(
                "{SECRET}\ntoken_from = [\"query\"]\nquery = \"a&b\""
            )),
            "routes.toml:9:9: query = \"a&b\" is not a name of letters, digits, `-`, `_`, `.` \
             and `~`",
            "write e.g. query = \"access_token\"",
        ),
    ]);
}

#[test]
fn a_policy_without_a_key_source() {
    let (error, help) = refused(&auth("issuer = \"https://auth.example.com\""));
    assert_eq!(
        error,
        "routes.toml:6:7: auth policy `users` has no key to verify tokens with"
    );
    assert!(help.contains("secret = { store, key }"), "{help}");
}

#[test]
fn stores_must_be_declared_in_fastly_toml() {
    assert_refused(&[
        (
            auth("secret = { store = \"vault\", key = \"users-hs256\" }"),
            "routes.toml:7:20: Secret Store `vault` is not declared in fastly.toml under \
             [local_server.secret_stores]",
            "[[local_server.secret_stores.vault]] with key = \"users-hs256\"",
        ),
        (
            auth("jwks = { store = \"vault\", key = \"j\", algorithms = [\"ES256\"] }"),
            "routes.toml:7:18: Config Store `vault` is not declared in fastly.toml under \
             [local_server.config_stores]",
            "or use one of: keys",
        ),
        (
            auth("secret = { store = \"auth\" }"),
            "routes.toml:7:10: `secret` needs `store` and `key`",
            "write secret = { store = \"fanout-router-auth\", key = \"users-hs256\" }",
        ),
    ]);
}

#[test]
fn leeway_and_max_age_out_of_range() {
    assert_refused(&[
        (
            auth(&format!("{SECRET}\nleeway = 600")),
            "routes.toml:8:10: leeway = 600 is out of range: it must be 0 to 300 seconds",
            "write e.g. leeway = 30",
        ),
        (
            cors("origins = [\"https://app.example.com\"]\nmax_age = 100000"),
            "routes.toml:8:11: max_age = 100000 is out of range: it must be 0 to 86400 seconds",
            "write e.g. max_age = 600",
        ),
    ]);
}

#[test]
fn a_policy_name_that_cannot_be_a_realm() {
    let routes = auth(SECRET)
        .replace("[auth.users]", "[auth.\"a b\"]")
        .replace("auth = \"users\"", "auth = \"a b\"");
    let (error, _) = refused(&routes);
    assert_eq!(
        error,
        "routes.toml:6:7: auth policy name \"a b\" may hold only letters, digits, `-` and `_`"
    );
}

/// A route naming `[cors.front-end]`, then that table opening on line 6 and its keys from
/// line 7 on.
fn cors(body: &str) -> String {
    format!(
        "[[route]]\npath = \"/n\"\nfanout = \"origin\"\ncors = \"front-end\"\n\n\
         [cors.front-end]\n{body}\n"
    )
}

#[test]
fn a_full_cors_policy_is_accepted() {
    accepted(&cors(
        "origins = [\"https://app.example.com\", \"http://localhost:8080\"]\n\
         methods = [\"GET\", \"POST\"]\nheaders = [\"Authorization\", \"Last-Event-ID\"]\n\
         credentials = true\nmax_age = 0",
    ));
    accepted(&cors("origins = [\"*\"]"));
}

#[test]
fn cors_policies_that_contradict_themselves() {
    assert_refused(&[
        (
            cors("origins = [\"*\"]\ncredentials = true"),
            "routes.toml:8:15: credentials = true cannot go with origins = [\"*\"]",
            "list the exact origins that may send credentials",
        ),
        (
            cors("origins = [\"*\", \"https://app.example.com\"]"),
            "routes.toml:7:12: \"*\" stands for every origin, so it goes alone",
            "write origins = [\"*\"]",
        ),
        (
            cors("origins = [\"https://app.example.com/\"]"),
            "routes.toml:7:12: origin \"https://app.example.com/\" is not scheme://host[:port]",
            "no trailing slash: \"https://app.example.com\"",
        ),
        (
            cors("origins = [\"https://app.example.com/chat\"]"),
            "routes.toml:7:12: origin \"https://app.example.com/chat\" is not \
             scheme://host[:port]",
            "\"https://app.example.com\"",
        ),
        (
            cors("origins = [\"app.example.com\"]"),
            "routes.toml:7:12: origin \"app.example.com\" is not scheme://host[:port]",
            "with no path and no trailing slash",
        ),
        (
            cors("methods = [\"GET\"]"),
            "routes.toml:6:7: cors policy `front-end` has no `origins`",
            "origins = [\"https://app.example.com\"]",
        ),
        (
            cors("origins = []"),
            "routes.toml:7:11: empty `origins` list",
            "[\"*\"] for any origin without credentials",
        ),
        (
            cors("origins = [\"*\"]\nheaders = [\"Last Event ID\"]"),
            "routes.toml:8:12: \"Last Event ID\" is not a header name",
            "\"Last-Event-ID\"",
        ),
        (
            cors("origins = [\"*\"]\nmethods = [\"get\"]"),
            "routes.toml:8:12: unknown method \"get\"",
            "write \"GET\"",
        ),
        (
            cors("origins = [\"*\"]\nmethods = []"),
            "routes.toml:8:11: empty `methods` list",
            "remove `methods` to allow GET, HEAD and POST",
        ),
    ]);
}

#[test]
fn a_policy_no_route_names_is_a_warning() {
    let routes = format!("{ROUTE}[auth.admins]\n{SECRET}\n\n[cors.front-end]\norigins = [\"*\"]\n");
    let table = input(&routes, FASTLY)
        .table()
        .expect("a warning fails no build");
    let warnings: Vec<String> = table
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.location, w.message))
        .collect();
    assert_eq!(
        warnings,
        [
            "routes.toml:5:7: auth policy `admins` is named by no route",
            "routes.toml:8:7: cors policy `front-end` is named by no route",
        ]
    );
    let help = table.warnings[0].help.as_deref().unwrap_or_default();
    assert_eq!(
        help,
        "name it on a route with auth = \"admins\", or remove [auth.admins]"
    );
    let rendered = table.warnings[0].render(&input(&routes, FASTLY).sources());
    assert!(rendered.starts_with("warning: auth policy"), "{rendered}");
}

#[test]
fn a_misspelt_key_in_a_policy_is_named() {
    let (error, help) = refused(&auth(&format!("{SECRET}\nleway = 10")));
    assert_eq!(error, "routes.toml:8:1: unknown key `leway`");
    assert_eq!(help, "did you mean `leeway`?");
    let (error, help) = refused(&cors("origins = [\"*\"]\nmax_ages = 10"));
    assert_eq!(error, "routes.toml:8:1: unknown key `max_ages`");
    assert_eq!(help, "did you mean `max_age`?");
}

/// `[[route]]` of `mode` on channel `a` with the extra `keys`.
fn answer_route(mode: &str, keys: &str) -> String {
    format!("[[route]]\npath = \"/a\"\nanswer = \"{mode}\"\nchannels = [\"a\"]\n{keys}\n")
}

#[test]
fn keep_alives_in_every_form_are_accepted() {
    for (mode, keys) in [
        ("sse", "keep_alive = 20"),
        ("sse", "keep_alive = { interval = 5, mode = \"interval\" }"),
        (
            "sse",
            "keep_alive = { content = \"event: ping\\ndata: \\n\\n\" }",
        ),
        ("stream", "keep_alive = 20"),
        (
            "stream",
            "content_type = \"application/x-ndjson\"\nkeep_alive = { content = \"{}\\n\" }",
        ),
        (
            "ws-echo",
            "keep_alive = { interval = 30, content = \"ping\" }",
        ),
        (
            "sse",
            "initial_body = \"retry: 3000\\n: hello\\nevent: open\\ndata\\n\\n\"",
        ),
    ] {
        accepted(&answer_route(mode, keys));
    }
}

#[test]
fn a_bad_keep_alive_is_refused_where_it_is_written() {
    let cases = [
        (
            "sse",
            "keep_alive = { interval = 60 }",
            "routes.toml:5:27: keep_alive = 60 is out of range: it must be 5 to 55 seconds",
            "write e.g. keep_alive = 20",
        ),
        (
            "sse",
            "keep_alive = { mode = \"often\" }",
            "routes.toml:5:23: unknown keep-alive mode \"often\"",
            "mode = \"idle\"",
        ),
        (
            "sse",
            "keep_alive = { content = \"ping\\n\\n\" }",
            "routes.toml:5:26: keep_alive content has SSE field \"ping\", which EventSource ignores",
            "retry: 3000",
        ),
        (
            "ws-echo",
            "keep_alive = { content = \"\" }",
            "routes.toml:5:26: a keep-alive's content must be 1 to 1024 bytes",
            "content =",
        ),
        (
            "stream",
            "content_type = \"application/octet-stream\"\nkeep_alive = 20",
            "routes.toml:6:14: a keep-alive on a stream of application/octet-stream needs its `content`",
            "bytes your clients skip",
        ),
        (
            "sse",
            "keep_alive = { every = 5 }",
            "routes.toml:5:",
            "`interval`, `mode`, `content`",
        ),
    ];
    for (mode, keys, error, help) in cases {
        let (got, got_help) = refused(&answer_route(mode, keys));
        assert!(got.starts_with(error), "{got}");
        assert!(got_help.contains(help), "{got_help}");
    }
}

#[test]
fn an_sse_initial_body_must_be_sse() {
    let cases = [
        (
            "initial_body = \"retry: 3000\\n\"",
            "routes.toml:5:16: initial_body must end with a blank line",
        ),
        (
            "initial_body = \"retry: soon\\n\\n\"",
            "routes.toml:5:16: initial_body has retry: \"soon\", not a number of milliseconds",
        ),
        (
            "initial_body = \"data: a\\nhello\\n\\n\"",
            "routes.toml:5:16: initial_body has SSE field \"hello\", which EventSource ignores",
        ),
        (
            "initial_body = 'data: a'",
            "routes.toml:5:17: initial_body must end with a blank line",
        ),
        (
            "initial_body = \"\"\"\ndata: a\nretry: x\n\n\"\"\"",
            "routes.toml:5:16: initial_body has retry: \"x\"",
        ),
    ];
    for (keys, error) in cases {
        let (got, _) = refused(&answer_route("sse", keys));
        assert!(got.starts_with(error), "{keys}: {got}");
    }
}

#[test]
fn reliable_routes_are_accepted_on_stream_and_sse() {
    accepted(&answer_route("sse", "reliable = { history = \"origin\" }"));
    accepted(&answer_route(
        "stream",
        "reliable = { history = \"api\", path = \"/v1/history\", query = \"lastEventId\" }",
    ));
}

#[test]
fn hosts_with_ports_dots_and_stray_wildcards() {
    let (at, help) = refused(
        "[[route]]\nprefix = \"/\"\nhosts = [\"api.example.com:443\"]\nfanout = \"origin\"\n",
    );
    assert_eq!(
        at,
        "routes.toml:3:10: host \"api.example.com:443\" has a port, and ports are ignored"
    );
    assert_eq!(help, "write \"api.example.com\"");
    let (at, _) =
        refused("[[route]]\nprefix = \"/\"\nhosts = [\"a.*.com\"]\nfanout = \"origin\"\n");
    assert!(
        at.starts_with("routes.toml:3:10: host \"a.*.com\" has a `*`"),
        "{at}"
    );
    let (at, help) = refused("[[route]]\nprefix = \"/\"\nhosts = [\"*\"]\nfanout = \"origin\"\n");
    assert_eq!(
        (at.as_str(), help.as_str()),
        (
            "routes.toml:3:10: `*` is every host",
            "remove `hosts` to take every host"
        )
    );
}

#[test]
fn conditions_one_request_can_meet_both_point_at_both() {
    let routes = "[[route]]\nprefix = \"/events\"\naccept = \"text/event-stream\"\nfanout = \"origin\"\n\n\
                  [[route]]\nprefix = \"/events\"\nwebsocket = true\nfanout = \"origin\"\n";
    let (at, help) = refused(routes);
    assert_eq!(
        at,
        "routes.toml:7:10: one request can meet the conditions of this route (websocket = true) \
         and of the route on line 1 (accept = \"text/event-stream\"), on the same pattern"
    );
    assert!(
        help.starts_with("make the conditions exclude each other"),
        "{help}"
    );
    // Exclusive conditions, or another host, coexist.
    accepted(&routes.replace(
        "accept = \"text/event-stream\"\n",
        "accept = \"text/event-stream\"\nwebsocket = false\n",
    ));
    accepted(&routes.replace(
        "websocket = true\n",
        "websocket = true\nhosts = [\"ws.example.com\"]\n",
    ));
    let headers = "[[route]]\nprefix = \"/\"\nheaders = { x-a = \"1\" }\nfanout = \"origin\"\n\n\
                   [[route]]\nprefix = \"/\"\nheaders = { x-b = \"1\" }\nfanout = \"origin\"\n";
    assert!(
        refused(headers)
            .0
            .starts_with("routes.toml:7:10: one request can meet")
    );
    accepted(&headers.replace("x-b", "x-a").replace(
        "x-a = \"1\" }\nfanout = \"origin\"\n\n",
        "x-a = \"2\" }\nfanout = \"origin\"\n\n",
    ));
}

#[test]
fn a_bad_reliable_table_is_refused_where_it_is_written() {
    let cases = [
        (
            "reliable = { path = \"/h\" }",
            "routes.toml:5:12: `reliable` needs the `history` backend",
            "history = \"origin\"",
        ),
        (
            "reliable = { history = \"nowhere\" }",
            "routes.toml:5:24: backend `nowhere` is declared in fastly.toml neither",
            "declare it in fastly.toml",
        ),
        (
            "reliable = { history = \"origin\", path = \"history\" }",
            "routes.toml:5:42: the history path must start with `/`",
            "path = \"/history\"",
        ),
        (
            "reliable = { history = \"origin\", path = \"/h?x=1\" }",
            "routes.toml:5:44: the history path must start with `/`",
            "path = \"/history\"",
        ),
        (
            "reliable = { history = \"origin\", query = \"last id\" }",
            "routes.toml:5:47: query = \"last id\" is not a query parameter name",
            "last_event_id",
        ),
        (
            "reliable = { history = \"origin\", query = \"grip_next\" }",
            "routes.toml:5:43: query = \"grip_next\" is not a query parameter name",
            "last_event_id",
        ),
        (
            "reliable = { history = \"self\" }",
            "routes.toml:5:24: backend `self` is the app itself",
            "answer =",
        ),
    ];
    for (keys, error, help) in cases {
        let (got, got_help) = refused(&answer_route("sse", keys));
        assert!(got.starts_with(error), "{keys}: {got}");
        assert!(got_help.contains(help), "{got_help}");
    }
    let two = "[[route]]\npath = \"/a\"\nanswer = \"sse\"\nchannels = [\"a\", \"b\"]\nreliable = { history = \"origin\" }\n";
    let (got, got_help) = refused(two);
    assert_eq!(got, "routes.toml:4:12: a reliable route has one channel");
    assert!(got_help.contains("one last id"), "{got_help}");
}

#[test]
fn a_rewrite_that_cannot_apply() {
    let (at, help) = refused(
        "[[route]]\npath = \"/api\"\nfanout = \"origin\"\nrewrite = { prefix = \"/v2\" }\n",
    );
    assert_eq!(
        at,
        "routes.toml:4:11: `rewrite = { prefix }` replaces the matched prefix, and this is a `path` route"
    );
    assert!(help.contains("`prefix` instead of `path`"), "{help}");
    let (at, _) = refused(
        "[[route]]\nprefix = \"/api\"\nanswer = \"sse\"\nchannels = [\"a\"]\nrewrite = { prefix = \"/v2\" }\n",
    );
    assert!(at.contains("not to an answer route"), "{at}");
    let (at, help) = refused(
        "[[route]]\nprefix = \"/api\"\nfanout = \"origin\"\nrewrite = { prefix = \"/v2/../v3/\" }\n",
    );
    assert_eq!(
        at,
        "routes.toml:4:22: rewrite prefix \"/v2/../v3/\" would send paths that are not in normal form"
    );
    assert_eq!(help, "write \"/v3\", its normal form");
}

#[test]
fn request_headers_the_app_owns_or_that_are_not_names() {
    let route = |headers: &str| {
        format!("[[route]]\nprefix = \"/\"\ndirect = \"origin\"\nrequest_headers = {headers}\n")
    };
    let (at, help) = refused(&route("{ add = { \"X-Forwarded-For\" = \"1.2.3.4\" } }"));
    assert_eq!(
        at,
        "routes.toml:4:29: the app or the platform sets \"X-Forwarded-For\" itself"
    );
    assert!(help.contains("Grip-*"), "{help}");
    let (at, _) = refused(&route("{ remove = [\"Grip-Sig\"] }"));
    assert!(
        at.starts_with("routes.toml:4:31: the app or the platform sets"),
        "{at}"
    );
    let (at, _) = refused(&route("{ add = { \"bad name\" = \"x\" } }"));
    assert!(at.ends_with("\"bad name\" is not a header name"), "{at}");
    let (at, _) = refused(&route(
        "{ add = { \"x-env\" = \"a\" }, remove = [\"X-Env\"] }",
    ));
    assert!(
        at.ends_with("header \"x-env\" is both added and removed"),
        "{at}"
    );
    accepted(&route(
        "{ add = { \"X-Env\" = \"edge\" }, remove = [\"Cookie\"] }",
    ));
}
