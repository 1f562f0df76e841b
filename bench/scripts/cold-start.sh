#!/usr/bin/env bash
# Cold start through Viceroy, the app (default routes.toml) against the hello-world of
# bench/e2e/hello built with the same profile, with the same configuration
# (bench/e2e/fastly.toml), alternately, ROUNDS times each:
#   start   ms from starting `viceroy serve` (which compiles the module) to the first
#           answered request
#   request median ms (curl's time_total) of REQUESTS sequential requests to the running
#           server: Viceroy instantiates the module afresh for each request, as Compute does
# Both answer GET /test/stream with a valid Grip-Sig (HS256, Viceroy's development key): the
# app verifies it and answers with GRIP instructions, hello-world answers a fixed 200.
# Loopback only, bounded; prints a Markdown table and the app / hello ratios of the medians.
# `cold-start.sh once WASM` starts Viceroy on WASM, waits for its first answer and stops
# it: one cold start as a whole command, for timing with /usr/bin/time or alike.
#
#   bash bench/scripts/cold-start.sh
#   bash bench/scripts/cold-start.sh once target/wasm32-wasip1/release/fanout-router.wasm
set -euo pipefail
cd "$(dirname "$0")/../.."

VICEROY=${VICEROY:-$HOME/.cache/fanout-router/viceroy-0.22.0/bin/viceroy}
ROUNDS=${ROUNDS:-5}
REQUESTS=${REQUESTS:-20}
ADDR=127.0.0.1:17677

if [[ ${1:-} != once ]]; then
    # The app as fastly.toml's build script builds it, into the default target dir.
    cargo build --quiet --bin fanout-router --release --target wasm32-wasip1
    cargo build --quiet --release --target wasm32-wasip1 \
        --manifest-path bench/e2e/hello/Cargo.toml --target-dir target/cold-start/hello
fi
app=target/wasm32-wasip1/release/fanout-router.wasm
hello=target/cold-start/hello/wasm32-wasip1/release/hello.wasm

server=
trap 'if [[ -n $server ]]; then kill "$server" 2>/dev/null; fi' EXIT

token=$(python3 -c '
import base64, hashlib, hmac, json, time
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=")
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
claims = b64(json.dumps({"iss": "viceroy", "exp": int(time.time()) + 3600}).encode())
key = b"viceroy_dev_signing_key_dont_use_in_production"
sig = b64(hmac.new(key, head + b"." + claims, hashlib.sha256).digest())
print((head + b"." + claims + b"." + sig).decode())')
url=http://$ADDR/test/stream

now_ms() { echo $(($(date +%s%N) / 1000000)); }

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# measure WASM: prints "START_MS REQUEST_MS" for one fresh Viceroy.
measure() {
    local started
    started=$(now_ms)
    "$VICEROY" serve -C bench/e2e/fastly.toml --addr "$ADDR" "$1" >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 2000); do
        curl -fsS -o /dev/null -H "Grip-Sig: $token" "$url" 2>/dev/null && break
        sleep 0.005
    done
    local start=$(($(now_ms) - started))
    local request
    request=$(for _ in $(seq "$REQUESTS"); do
        curl -fsS -o /dev/null -w '%{time_total}\n' -H "Grip-Sig: $token" "$url"
    done | median)
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=
    echo "$start $(awk -v s="$request" 'BEGIN {printf "%.2f", s * 1000}')"
}

if [[ ${1:-} == once ]]; then
    "$VICEROY" serve -C bench/e2e/fastly.toml --addr "$ADDR" "$2" >/dev/null 2>&1 &
    server=$!
    answered=1
    for _ in $(seq 2000); do
        curl -fsS -o /dev/null -H "Grip-Sig: $token" "$url" 2>/dev/null && answered=0 && break
        sleep 0.005
    done
    # Reaped, so that its CPU time counts in this command's.
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=
    exit "$answered"
fi

results=$(mktemp)
echo "| round | app start ms | hello start ms | app request ms | hello request ms |"
echo "|---|---:|---:|---:|---:|"
for round in $(seq "$ROUNDS"); do
    read -r app_start app_request < <(measure "$app")
    read -r hello_start hello_request < <(measure "$hello")
    echo "$app_start $hello_start $app_request $hello_request" >>"$results"
    printf '| %s | %s | %s | %s | %s |\n' "$round" "$app_start" "$hello_start" "$app_request" \
        "$hello_request"
done
col() { awk -v c="$1" '{print $c}' "$results" | median; }
printf '| median | %s | %s | %s | %s |\n' "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)"
awk -v as="$(col 1)" -v hs="$(col 2)" -v ar="$(col 3)" -v hr="$(col 4)" \
    'BEGIN {printf "app / hello: start %.2f, request %.2f\n", as / hs, ar / hr}'
echo "app $(stat -c %s "$app") bytes, hello $(stat -c %s "$hello") bytes"
rm -f "$results"
