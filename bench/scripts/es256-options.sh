#!/usr/bin/env bash
# Grip-Sig ES256 verification in wasm under Viceroy, per build option of the P-256 code:
#   release        the shipped release profile
#   crypto-opt3    opt-level 3 for the crates of p256 only (the rest stays "s")
#   p256-tables    p256's `precomputed-tables` feature (a basepoint table built lazily)
#   cpubits-32     crypto-bigint and p256 on 32-bit limbs (wasm32 gets 64-bit ones, whose
#                  64x64->128 multiplies are emulated by __multi3)
# Each builds bench/examples/auth_timer.rs in its own target dir (target/es256/NAME). The
# cost of a call is the CPU time (user + sys, /usr/bin/time) of `auth_timer CALLS` less
# that of `auth_timer 0` (Viceroy's start and compile), over CALLS calls, the median of
# ROUNDS rounds, the options run in turn within a round: CPU time, not wall-clock time, so
# that a busy machine shows less in the figure. Prints a Markdown table.
#
#   bash bench/scripts/es256-options.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

VICEROY=${VICEROY:-$HOME/.cache/fanout-router/viceroy-0.22.0/bin/viceroy}
CALLS=${CALLS:-300}
ROUNDS=${ROUNDS:-5}
names=(release crypto-opt3 p256-tables cpubits-32)

crypto_opt3=()
for crate in p256 primeorder primefield crypto-bigint elliptic-curve ecdsa sha2; do
    crypto_opt3+=(--config "profile.release.package.$crate.opt-level=3")
done

build() {
    local name=$1
    shift
    env "${env[@]}" cargo build --quiet -p fanout-router-bench --example auth_timer --release \
        --target wasm32-wasip1 --target-dir "target/es256/$name" "$@"
}
env=()
build release
build crypto-opt3 "${crypto_opt3[@]}"
build p256-tables --features p256/precomputed-tables,p256/std
env=(RUSTFLAGS='--cfg cpubits="32"')
build cpubits-32

cpu_seconds() {
    /usr/bin/time -f '%U %S' "$VICEROY" run "target/es256/$1/wasm32-wasip1/release/examples/auth_timer.wasm" \
        "$2" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}'
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for _ in $(seq "$ROUNDS"); do
    for name in "${names[@]}"; do
        idle=$(cpu_seconds "$name" 0)
        busy=$(cpu_seconds "$name" "$CALLS")
        awk -v n="$name" -v i="$idle" -v b="$busy" -v c="$CALLS" \
            'BEGIN {printf "%s %.1f\n", n, (b - i) * 1e6 / c}' >>"$results"
    done
done
echo "| option | us per call (median of $ROUNDS) | vs release |"
echo "|---|---:|---:|"
release=$(awk '$1 == "release" {print $2}' "$results" | median)
for name in "${names[@]}"; do
    us=$(awk -v n="$name" '$1 == n {print $2}' "$results" | median)
    awk -v n="$name" -v u="$us" -v r="$release" 'BEGIN {printf "| %s | %.1f | %.2f |\n", n, u, u / r}'
done
