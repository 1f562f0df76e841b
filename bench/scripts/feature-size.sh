#!/usr/bin/env bash
# What each routes.toml feature costs in the package: the app's release .wasm built for the
# default routes.toml, then for routes.toml plus one route (and policy) that uses one
# feature, one after the other in one target dir (target/feature-size), so only the app
# crate is rebuilt between rows. Prints a Markdown table: bytes and gzip -9 bytes, and the
# difference from the default routes.
#
#   bash bench/scripts/feature-size.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

target=target/feature-size
wasm=$target/wasm32-wasip1/release/fanout-router.wasm
routes=$(mktemp -d)
trap 'rm -rf "$routes"' EXIT

es256_pem='-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEadY0ZUo0t6FTgQSqelzMsofE/IAY
TpjrGc0FDnKCGthY8vomgc4SyM6Z6l/q+ulNAh+h2CQ/ktdBa3OrY2C57g==
-----END PUBLIC KEY-----'

declare -A extra
extra[hosts]='[[route]]
path = "/admin/events"
hosts = ["admin.example.com"]
answer = "sse"
channels = ["admin"]'
extra[conditions]='[[route]]
path = "/live"
accept = "text/event-stream"
headers = { "x-stream" = "yes" }
query = ["live"]
answer = "sse"
channels = ["live"]'
extra[rewrite]='[[route]]
prefix = "/api"
direct = "origin"
rewrite = { prefix = "/v2" }
request_headers = { add = { "X-Env" = "edge" }, remove = ["Cookie"] }'
extra[reliable]='[[route]]
path = "/feed"
answer = "sse"
channels = ["feed"]
reliable = { history = "origin", path = "/history", query = "last_event_id" }'
extra[cors]='[cors.web]
origins = ["https://app.example.com"]

[[route]]
path = "/events"
answer = "sse"
channels = ["events"]
cors = "web"'
extra[auth-hs256]='[auth.users]
secret = { store = "fanout-router-auth", key = "users-hs256" }

[[route]]
path = "/events"
answer = "sse"
channels = ["events"]
auth = "users"'
extra[auth-es256-pem]="[auth.users]
keys = [{ algorithm = \"ES256\", pem = \"\"\"
$es256_pem
\"\"\" }]

[[route]]
path = \"/events\"
answer = \"sse\"
channels = [\"events\"]
auth = \"users\""
extra[auth-es256-jwks]='[auth.rooms]
jwks = { store = "fanout-router-keys", key = "rooms-jwks", algorithms = ["ES256"] }

[[route]]
path = "/events"
answer = "sse"
channels = ["events"]
auth = "rooms"'
extra[auth-es256-rs256-jwks]='[auth.rooms]
jwks = { store = "fanout-router-keys", key = "rooms-jwks", algorithms = ["ES256", "RS256"] }

[[route]]
path = "/events"
answer = "sse"
channels = ["events"]
auth = "rooms"'

# build NAME FILE: one row.
build() {
    FANOUT_ROUTER_ROUTES=$2 cargo build --quiet --bin fanout-router --release \
        --target wasm32-wasip1 --target-dir "$target"
    local bytes gzipped
    bytes=$(stat -c %s "$wasm")
    gzipped=$(gzip -9 -c "$wasm" | wc -c)
    base_bytes=${base_bytes:-$bytes}
    base_gzipped=${base_gzipped:-$gzipped}
    printf '| %s | %s | %s | %+d | %+d |\n' "$1" "$bytes" "$gzipped" \
        $((bytes - base_bytes)) $((gzipped - base_gzipped))
}

echo '| routes | .wasm bytes | gzip -9 bytes | .wasm vs default | gzip vs default |'
echo '|---|---:|---:|---:|---:|'
build "routes.toml" "$PWD/routes.toml"
for name in hosts conditions rewrite reliable cors auth-hs256 auth-es256-pem auth-es256-jwks \
    auth-es256-rs256-jwks; do
    file=$routes/$name.toml
    # The extra route first: the default catch-all `prefix = "/"` stays last to read.
    printf '%s\n\n' "${extra[$name]}" >"$file"
    cat routes.toml >>"$file"
    build "+ $name" "$file"
done
build "e2e/routes.toml" "$PWD/e2e/routes.toml"
build "examples/chat/routes.toml" "$PWD/examples/chat/routes.toml"
