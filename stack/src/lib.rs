//! The local Fanout stack: Pushpin as Fanout, a small GRIP-aware demo origin (or the user's
//! own origins) and Viceroy running the app, on 127.0.0.1, with every run file under
//! `target/`.
//!
//! Shared by `cargo xtask serve`, `cargo xtask test` and the end-to-end tests, so that all
//! three set up and start the same thing.

pub mod app_build;
pub mod command;
pub mod demo_origin;
pub mod history;
pub mod manifest;
pub mod paths;
pub mod ports;
pub mod pushpin_config;
pub mod setup;
pub mod signals;
pub mod stack;
pub mod supervisor;

pub use demo_origin::Publishing;
pub use ports::{Port, Ports};
pub use stack::{Origin, Service, Stack, StackConfig};
