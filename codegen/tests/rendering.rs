//! Build errors read like rustc's: the line in question with the fault underlined, the
//! other place of a conflict labelled, and the help.

use fanout_router_codegen::{Diagnostic, Input, Source};

const FASTLY: &str = "[local_server.backends.origin]\nurl = \"http://127.0.0.1:8000/\"\n\n\
                      [local_server.backends.self]\nurl = \"http://127.0.0.1:7676/\"\n";

fn input(routes: &str) -> Input<'_> {
    Input {
        routes: Source::new("routes.toml", routes),
        fastly: Source::new("fastly.toml", FASTLY),
    }
}

fn refused(input: &Input) -> Vec<Diagnostic> {
    input.table().err().expect("routes.toml is refused")
}

/// Every error in `routes`, rendered, with a blank line between them.
fn rendered(routes: &str) -> String {
    let input = input(routes);
    let sources = input.sources();
    let all: Vec<String> = refused(&input).iter().map(|d| d.render(&sources)).collect();
    all.join("\n\n")
}

#[test]
fn underlines_the_offending_value_and_says_what_to_write() {
    let routes = "[[route]]\npath = \"/b\"\nanswer = \"steam\"\nchannels = [\"b\"]\n";
    assert_eq!(
        rendered(routes),
        r#"error: unknown answer mode "steam"
 --> routes.toml:3:10
  |
3 | answer = "steam"
  |          ^^^^^^^
  |
  = help: write answer = one of "stream", "sse", "long-poll", "ws-echo""#
    );
}

#[test]
fn a_duplicate_route_labels_both_places() {
    let routes = "[[route]]\npath = \"/a/{x}\"\nfanout = \"origin\"\n\n\
                  [[route]]\npath = \"/a/{y}\"\ndirect = \"origin\"\n";
    assert_eq!(
        rendered(routes),
        r#"error: this route matches the same requests as the route on line 1: same pattern and neither lists methods
 --> routes.toml:6:8
  |
2 | path = "/a/{x}"
  |        -------- the other route
...
6 | path = "/a/{y}"
  |        ^^^^^^^^ this route
  |
  = help: remove one, or give them disjoint `methods` lists"#
    );
}

#[test]
fn a_duplicate_on_one_line_labels_both_places() {
    let routes = "[[route]]\npath = \"/a\"\nanswer = \"sse\"\nchannels = [\"a\", \"a\"]\n";
    assert_eq!(
        rendered(routes),
        r#"error: channel "a" is listed twice
 --> routes.toml:4:18
  |
4 | channels = ["a", "a"]
  |             ---  ^^^ listed again here
  |             |
  |             first listed here
  |
  = help: list each channel once"#
    );
}

#[test]
fn a_fault_inside_a_value_gets_a_caret_at_the_fault() {
    let routes = "[[route]]\npath = \"/rooms/room-{id}\"\nfanout = \"origin\"\n";
    let text = rendered(routes);
    assert!(
        text.contains("2 | path = \"/rooms/room-{id}\"\n  |                     ^\n"),
        "{text}"
    );
}

#[test]
fn a_route_without_action_points_at_its_header_line_only() {
    let text = rendered("[[route]]\npath = \"/a\"\n");
    assert!(
        text.starts_with(
            "error: route has no action\n --> routes.toml:1:1\n  |\n1 | [[route]]\n  | ^^^^^^^^^\n"
        ),
        "{text}"
    );
}

#[test]
fn a_toml_syntax_error_is_rendered_at_the_fault() {
    let text = rendered("[[route]]\npath = \"/a\nfanout = \"origin\"\n");
    assert!(text.contains(" --> routes.toml:2:"), "{text}");
    assert!(text.contains("2 | path = \"/a\n"), "{text}");
}

#[test]
fn the_build_script_form_leaves_the_error_prefix_to_cargo() {
    let routes = "[[route]]\npath = \"a\"\nfanout = \"origin\"\n";
    let input = input(routes);
    let text = refused(&input)[0].render_for_cargo(&input.sources());
    assert!(
        text.starts_with("path must start with `/`\n --> routes.toml:2:9\n"),
        "{text}"
    );
}
