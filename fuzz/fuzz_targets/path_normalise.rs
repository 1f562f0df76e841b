//! The path normal form on arbitrary text: `normalise` never panics, and what it returns is
//! in normal form by an independent check and normalises to itself.

#![no_main]

use fanout_router_core::path::normalise;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|path: &str| {
    let Ok(normal) = normalise(path) else {
        return;
    };
    assert!(normal.starts_with('/'), "{normal:?} is absolute");
    assert!(!normal.contains("//"), "{normal:?} has no empty segment");
    assert!(!normal.contains('\\'), "{normal:?} has no backslash");
    for segment in normal.split('/') {
        assert!(
            segment != "." && segment != "..",
            "{normal:?} has no dot segment"
        );
    }
    let bytes = normal.as_bytes();
    for (i, _) in normal.match_indices('%') {
        let hex = bytes.get(i + 1..i + 3).expect("an escape has two digits");
        assert!(
            hex.iter()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b)),
            "{normal:?}: escape in upper-case hex"
        );
        let value = u8::from_str_radix(std::str::from_utf8(hex).unwrap(), 16).unwrap();
        assert!(
            !(value.is_ascii_alphanumeric() || b"-._~/\\".contains(&value)),
            "{normal:?}: %{value:02X} should have been decoded or refused"
        );
        assert!(
            value >= 0x20 && value != 0x7f,
            "{normal:?}: escaped control"
        );
    }
    assert_eq!(
        normalise(&normal).as_deref(),
        Ok(normal.as_str()),
        "idempotent"
    );
});
