#!/usr/bin/env bash
# The app's release .wasm under each release-profile choice, cumulative from cargo's
# defaults to the profile in Cargo.toml, plus single changes to it. Each variant builds in
# its own target dir (target/wasm-size/NAME) through CARGO_PROFILE_RELEASE_* variables, so
# Cargo.toml is untouched and a re-run is cached. Prints a Markdown table: bytes, gzip -9.
#
#   bash bench/scripts/wasm-size.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

variant() {
    local name=$1
    shift
    local dir=target/wasm-size/$name
    env "$@" cargo build --quiet --bin fanout-router --release --target wasm32-wasip1 \
        --target-dir "$dir"
    local wasm=$dir/wasm32-wasip1/release/fanout-router.wasm
    printf '| %s | %s | %s |\n' "$name" "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)"
}

defaults=(CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_PROFILE_RELEASE_LTO=false
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_STRIP=none
    CARGO_PROFILE_RELEASE_PANIC=unwind)

echo '| profile | .wasm bytes | gzip -9 bytes |'
echo '|---|---:|---:|'
variant 1-cargo-default "${defaults[@]}"
variant 2-strip "${defaults[@]}" CARGO_PROFILE_RELEASE_STRIP=true
variant 3-strip-lto "${defaults[@]}" CARGO_PROFILE_RELEASE_STRIP=true \
    CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
variant 4-strip-lto-s "${defaults[@]}" CARGO_PROFILE_RELEASE_STRIP=true \
    CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=s
variant 5-shipped-strip-lto-s-abort
variant 6-shipped-but-z CARGO_PROFILE_RELEASE_OPT_LEVEL=z
variant 7-shipped-but-opt3 CARGO_PROFILE_RELEASE_OPT_LEVEL=3
variant 8-shipped-but-thin-lto CARGO_PROFILE_RELEASE_LTO=thin
variant 9-starter-kit-profile CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_PROFILE_RELEASE_DEBUG=1 \
    CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    CARGO_PROFILE_RELEASE_STRIP=none CARGO_PROFILE_RELEASE_PANIC=unwind
