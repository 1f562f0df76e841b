//! The route table and lookup generated from routes.toml by `build.rs`; the reviewed copy
//! is generated/routes.rs.

// The generator keeps one uniform shape per trie node rather than the tersest code, and
// `ROUTES` serves tools while the handler needs only `lookup`.
#![allow(dead_code, clippy::collapsible_if, clippy::collapsible_match)]

include!(concat!(env!("OUT_DIR"), "/routes.rs"));
