//! Everything fanout-router does that needs no Fastly host API, so it builds and is tested
//! natively: the route table the generated lookup returns, channel names, the GRIP answers
//! of each mode and the WebSocket-over-HTTP codec.

pub mod answer;
pub mod channel;
pub mod grip_sig;
pub mod method;
pub mod route;
pub mod websocket;
