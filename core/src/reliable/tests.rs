use super::*;
use crate::route::{KeepAlive, KeepAliveMode};

static RELIABLE: Reliable = Reliable {
    backend: "origin",
    path: "/history",
    last_event_id_query: "last_event_id",
};

static SSE: Mode = Mode::Sse {
    keep_alive: KeepAlive {
        interval_secs: 20,
        mode: KeepAliveMode::Idle,
        content: ":\n\n",
    },
    initial_body: "retry: 3000\n\n",
    reliable: Some(Reliable {
        backend: "origin",
        path: "/history",
        last_event_id_query: "last_event_id",
    }),
};

static STREAM: Mode = Mode::Stream {
    content_type: "text/plain",
    initial_body: "open\n",
    keep_alive: None,
    reliable: None,
};

/// What the host hands `after_history`.
type Fetched = Result<(u16, Vec<u8>), String>;

struct Fake(&'static [(&'static str, &'static [u8])]);

impl Headers for Fake {
    fn get(&self, name: &str) -> Option<&[u8]> {
        let found = self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, value)| *value)
    }
}

fn read(mode: &'static Mode, query: Option<&str>, headers: &'static [(&str, &[u8])]) -> Resume {
    let channels = vec!["news".to_owned()];
    Resume::read(mode, &RELIABLE, channels, "/feed", query, &Fake(headers))
}

fn body(response: &Response) -> &str {
    std::str::from_utf8(&response.body).unwrap()
}

#[test]
fn a_client_with_a_last_event_id_is_held_after_it_with_a_link_back() {
    let resume = read(&SSE, None, &[("Last-Event-ID", b"41")]);
    let answer = resume.answer();
    assert_eq!(answer.header("Grip-Channel"), Some("news; prev-id=41"));
    assert_eq!(
        answer.header("Grip-Link"),
        Some("</feed?grip_next=news>; rel=next; timeout=120")
    );
    assert_eq!(answer.header("Grip-Hold"), Some("stream"));
    assert_eq!(body(&answer), "retry: 3000\n\n");
}

#[test]
fn the_query_parameter_stands_in_for_the_header_and_the_header_wins() {
    let resume = read(&SSE, Some("a=1&last_event_id=x%2D9"), &[]);
    assert_eq!(resume.last_id.as_deref(), Some("x-9"));
    let resume = read(&SSE, Some("last_event_id=1"), &[("Last-Event-ID", b"2")]);
    assert_eq!(resume.last_id.as_deref(), Some("2"));
}

#[test]
fn a_client_without_a_usable_last_id_is_held_live() {
    const BAD_ID: &[(&str, &[u8])] = &[("Last-Event-ID", b"a;b")];
    for headers in [&[][..], BAD_ID] {
        let resume = read(&SSE, None, headers);
        assert_eq!(resume.answer().header("Grip-Channel"), Some("news"));
    }
}

#[test]
fn a_next_link_reads_grip_last_of_its_channel_and_never_the_client_s_header() {
    let resume = read(
        &SSE,
        Some("grip_next=news"),
        &[
            ("Grip-Last", b"other; last-id=1, news; last-id=5"),
            ("Last-Event-ID", b"2"),
        ],
    );
    assert!(resume.needs_history());
    assert_eq!(resume.last_id.as_deref(), Some("5"));
    let without = read(&SSE, Some("grip_next=news"), &[("Last-Event-ID", b"2")]);
    assert!(!without.needs_history());
    assert_eq!(
        body(&without.answer()),
        "",
        "a next link never repeats the opening"
    );
}

fn next_link(mode: &'static Mode) -> Resume {
    read(
        mode,
        Some("grip_next=news"),
        &[("Grip-Last", b"news; last-id=5")],
    )
}

#[test]
fn the_missed_items_are_answered_in_order_with_ids_and_the_hold_moves_past_them() {
    let history = br#"{"items":[
        {"id":"6","prev-id":"5","content":"data: six\n\n"},
        {"id":"7","prev-id":"6","content":"id: 7\ndata: seven\n\n"}]}"#;
    let (answer, problem) = next_link(&SSE).after_history(Ok((200, history.to_vec())));
    assert_eq!(problem, None);
    assert_eq!(body(&answer), "id: 6\ndata: six\n\nid: 7\ndata: seven\n\n");
    assert_eq!(answer.header("Grip-Channel"), Some("news; prev-id=7"));
    assert!(answer.header("Grip-Link").is_some());
}

#[test]
fn a_stream_gets_the_content_as_published() {
    let history = br#"{"items":[{"id":"6","content":"six\n"}]}"#;
    let (answer, _) = next_link(&STREAM).after_history(Ok((200, history.to_vec())));
    assert_eq!(body(&answer), "six\n");
    assert_eq!(answer.header("Grip-Channel"), Some("news; prev-id=6"));
}

#[test]
fn nothing_missed_keeps_the_hold_where_it_was() {
    let (answer, problem) = next_link(&SSE).after_history(Ok((200, br#"{"items":[]}"#.to_vec())));
    assert_eq!((body(&answer), problem), ("", None));
    assert_eq!(answer.header("Grip-Channel"), Some("news; prev-id=5"));
}

#[test]
fn a_history_that_is_down_or_garbage_keeps_the_stream_and_says_why() {
    let cases: [(Fetched, &str); 6] = [
        (Err("connection refused".into()), "connection refused"),
        (Ok((503, Vec::new())), "status 503"),
        (Ok((200, b"<html>".to_vec())), "not JSON"),
        (Ok((200, br#"{"list":[]}"#.to_vec())), "no `items`"),
        (
            Ok((200, br#"{"items":[{"id":"a b","content":""}]}"#.to_vec())),
            "no valid `id`",
        ),
        (
            Ok((
                200,
                br#"{"items":[{"id":"9","prev-id":"8","content":""}]}"#.to_vec(),
            )),
            "prev-id 8, but follows id 5",
        ),
    ];
    for (fetched, why) in cases {
        let (answer, problem) = next_link(&SSE).after_history(fetched);
        let problem = problem.expect("a problem is reported");
        assert!(problem.contains(why), "{problem}");
        assert!(problem.contains("backend `origin`"), "{problem}");
        assert_eq!(answer.status, 200);
        assert_eq!(body(&answer), "");
        assert_eq!(answer.header("Grip-Hold"), Some("stream"));
        assert_eq!(answer.header("Grip-Channel"), Some("news; prev-id=5"));
    }
    let huge = vec![b' '; MAX_HISTORY_BYTES + 1];
    let (_, problem) = next_link(&SSE).after_history(Ok((200, huge)));
    assert!(problem.unwrap().contains("bytes"));
}

#[test]
fn one_answer_carries_at_most_its_byte_limit_and_the_rest_waits() {
    let content = "x".repeat(MAX_BODY_BYTES / 2 + 1);
    let items: Vec<Value> = (6..9)
        .map(|id| serde_json::json!({ "id": id.to_string(), "content": content }))
        .collect();
    let history = serde_json::json!({ "items": items }).to_string();
    let (answer, _) = next_link(&STREAM).after_history(Ok((200, history.into_bytes())));
    assert_eq!(answer.body.len(), content.len());
    assert_eq!(answer.header("Grip-Channel"), Some("news; prev-id=6"));
}

#[test]
fn ids_are_header_safe() {
    assert!(valid_id("2024-05-01T10:00:00Z.17"));
    for bad in ["", "a b", "a,b", "a;b", "a\"b", "a=b", "é"] {
        assert!(!valid_id(bad), "{bad}");
    }
    assert!(!valid_id(&"1".repeat(MAX_ID_BYTES + 1)));
}

#[test]
fn the_history_target_escapes_channel_and_id() {
    let resume = Resume {
        channel: "a b".into(),
        last_id: Some("x/y".into()),
        ..next_link(&SSE)
    };
    assert_eq!(
        resume.history_target(),
        "/history?channel=a%20b&after=x%2Fy&limit=100"
    );
}
