#!/usr/bin/env bash
# End-to-end throughput and CPU time per request through Viceroy: the app against a
# hello-world built with the same profile (bench/e2e/hello), one route of
# bench/e2e/routes.toml per route kind:
#   direct     GET /index.html          straight to the origin, no Fanout
#   fanout     GET /fanout/index.html   the first pass: lookup, forwarding headers, handoff;
#                                       Viceroy without Pushpin refuses the handoff (503)
#   stream     GET /test/stream         second passes, as Fanout sends them back with a
#   sse        GET /test/sse            Grip-Sig: the app verifies it and answers with GRIP
#   long-poll  GET /test/long-poll      instructions
#   ws-echo    POST /test/websocket     a WebSocket-over-HTTP message event, echoed
# Each second pass is measured twice: with Grip-Sig signed ES256 as Fanout signs it (the
# app built with the feature `production-grip-sig`, trusting the benchmark key of
# routes.toml's [grip_sig]), and HS256 with the local development key (the default build).
# The hello-world answers each with fixed GRIP headers, verifying nothing.
#
# CPU time is the Viceroy process's utime+stime (/proc/PID/stat) over the wrk run, divided by
# the requests served. The origin is python3's http.server on 127.0.0.1:18080, Viceroy
# listens on 127.0.0.1:17676, the load is wrk (apt-get install wrk) with CONNECTIONS
# connections for DURATION per run; the runs of a route kind are side by side, ROUNDS times,
# in reverse order every other round. Loopback only, bounded. Needs python3's cryptography
# (pip install cryptography) to sign ES256.
#
#   bash bench/scripts/e2e.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

VICEROY=${VICEROY:-$HOME/.cache/fanout-router/viceroy-0.22.0/bin/viceroy}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-4}
ROUNDS=${ROUNDS:-2}
ADDR=127.0.0.1:17676
ROUTES=bench/e2e/routes.toml
target=target/e2e-bench

python3 -c 'import cryptography' 2>/dev/null ||
    { echo "signing ES256 needs python3's cryptography: pip install cryptography" >&2; exit 1; }

# build_app NAME [cargo args]: the app on the benchmark's routes, as $target/NAME.wasm.
build_app() {
    local name=$1
    shift
    FANOUT_ROUTER_ROUTES=$ROUTES cargo build --quiet --bin fanout-router --release \
        --target wasm32-wasip1 --target-dir "$target/app" "$@"
    cp "$target/app/wasm32-wasip1/release/fanout-router.wasm" "$target/$name.wasm"
}
build_app app-hs256
build_app app-es256 --features production-grip-sig
cargo build --quiet --release --target wasm32-wasip1 --manifest-path bench/e2e/hello/Cargo.toml \
    --target-dir "$target/hello"
cp "$target/hello/wasm32-wasip1/release/hello.wasm" "$target/hello.wasm"

tmp=$(mktemp -d)
printf 'hello from the origin\n' >"$tmp/index.html"
python3 -m http.server 18080 --bind 127.0.0.1 --directory "$tmp" >/dev/null 2>&1 &
origin=$!
server=
trap 'kill $origin $server 2>/dev/null; rm -rf "$tmp"' EXIT

# token ALG: a Grip-Sig valid for an hour. HS256 as the local Pushpin signs it (Viceroy's
# development key, iss viceroy); ES256 as Fanout signs it, with the benchmark key and the
# issuer of routes.toml's [grip_sig].
token() {
    python3 - "$1" "$ROUTES" bench/e2e/grip-sig-bench-key.pem <<'EOF'
import base64, hashlib, hmac, json, sys, time, tomllib
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

alg, routes, key_file = sys.argv[1:]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=")
if alg == "HS256":
    iss = "viceroy"
else:
    with open(routes, "rb") as f:
        iss = tomllib.load(f)["grip_sig"]["issuer"]
head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
claims = b64(json.dumps({"iss": iss, "exp": int(time.time()) + 3600}).encode())
signed = head + b"." + claims
if alg == "HS256":
    key = b"viceroy_dev_signing_key_dont_use_in_production"
    sig = hmac.new(key, signed, hashlib.sha256).digest()
else:
    with open(key_file, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    r, s = decode_dss_signature(key.sign(signed, ec.ECDSA(hashes.SHA256())))
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
print((signed + b"." + b64(sig)).decode())
EOF
}
declare -A tokens=([HS256]=$(token HS256) [ES256]=$(token ES256))
declare -A other=([HS256]=ES256 [ES256]=HS256)

# The ws-echo request: one TEXT message event, as Fanout batches it.
events=$'TEXT 5\r\nhello\r\n'
printf '%s' "$events" >"$tmp/events"
cat >"$tmp/events.lua" <<EOF
wrk.method = "POST"
wrk.body = io.open("$tmp/events"):read("a")
wrk.headers["Content-Type"] = "application/websocket-events"
EOF

# stat PID: the process's CPU time so far, utime+stime in clock ticks (after the command
# name, state is field 1, utime 12, stime 13).
stat() {
    sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# run KIND VARIANT WASM PATH STATUS [ALG]: one wrk run against a fresh Viceroy, after checking
# that the request gets STATUS and, for the app, that a token of the other algorithm gets 403
# (so that the verifier measured is ALG's). Appends "KIND VARIANT ROUND requests/s us/request"
# to $tmp/results and prints the run's row.
run() {
    local kind=$1 variant=$2 wasm=$3 path=$4 expected=$5 alg=${6:-}
    local args=()
    [ -n "$alg" ] && args+=(-H "Grip-Sig: ${tokens[$alg]}")
    local curl_body=() wrk_body=()
    if [ "$kind" = ws-echo ]; then
        curl_body=(--data-binary "@$tmp/events" -H "Content-Type: application/websocket-events")
        wrk_body=(-s "$tmp/events.lua")
    fi
    local url="http://$ADDR$path"
    "$VICEROY" serve -C bench/e2e/fastly.toml --addr "$ADDR" "$wasm" >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 300); do
        curl -sS -o /dev/null "$url" 2>/dev/null && break
        sleep 0.1
    done
    local status
    status=$(curl -sS -o /dev/null -w '%{http_code}' "${curl_body[@]}" "${args[@]}" "$url")
    if [ "$status" != "$expected" ]; then
        echo "$kind $variant: status $status, expected $expected" >&2
        exit 1
    fi
    if [ -n "$alg" ] && [ "$variant" != hello ]; then
        local forged
        forged=$(curl -sS -o /dev/null -w '%{http_code}' "${curl_body[@]}" \
            -H "Grip-Sig: ${tokens[${other[$alg]}]}" "$url")
        if [ "$forged" != 403 ]; then
            echo "$kind $variant: a ${other[$alg]} token got $forged, expected 403" >&2
            exit 1
        fi
    fi
    local before out after
    before=$(stat "$server")
    out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "${wrk_body[@]}" "${args[@]}" "$url")
    after=$(stat "$server")
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=
    local requests rps p50 p99 errors cpu
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Socket errors/ {sub(/^ +/, ""); printf "%s", $0}' <<<"$out")
    cpu=$(awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
        'BEGIN {printf "%.0f", t / hz / n * 1e6}')
    echo "$kind $variant $round $rps $cpu" >>"$tmp/results"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$kind" "$variant" "$round" \
        "$status" "$rps" "$p50" "$p99" "$cpu" "${errors:-none}"
}

# kind path status: the second passes carry a Grip-Sig.
kinds=(
    "direct /index.html 200"
    "fanout /fanout/index.html 503"
    "stream /test/stream 200"
    "sse /test/sse 200"
    "long-poll /test/long-poll 200"
    "ws-echo /test/websocket 200"
)

echo "| route | variant | round | status | requests/s | p50 | p99 | CPU us/request | socket errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
for round in $(seq "$ROUNDS"); do
    for entry in "${kinds[@]}"; do
        read -r kind path status <<<"$entry"
        if [ "$status" = 503 ] || [ "$kind" = direct ]; then
            variants=("app app-hs256" "hello hello")
        else
            variants=("app-es256 app-es256 ES256" "app-hs256 app-hs256 HS256" "hello hello ES256")
        fi
        if [ $((round % 2)) = 0 ]; then
            mapfile -t variants < <(printf '%s\n' "${variants[@]}" | tac)
        fi
        for variant in "${variants[@]}"; do
            read -r name wasm alg <<<"$variant"
            run "$kind" "$name" "$target/$wasm.wasm" "$path" "$status" "$alg"
        done
    done
done

# The summary: each app variant against the hello-world of the same round, the rounds side by
# side in each cell.
echo
echo "| route | Grip-Sig | throughput, app / hello | CPU time per request, app / hello | app's own CPU time per request (app - hello) |"
echo "|---|---|---:|---:|---:|"
awk '
    { rps[$1, $2, $3] = $4; cpu[$1, $2, $3] = $5; if ($3 > rounds) rounds = $3 }
    !seen[$1]++ { kinds[++n] = $1 }
    END {
        split("app app-es256 app-hs256", apps, " ")
        split("none ES256 HS256", sigs, " ")
        for (k = 1; k <= n; k++) {
            kind = kinds[k]
            for (a = 1; a <= 3; a++) {
                app = apps[a]
                if (!((kind, app, 1) in rps)) continue
                throughput = cpu_ratio = own = ""
                for (r = 1; r <= rounds; r++) {
                    sep = r > 1 ? " / " : ""
                    throughput = throughput sep sprintf("%.2f", rps[kind, app, r] / rps[kind, "hello", r])
                    cpu_ratio = cpu_ratio sep sprintf("%.2f", cpu[kind, app, r] / cpu[kind, "hello", r])
                    own = own sep sprintf("%d us", cpu[kind, app, r] - cpu[kind, "hello", r])
                }
                printf "| %s | %s | %s | %s | %s |\n", kind, sigs[a], throughput, cpu_ratio, own
            }
        }
    }' "$tmp/results"
