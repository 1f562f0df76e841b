#!/usr/bin/env bash
# End-to-end request latency and throughput through Viceroy, the app against a hello-world
# built with the same profile (bench/e2e/hello), on two routes of bench/e2e/routes.toml:
#   direct  GET /index.html   the app's `direct` route: straight to the origin, no Fanout;
#                             hello-world: req.send("origin")
#   answer  GET /test/stream  with a valid Grip-Sig (HS256, Viceroy's development key), so
#                             the app verifies it and answers with GRIP instructions, as on
#                             Fanout's second pass; hello-world: a fixed 200
# The origin is python3's http.server on 127.0.0.1:18080, Viceroy listens on
# 127.0.0.1:17676, the load is wrk (apt-get install wrk) with CONNECTIONS connections for
# DURATION per run, each pair run ROUNDS times alternately. Loopback only, bounded.
#
#   bash bench/scripts/e2e.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

VICEROY=${VICEROY:-$HOME/.cache/fanout-router/viceroy-0.22.0/bin/viceroy}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-4}
ROUNDS=${ROUNDS:-2}
ADDR=127.0.0.1:17676
target=target/e2e-bench

FANOUT_ROUTER_ROUTES=bench/e2e/routes.toml cargo build --quiet --bin fanout-router --release \
    --target wasm32-wasip1 --target-dir "$target/app"
cargo build --quiet --release --target wasm32-wasip1 --manifest-path bench/e2e/hello/Cargo.toml \
    --target-dir "$target/hello"
app=$target/app/wasm32-wasip1/release/fanout-router.wasm
hello=$target/hello/wasm32-wasip1/release/hello.wasm

www=$(mktemp -d)
printf 'hello from the origin\n' >"$www/index.html"
python3 -m http.server 18080 --bind 127.0.0.1 --directory "$www" >/dev/null 2>&1 &
origin=$!
server=
trap 'kill $origin $server 2>/dev/null; rm -rf "$www"' EXIT

# Grip-Sig as the local Pushpin signs it: HS256 with Viceroy's development key, iss viceroy.
token=$(python3 -c '
import base64, hashlib, hmac, json, time
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=")
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
claims = b64(json.dumps({"iss": "viceroy", "exp": int(time.time()) + 3600}).encode())
key = b"viceroy_dev_signing_key_dont_use_in_production"
sig = b64(hmac.new(key, head + b"." + claims, hashlib.sha256).digest())
print((head + b"." + claims + b"." + sig).decode())')

# run LABEL WASM PATH [wrk header args]: one wrk run against a fresh Viceroy.
run() {
    local label=$1 wasm=$2 path=$3
    shift 3
    "$VICEROY" serve -C bench/e2e/fastly.toml --addr "$ADDR" "$wasm" >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 100); do
        curl -fsS -o /dev/null "$@" "http://$ADDR$path" 2>/dev/null && break
        sleep 0.1
    done
    local status
    status=$(curl -sS -o /dev/null -w '%{http_code}' "$@" "http://$ADDR$path")
    local out
    out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "http://$ADDR$path")
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=
    local rps p50 p99 errors
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$status" "$rps" "$p50" "$p99" "${errors:-none}"
}

echo "| run | status | requests/s | p50 | p99 | errors |"
echo "|---|---:|---:|---:|---:|---|"
for round in $(seq "$ROUNDS"); do
    run "app direct (round $round)" "$app" /index.html
    run "hello direct (round $round)" "$hello" /index.html
    run "app answer (round $round)" "$app" /test/stream -H "Grip-Sig: $token"
    run "hello answer (round $round)" "$hello" /test/stream -H "Grip-Sig: $token"
done
