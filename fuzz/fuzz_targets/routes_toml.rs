//! routes.toml validation and generation on arbitrary text: never a panic; every error is
//! located inside the file; a file that validates generates Rust that parses.

#![no_main]

use fanout_router_codegen::{Input, Source, generate};
use libfuzzer_sys::fuzz_target;

const FASTLY: &str = include_str!("../../fastly.toml");

fuzz_target!(|text: &str| {
    let input = Input {
        routes: Source::new("routes.toml", text),
        fastly: Source::new("fastly.toml", FASTLY),
    };
    match input.table() {
        Ok(table) => {
            assert!(!table.routes.is_empty());
            let code = generate(&table);
            if let Err(e) = syn::parse_file(&code) {
                panic!("generated code does not parse: {e}\n{code}");
            }
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "refused without a diagnostic");
            // A position just past the end is where an unterminated construct is reported.
            let lines = text.split('\n').count();
            for d in &diagnostics {
                let at = &d.location;
                assert_eq!(at.file, "routes.toml", "{d}");
                assert!(at.line >= 1 && at.column >= 1, "{d}");
                assert!(at.line <= lines, "{d}: the file has {lines} lines");
                let line = text.split('\n').nth(at.line - 1).unwrap_or_default();
                assert!(
                    at.column <= line.chars().count() + 1,
                    "{d}: past the line's end"
                );
                // Rendering never panics either.
                let _ = d.to_string();
            }
        }
    }
});
