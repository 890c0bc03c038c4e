# CLI: `wactor run --admin` — the admin console reaches a running supervision tree.
. "$(dirname "$0")/lib.bash"
EX=$BUILD/examples
(printf 'which_children root\ncount_children root\nterminate_child root flaky\nwhich_children root\nrestart_child root flaky\nhealth steady\ninfo steady\nstats\nrestart_child root nosuch\nbogus\nquit\n'; sleep 1) |
  timeout -s TERM 10 "$WACTOR" run "$EX/chaos.yaml" --admin > "$TMP/admin.out" 2>&1
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
(printf 'ask kv {"put":"k","value":"v"}\nask kv {"get":"k"}\nsend kv {"get":"k"}\npublish nobody.here {"x":1}\nask nosuch {}\nquit\n'; sleep 1) |
  timeout -s TERM 10 "$WACTOR" run "$EX/kv.yaml" --admin > "$TMP/admin.out" 2>&1
check "ask: put" '^\{"reply":\{"ok":true\}\}'
check "ask: get" '^\{"reply":\{"value":"v"\}\}'
check "send" '^\{"ok":true\}'
check "publish to no subscriber" '^\{"delivered":0\}'
check "ask an unknown name" '^\{"error":"no such actor'
[ $fail -eq 0 ] || head -c 3000 "$TMP/admin.out"
# answers alone on stdout (logs and the summary on stderr, so jq can read the answers); ps; one pid syntax;
# JSON validated; help ends the session (the stats after it is not answered)
(printf 'ps
send kv {"bad":
ask #01 {}
ask kv {"get":"k0"}
help
stats
'; sleep 1) |
  timeout -s TERM 10 "$WACTOR" run "$EX/kv.yaml" --admin > "$TMP/admin.out" 2> "$TMP/admin.err"
check "ps lists components" '^\[\{"pid":[0-9]+,"address":"kv","name":"kv","state":"ready","mailbox":[0-9]+\}'
check "invalid JSON is an error" '^\{"error":"invalid JSON at column [0-9]+: .*nothing was sent"\}'
check "a malformed pid is an error" "^\\{\"error\":\"malformed pid '#01'"
check "ask answers" '^\{"reply":\{("error":"not found"|"value":"v0")\}\}'
check "help lists the commands" '^\{"commands":\["ps \| list'
if grep -q '"actors"' "$TMP/admin.out"; then fail=$((fail + 1)); echo "FAIL: answered after help"; else pass=$((pass + 1)); fi
if grep -Eqv '^(\{|\[\{|\[\])' "$TMP/admin.out"; then fail=$((fail + 1)); echo "FAIL: stdout is not only answers"; cat "$TMP/admin.out"
else pass=$((pass + 1)); fi
# (the summary goes to stderr too, when the stop is graceful: timeout's second SIGTERM may cut it short)
if grep -Eq '^[0-9T:.-]+Z [A-Z]+ +\[kv(_client)?\] ' "$TMP/admin.err"; then pass=$((pass + 1))
else fail=$((fail + 1)); echo "FAIL: logs on stderr"; head -c 1500 "$TMP/admin.err"; fi
finish
