//! Everything fanout-router does that needs no Fastly host API, so it builds and is tested
//! natively: the route table the generated lookup returns, channel names, the GRIP answers
//! of each mode and the WebSocket-over-HTTP codec.

pub mod answer;
pub mod auth;
pub mod channel;
pub mod cors;
pub mod decision;
pub mod forwarding;
pub mod grip_sig;
pub mod jwt;
pub mod method;
pub mod path;
pub mod reliable;
pub mod response;
pub mod route;
pub mod rs256;
pub mod websocket;

/// ES256 under a key fixed at build time: a crate of its own so that it alone is compiled
/// for speed (root Cargo.toml).
pub use fanout_router_p256 as p256_fixed;
