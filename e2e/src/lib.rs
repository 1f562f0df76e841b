//! Helpers of the end-to-end tests in `tests/e2e.rs` and `tests/faults.rs`, and of the load
//! script in `src/bin/load` (LOAD.md): the stacks they run against, and
//! real clients (streaming HTTP, SSE, WebSocket) plus publishing through Pushpin's real
//! `/publish/` endpoint; and a WebDriver client for the browser test in `tests/browser.rs`.

pub mod body_reader;
pub mod fixture;
pub mod http;
pub mod publish;
pub mod raw;
pub mod shared;
pub mod sse;
pub mod tokens;
pub mod webdriver;
pub mod websocket;

pub use body_reader::BodyReader;
pub use fixture::{Endpoints, Fixture};
pub use publish::Publisher;
