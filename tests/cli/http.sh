# CLI: `wactor run SYSTEM.yaml --http HOST:PORT [--http-token-file F]` and the manifest's `http:` section —
# the admin HTTP server of a running system, reached with bash's /dev/tcp (no HTTP client needed).
. "$(dirname "$0")/lib.bash"
EX=$(cd "$BUILD/examples" && pwd)
TOKEN=cli-token-0123456789abcdef
printf '%s\n' "$TOKEN" > "$TMP/token"

# http PORT METHOD PATH [BODY]: the whole answer (status line, headers, body) on stdout
http() {
  local port=$1 method=$2 path=$3 body=${4:-}
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s' \
    "$method" "$path" "$TOKEN" "${#body}" "$body" >&3
  timeout 10 cat <&3
  exec 3<&-
}
check() { # NAME REGEX FILE
  if grep -Eq -- "$2" "$3"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; head -c 1500 "$3"; fi
}
# start_bg ARGS...: runs wactor in the background, sets PID and PORT (from its "admin HTTP server on" line)
start_bg() {
  rm -f "$TMP/bg.err"; : > "$TMP/bg.err" # before the child starts: never read a previous run's port
  "$WACTOR" "$@" > "$TMP/bg.out" 2>> "$TMP/bg.err" < /dev/null &
  PID=$!
  PORT=
  for _ in $(seq 100); do
    PORT=$(grep -ao 'admin HTTP server on http://127.0.0.1:[0-9]*/' "$TMP/bg.err" | grep -o ':[0-9][0-9]*/' | tr -d :/)
    [ -n "$PORT" ] && break
    sleep 0.1
  done
}
# the server listens before the system has started: wait (hang guard 10 s) until kv_client is ready
wait_ready() {
  for _ in $(seq 100); do
    http "$PORT" GET /api/components 2>/dev/null | grep -q '"name":"kv_client","state":"ready"' && return 0
    sleep 0.1
  done
  return 1
}
stop_bg() { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; cat "$TMP/bg.err" >> "$TMP/all.err"; }

# --http with a token file: metrics (parsed by promtool), the JSON API, a POST
start_bg run "$EX/kv.yaml" --http 127.0.0.1:0 --http-token-file "$TMP/token"
if [ -z "$PORT" ] || ! wait_ready; then fail=$((fail + 1)); echo "FAIL: no port or not ready"; cat "$TMP/bg.err"; else
  http "$PORT" GET /metrics > "$TMP/metrics.http"
  check "GET /metrics is 200 in format 0.0.4" '^Content-Type: text/plain; version=0.0.4' "$TMP/metrics.http"
  sed '1,/^\r$/d' "$TMP/metrics.http" > "$TMP/metrics.txt"
  if promtool check metrics < "$TMP/metrics.txt" > "$TMP/promtool.out" 2>&1; then pass=$((pass + 1));
  else fail=$((fail + 1)); echo "FAIL: promtool"; cat "$TMP/promtool.out"; fi
  check "kv's counter is there" '^wactor_messages_delivered_total\{component="kv"\} [0-9]+' "$TMP/metrics.txt"
  http "$PORT" POST /api/ask '{"to":"kv","message":{"put":"a","value":42}}' > "$TMP/ask.http"
  check "POST /api/ask" '^\{"reply":\{"ok":true\}\}' "$TMP/ask.http"
  http "$PORT" GET /api/components > "$TMP/comps.http"
  check "GET /api/components" '"name":"kv_client","state":"ready"' "$TMP/comps.http"
  http "$PORT" GET / > "$TMP/page.http"
  check "GET / is the page" '^Content-Type: text/html' "$TMP/page.http"
fi
stop_bg

# the manifest's http: section (the module path made absolute: the manifest lives in TMP)
sed -e "s#module: \([a-z_]*\).wasm#module: $EX/\1.wasm#" "$EX/kv.yaml" > "$TMP/kv_http.yaml"
printf 'http:\n  listen: 127.0.0.1:0\n  token_file: token\n  max_body_bytes: 100\n' >> "$TMP/kv_http.yaml"
start_bg run "$TMP/kv_http.yaml"
if [ -z "$PORT" ] || ! wait_ready; then fail=$((fail + 1)); echo "FAIL: no port from the manifest"; cat "$TMP/bg.err"; else
  http "$PORT" POST /api/send "{\"to\":\"kv\",\"message\":\"$(printf 'x%.0s' $(seq 120))\"}" > "$TMP/big.http"
  check "max_body_bytes from the manifest" '^HTTP/1.1 413' "$TMP/big.http"
  http "$PORT" POST /api/send '{"to":"kv","message":1}' > "$TMP/send.http"
  check "token_file from the manifest" '^\{"ok":true\}' "$TMP/send.http"
fi
stop_bg

expect "a non-loopback address needs a token" 2 "" "refusing to serve 0.0.0.0 without a token" -- \
  "$WACTOR" run "$EX/kv.yaml" --http 0.0.0.0:0 --until-idle
expect "--http needs HOST:PORT" 2 "" "--http needs HOST:PORT" -- "$WACTOR" run "$EX/kv.yaml" --http nope --until-idle
expect "a missing token file" 2 "" "cannot open --http-token-file" -- \
  "$WACTOR" run "$EX/kv.yaml" --http 127.0.0.1:0 --http-token-file "$TMP/none" --until-idle
printf 'short\n' > "$TMP/short"
expect "a short token" 2 "" "16 to 4096" -- \
  "$WACTOR" run "$EX/kv.yaml" --http 127.0.0.1:0 --http-token-file "$TMP/short" --until-idle
printf 'http: {listen: "127.0.0.1"}\n' >> "$TMP/bad.yaml"
sed -e "s#module: \([a-z_]*\).wasm#module: $EX/\1.wasm#" "$EX/kv.yaml" > "$TMP/bad2.yaml"
printf 'http: {listen: "127.0.0.1:99999"}\n' >> "$TMP/bad2.yaml"
expect "a bad listen in the manifest" 2 "" "'listen' must be HOST:PORT" -- "$WACTOR" run "$TMP/bad2.yaml" --until-idle
[ $fail -eq 0 ] || grep -av "^\[" "$TMP/all.err" | head -20
finish
