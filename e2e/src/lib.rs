//! Helpers of the end-to-end tests in `tests/` and of the load script in `src/bin/load`
//! (LOAD.md): the stacks they run against, and real clients (streaming HTTP, SSE,
//! WebSocket) plus publishing through Pushpin's real `/publish/` endpoint; and ChromeDriver
//! and a WebDriver client for the browser tests (`tests/browser.rs`, `tests/cross_origin.rs`).

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
pub use fixture::{Endpoints, Fixture, Routes};
pub use publish::Publisher;
