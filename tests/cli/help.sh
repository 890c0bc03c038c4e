# CLI: --version, `wactor help [CMD]`, `wactor CMD --help` for every command, unknown commands and options.
. "$(dirname "$0")/lib.bash"

exact "--version" "wactor 0.9.0" -- "$WACTOR" --version
exact "version" "wactor 0.9.0" -- "$WACTOR" version
expect "version takes no argument" 2 "" "unexpected argument 'x'" -- "$WACTOR" version x
expect "help: every command listed" 0 "call .*inspect|call" "" -- "$WACTOR" help
for c in call inspect run version help; do
  grep -q "^  $c " "$TMP/out" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: '$c' missing from wactor help"; }
done
expect "--help is the overview" 0 "^usage:" "" -- "$WACTOR" --help
expect "-h is the overview" 0 "^usage:" "" -- "$WACTOR" -h
expect "no command: the overview on stderr" 2 "" "^usage:" -- "$WACTOR"
for c in call inspect run version help; do
  "$WACTOR" help "$c" > "$TMP/help1" 2>&1; s1=$?
  "$WACTOR" "$c" --help > "$TMP/help2" 2>&1; s2=$?
  if [ $s1 -eq 0 ] && [ $s2 -eq 0 ] && grep -q "^  wactor $c" "$TMP/help1" && cmp -s "$TMP/help1" "$TMP/help2"; then
    pass=$((pass+1))
  else
    fail=$((fail+1)); echo "FAIL: help $c ($s1) vs $c --help ($s2)"; cat "$TMP/help1"
  fi
done
expect "help call: exit statuses" 0 "Exit status: 0 success, 1 the guest trapped" "" -- "$WACTOR" help call
expect "help run: --fail-on-trap" 0 "--fail-on-trap +manifest: exit 1" "" -- "$WACTOR" help run
expect "help run: a trap is 134" 0 "134 if it trapped" "" -- "$WACTOR" help run
expect "help inspect" 0 "wactor inspect MODULE" "" -- "$WACTOR" help inspect
expect "help of an unknown command" 2 "" "wactor help: unknown command 'frob'" -- "$WACTOR" help frob
expect "help of two commands" 2 "" "one command at a time" -- "$WACTOR" help call run
expect "unknown command" 2 "" "^wactor: unknown command 'frob'$" -- "$WACTOR" frob
expect "unknown global option" 2 "" "^wactor: unknown option '--frob'$" -- "$WACTOR" --frob
expect "an escape sequence in a command is escaped" 2 "" 'unknown command .\\x1b\[31m' -- "$WACTOR" "$(printf '\033[31m')"
expect "inspect --help" 0 "^usage:" "" -- "$WACTOR" inspect x.wasm --help
expect "inspect: unknown option" 2 "" "wactor inspect: unknown option '--x'" -- "$WACTOR" inspect --x m.wasm
expect "inspect: two modules" 2 "" "usage: wactor inspect MODULE" -- "$WACTOR" inspect a.wasm b.wasm
expect "inspect: no module" 2 "" "usage: wactor inspect MODULE" -- "$WACTOR" inspect
expect "run: no manifest" 2 "" "usage: wactor run" -- "$WACTOR" run
expect "run --help" 0 "^usage:" "" -- "$WACTOR" run --help
expect "run --help after the manifest" 0 "^usage:" "" -- "$WACTOR" run x.yaml --help
expect "run: unknown option after the manifest" 2 "" "wactor run: unknown option '--frob'" -- "$WACTOR" run x.yaml --frob
expect "run: unknown option before a module" 2 "" "wactor run: unknown option '--frob'" -- "$WACTOR" run --frob x.wasm
expect "run: a module option for a manifest" 2 "" "--env is for a module" -- "$WACTOR" run --env A=1 x.yaml
expect "run: a manifest option for a module" 2 "" "--until-idle is for a manifest, not a module" -- "$WACTOR" run --until-idle x.wasm
expect "run: two manifests" 2 "" "unexpected argument 'y.yaml'" -- "$WACTOR" run x.yaml y.yaml
expect "run: a flag with a value" 2 "" "--stats takes no value" -- "$WACTOR" run x.yaml --stats=1
expect "run --events without a value" 2 "" "--events needs a value" -- "$WACTOR" run x.yaml --events
finish
