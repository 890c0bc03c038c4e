# CLI: `wactor run --admin` — the admin console reaches a running supervision tree.
. "$(dirname "$0")/lib.bash"
EX=$BUILD/examples
(printf 'which_children root\ncount_children root\nterminate_child root flaky\nwhich_children root\nrestart_child root flaky\nhealth steady\ninfo steady\nstats\nrestart_child root nosuch\nbogus\n'; sleep 3) |
  timeout -s TERM 5 "$WACTOR" run "$EX/chaos.yaml" --admin > "$TMP/admin.out" 2>&1
check() { # NAME REGEX
  if grep -Eq -- "$2" "$TMP/admin.out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
check "which_children lists the tree" '^\[\{"id":"steady","pid":[0-9]+,"supervisor":false,"restart":"permanent"'
check "nested supervisor listed" '"id":"fragile","pid":[0-9]+,"supervisor":true'
check "count_children" '^\{"specs":6,"active":[0-9]+,"supervisors":1,"workers":5\}'
check "terminate_child ok, then listed without a pid" '"id":"flaky","pid":0,'
check "health" '^\{"status":"healthy","reason":""\}'
check "info" '^\{"state":"ready","messages":[0-9]+'
check "stats" '^\{"actors":[0-9]+,"delivered":[0-9]+,"refused":[0-9]+,"dead_letters":[0-9]+,"traps":[0-9]+\}'
check "unknown child is an error" '^\{"error":"no such actor, name, export or file"\}'
check "unknown command is an error" "^\{\"error\":\"unknown command 'bogus'\"\}"
# send / ask / publish against a request/reply service
(printf 'ask kv {"put":"k","value":"v"}\nask kv {"get":"k"}\nsend kv {"get":"k"}\npublish nobody.here {"x":1}\nask nosuch {}\n'; sleep 2) |
  timeout -s TERM 4 "$WACTOR" run "$EX/kv.yaml" --admin > "$TMP/admin.out" 2>&1
check "ask: put" '^\{"reply":\{"ok":true\}\}'
check "ask: get" '^\{"reply":\{"value":"v"\}\}'
check "send" '^\{"ok":true\}'
check "publish to no subscriber" '^\{"delivered":0\}'
check "ask an unknown name" '^\{"error":"no such actor'
[ $fail -eq 0 ] || head -c 3000 "$TMP/admin.out"
finish
