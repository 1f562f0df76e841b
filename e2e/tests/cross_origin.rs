//! A browser front end on another origin, in headless Chromium through ChromeDriver, against
//! the app built from e2e/routes.toml: two pages, generated here with the app's URLs and
//! tokens baked in, served on the origin that `[cors.front-end]` allows
//! (`http://127.0.0.1:7690`) and on one that it does not (`http://127.0.0.1:7691`). Each
//! opens an EventSource on alice's events, with her token in the query, and a WebSocket to
//! the lobby, with a room token, and records what happens. From the allowed origin both open,
//! a publish to `user-alice` arrives as an event and the WebSocket echoes; from the other,
//! the browser blocks the event stream (no `Access-Control-Allow-Origin` for that origin) and
//! the app refuses the WebSocket handshake with a 403 (its cross-site WebSocket check), and
//! neither receives anything.
//!
//! `cargo test -p e2e` runs it with the other end-to-end tests; `--test cross_origin` runs
//! it alone. Ports 7690 and 7691 on 127.0.0.1 must be free.

use std::sync::{Arc, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use e2e::http::{client, header};
use e2e::publish::http_stream;
use e2e::raw::{self, WEBSOCKET_HANDSHAKE};
use e2e::tokens::{room_token, user_token};
use e2e::webdriver::{Browser, ChromeDriver, wait_until};
use e2e::{Endpoints, Fixture, Publisher};
use fanout_router_stack::{Origin, Publishing, paths, signals};
use serde_json::{Value, json};
use tiny_http::{Header, Response, Server};
use tokio::time::{Instant, sleep};

/// The fixture's name, and so its stack's run directory, `target/stack/cross-origin`.
const NAME: &str = "cross-origin";
/// The port of the origin `[cors.front-end]` allows, and of one it does not.
const ALLOWED_PORT: u16 = 7690;
const OTHER_PORT: u16 = 7691;
/// What the page sends on its WebSocket once it is open.
const ECHO: &str = "hello from the front end";
/// What is published to alice's channel while a page is open.
const NOTE: &str = "a note for alice";
/// How long a page has for each thing it should do.
const DEADLINE: Duration = Duration::from_secs(10);
/// How long the page on the other origin is watched for anything arriving.
const QUIET: Duration = Duration::from_secs(1);
const WINDOW: (u32, u32) = (800, 600);

#[tokio::test]
async fn only_the_allowed_origin_s_page_holds_an_event_stream_and_a_websocket() {
    signals::stop_children_on_signal();
    // First, so that a port that is taken fails the test before anything is built.
    let allowed = PageServer::start(ALLOWED_PORT);
    let other = PageServer::start(OTHER_PORT);
    let mut fixture = Fixture::new(NAME, Publishing::Off);
    let stack = fixture.endpoints(Origin::Demo);
    let page = page(&stack);
    allowed.serve(&page);
    other.serve(&page);
    let run_dir = paths::run_dir(NAME);
    let chromedriver = ChromeDriver::start(&run_dir.join("chromedriver.log"))
        .unwrap_or_else(|error| panic!("ChromeDriver did not start: {error}"));
    let browser = chromedriver
        .browser(&run_dir.join("chromium-profile"), WINDOW)
        .await
        .unwrap_or_else(|error| panic!("Chromium did not start: {error}"));
    let publisher = Publisher::new(&client(), &stack.publish);

    from_the_allowed_origin(&browser, &publisher, &allowed.url())
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    from_another_origin(&browser, &publisher, &stack, &other.url())
        .await
        .unwrap_or_else(|error| panic!("{error}"));

    browser.quit().await.expect("Chromium closes");
    let deaths = fixture.deaths();
    assert!(deaths.is_empty(), "the stack lost a process: {deaths:?}");
}

async fn from_the_allowed_origin(
    browser: &Browser,
    publisher: &Publisher,
    url: &str,
) -> Result<(), String> {
    browser.goto(url).await?;
    wait_for(
        browser,
        "the event stream and the WebSocket to open",
        |page| page.sse.opened && page.websocket.opened,
    )
    .await?;
    wait_for(browser, "the WebSocket's echo", |page| {
        page.websocket.messages.iter().any(|m| m == ECHO)
    })
    .await?;
    let event = format!("data: {NOTE}\n\n");
    let arrived = wait_for(browser, "the published event", |page| {
        page.sse.messages.iter().any(|m| m == NOTE)
    });
    publisher
        .publish_until("user-alice", http_stream(&event), arrived)
        .await?;
    let page = results(browser).await?;
    if page.sse.errors > 0 || page.websocket.errors > 0 {
        return Err(format!("errors on the allowed origin: {page:?}"));
    }
    Ok(())
}

async fn from_another_origin(
    browser: &Browser,
    publisher: &Publisher,
    stack: &Endpoints,
    url: &str,
) -> Result<(), String> {
    browser.console_log().await?; // what the allowed page logged
    browser.goto(url).await?;
    wait_for(
        browser,
        "the event stream and the WebSocket to fail",
        |page| page.sse.errors > 0 && page.websocket.closed.is_some(),
    )
    .await?;
    // Anything published now must not reach the page.
    let event = format!("data: {NOTE}\n\n");
    let quiet = Instant::now() + QUIET;
    while Instant::now() < quiet {
        publisher.publish("user-alice", http_stream(&event)).await;
        sleep(Duration::from_millis(250)).await;
    }
    let page = results(browser).await?;
    let received = !page.sse.messages.is_empty() || !page.websocket.messages.is_empty();
    if page.sse.opened || page.websocket.opened || received {
        return Err(format!(
            "the page on the other origin got through: {page:?}"
        ));
    }
    if page.websocket.closed != Some(1006) {
        return Err(format!("the WebSocket was not refused: {page:?}"));
    }

    // Why, as the browser tells it: ...
    let console = browser.console_log().await?.join("\n");
    let other = url.trim_end_matches('/');
    for (what, wanted) in [
        (
            "the event stream",
            "No 'Access-Control-Allow-Origin' header",
        ),
        ("the WebSocket", "Unexpected response code: 403"),
    ] {
        if !console.contains(wanted) {
            return Err(format!(
                "the console does not say why {what} failed ({wanted:?}): {console}"
            ));
        }
    }
    // ... and as the app answers the same requests from that origin.
    let origin = format!("Origin: {other}");
    let response = client()
        .get(stack.url(&events_path()))
        .header("Origin", other)
        .send()
        .await
        .map_err(|error| error.to_string())?;
    if response.status() != 200 || header(&response, "access-control-allow-origin") != "(none)" {
        return Err(format!("the event stream from {other}: {response:?}"));
    }
    let mut headers: Vec<&[u8]> = WEBSOCKET_HANDSHAKE.to_vec();
    headers.push(origin.as_bytes());
    let handshake = raw::request(&stack.app, "GET", websocket_path().as_bytes(), &headers).await;
    if handshake.status != 403 {
        return Err(format!("the WebSocket from {other}: {}", handshake.head));
    }
    Ok(())
}

fn events_path() -> String {
    format!(
        "/users/alice/events?access_token={}",
        user_token("alice", 600)
    )
}

fn websocket_path() -> String {
    format!("/chat/lobby?token={}", room_token(&["room-lobby"]))
}

/// The front end's page: an EventSource and a WebSocket to the app, and what happens to
/// them in `window.results`.
fn page(stack: &Endpoints) -> String {
    let constants = json!({
        "events": stack.url(&events_path()),
        "websocket": stack.ws_url(&websocket_path()),
        "echo": ECHO,
    });
    format!(
        r#"<!doctype html>
<meta charset="utf-8">
<title>A front end on another origin</title>
<script>
const app = {constants};
const results = window.results = {{
  sse: {{ opened: false, errors: 0, messages: [] }},
  websocket: {{ opened: false, errors: 0, closed: null, messages: [] }},
}};
const events = new EventSource(app.events);
events.onopen = () => {{ results.sse.opened = true; }};
events.onmessage = (event) => {{ results.sse.messages.push(event.data); }};
events.onerror = () => {{ results.sse.errors += 1; }};
const socket = new WebSocket(app.websocket);
socket.onopen = () => {{ results.websocket.opened = true; socket.send(app.echo); }};
socket.onmessage = (event) => {{ results.websocket.messages.push(String(event.data)); }};
socket.onerror = () => {{ results.websocket.errors += 1; }};
socket.onclose = (event) => {{ results.websocket.closed = event.code; }};
</script>
"#
    )
}

/// What the page recorded of one connection.
#[derive(Debug, Default)]
struct Connection {
    opened: bool,
    errors: u64,
    /// The close code, once closed (WebSocket only).
    closed: Option<u64>,
    messages: Vec<String>,
}

#[derive(Debug)]
struct Results {
    sse: Connection,
    websocket: Connection,
}

async fn results(browser: &Browser) -> Result<Results, String> {
    let results = browser.execute("return window.results").await?;
    let connection = |value: &Value| Connection {
        opened: value["opened"] == true,
        errors: value["errors"].as_u64().unwrap_or_default(),
        closed: value["closed"].as_u64(),
        messages: value["messages"]
            .as_array()
            .map(|messages| {
                let text = |m: &Value| m.as_str().unwrap_or_default().to_string();
                messages.iter().map(text).collect()
            })
            .unwrap_or_default(),
    };
    if !results.is_object() {
        return Err(format!("the page has no results: {results}"));
    }
    Ok(Results {
        sse: connection(&results["sse"]),
        websocket: connection(&results["websocket"]),
    })
}

/// Polls the page until `done` holds, for at most `DEADLINE`.
async fn wait_for(
    browser: &Browser,
    what: &str,
    done: impl Fn(&Results) -> bool,
) -> Result<(), String> {
    wait_until(what, DEADLINE, || results(browser), done).await
}

/// Serves one page at `/` on 127.0.0.1:`port` (any other path is a 404) until dropped.
struct PageServer {
    server: Arc<Server>,
    port: u16,
    page: Arc<OnceLock<String>>,
    thread: Option<JoinHandle<()>>,
}

impl PageServer {
    /// Listens on `port` at once, failing the test when it is taken; the page is what
    /// `serve` gives it later (until then, a 503).
    fn start(port: u16) -> PageServer {
        let server = Server::http(("127.0.0.1", port)).unwrap_or_else(|error| {
            panic!(
                "cannot listen on 127.0.0.1:{port} ({error}): this test serves its pages on \
                 ports {ALLOWED_PORT} (the origin e2e/routes.toml's [cors.front-end] allows) \
                 and {OTHER_PORT}; stop whatever listens there"
            )
        });
        let server = Arc::new(server);
        let page = Arc::new(OnceLock::<String>::new());
        let thread = thread::spawn({
            let (server, page) = (server.clone(), page.clone());
            move || {
                // Ends when `Drop` unblocks the server.
                for request in server.incoming_requests() {
                    let response = match (request.url(), page.get()) {
                        ("/", Some(page)) => Response::from_string(page.clone()).with_header(
                            Header::from_bytes("Content-Type", "text/html; charset=utf-8")
                                .expect("a header"),
                        ),
                        ("/", None) => Response::from_string("not yet\n").with_status_code(503),
                        _ => Response::from_string("not found\n").with_status_code(404),
                    };
                    let _ = request.respond(response);
                }
            }
        });
        PageServer {
            server,
            port,
            page,
            thread: Some(thread),
        }
    }

    fn serve(&self, page: &str) {
        self.page.set(page.to_string()).expect("one page");
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
