#!/usr/bin/env bash
# Grip-Sig ES256 verification in wasm under Viceroy, the fixed-key table against p256, side
# by side in one run: bench/examples/auth_timer.rs built once (release profile), then per
# round `auth_timer 0` (Viceroy's start and compile), `auth_timer CALLS table` and
# `auth_timer CALLS p256`. The cost of a call is the CPU time (user + sys, /usr/bin/time) of
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
    for verifier in table p256; do
        busy=$(cpu_seconds "$CALLS" "$verifier")
        awk -v n="$verifier" -v i="$idle" -v b="$busy" -v c="$CALLS" \
            'BEGIN {printf "%s %.1f\n", n, (b - i) * 1e6 / c}' >>"$results"
    done
done
table=$(awk '$1 == "table" {print $2}' "$results" | median)
p256=$(awk '$1 == "p256" {print $2}' "$results" | median)
echo "| verifier | us per call (median of $ROUNDS) | vs p256 |"
echo "|---|---:|---:|"
awk -v t="$table" -v p="$p256" 'BEGIN {
    printf "| fixed-key table | %.1f | %.2f |\n| p256 | %.1f | 1.00 |\n", t, t / p, p
}'
