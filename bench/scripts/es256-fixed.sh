#!/usr/bin/env bash
# Grip-Sig ES256 verification in wasm under Viceroy, the key's table built in advance against
# the key read and its table built on each call (as for an `[auth]` key), side by side in
# one run: bench/examples/auth_timer.rs built once (release profile), then per round
# `auth_timer 0` (Viceroy's start and compile), `auth_timer CALLS table` and
# `auth_timer CALLS runtime`. The cost of a call is the CPU time (user + sys, /usr/bin/time) of
# a run less that of the idle run, over CALLS calls; the median of ROUNDS rounds. Prints a
# Markdown table.
#
#   bash bench/scripts/es256-fixed.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

VICEROY=${VICEROY:-$HOME/.cache/fanout-router/viceroy-0.22.0/bin/viceroy}
CALLS=${CALLS:-300}
ROUNDS=${ROUNDS:-5}
WASM=target/wasm32-wasip1/release/examples/auth_timer.wasm

cargo build --quiet -p fanout-router-bench --example auth_timer --release --target wasm32-wasip1

cpu_seconds() {
    /usr/bin/time -f '%U %S' "$VICEROY" run "$WASM" "$@" 2>&1 >/dev/null | tail -1 |
        awk '{print $1 + $2}'
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for _ in $(seq "$ROUNDS"); do
    idle=$(cpu_seconds 0)
    for verifier in table runtime; do
        busy=$(cpu_seconds "$CALLS" "$verifier")
        awk -v n="$verifier" -v i="$idle" -v b="$busy" -v c="$CALLS" \
            'BEGIN {printf "%s %.1f\n", n, (b - i) * 1e6 / c}' >>"$results"
    done
done
table=$(awk '$1 == "table" {print $2}' "$results" | median)
runtime=$(awk '$1 == "runtime" {print $2}' "$results" | median)
echo "| verifier | us per call (median of $ROUNDS) | vs key read per call |"
echo "|---|---:|---:|"
awk -v t="$table" -v r="$runtime" 'BEGIN {
    printf "| table built in advance | %.1f | %.2f |\n| key read per call | %.1f | 1.00 |\n", t, t / r, r
}'
