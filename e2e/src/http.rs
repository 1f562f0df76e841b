//! Plain HTTP calls of the tests and the checks they make on answers.

use std::future::Future;
use std::time::Duration;

use fanout_router_stack::demo_origin::Record;

/// The content type of the app's own plain-text answers.
pub const APP_TEXT: &str = "text/plain; charset=utf-8";

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("an HTTP client")
}

pub async fn get(url: &str) -> reqwest::Response {
    client()
        .get(url)
        .send()
        .await
        .unwrap_or_else(|error| panic!("GET {url}: {error}"))
}

pub fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap_or("(not UTF-8)"))
        .unwrap_or("(none)")
}

/// Asserts status, content type and whole body of a plain answer.
pub async fn assert_answer(
    response: reqwest::Response,
    status: u16,
    content_type: &str,
    body: &str,
) {
    assert_eq!(response.status(), status);
    assert_eq!(header(&response, "content-type"), content_type);
    assert_eq!(response.text().await.expect("a body"), body);
}

/// The demo origin's record of the request it received, from a 200 `text/plain` answer.
pub async fn origin_record(response: reqwest::Response) -> Record {
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "text/plain");
    let page = response.text().await.expect("a body");
    Record::parse(&page).unwrap_or_else(|| panic!("not the demo origin's record: {page:?}"))
}

/// A trial for each test function, named after it: `trials!(trial, &fixture, origin, [a, b])`
/// is `[trial(&fixture, origin, "a", a), trial(&fixture, origin, "b", b)]`.
#[macro_export]
macro_rules! trials {
    ($trial:ident, $fixture:expr, $origin:expr, [$($test:ident),* $(,)?]) => {
        [$($trial($fixture, $origin, stringify!($test), $test)),*]
    };
}

/// Runs an async test on a single-threaded runtime of its own, failing it when it takes
/// longer than `timeout`.
pub fn run_test(
    name: &str,
    timeout: Duration,
    test: impl Future<Output = ()>,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime
        // The timer must be made inside the runtime.
        .block_on(async { tokio::time::timeout(timeout, test).await })
        .map_err(|_| format!("{name} did not finish within {timeout:?}"))
}
