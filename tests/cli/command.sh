# CLI: `wactor run [--env N=V]... [--dir HOST[::GUEST]]... MODULE.wasm [ARGS...]` (WASI commands, wasmtime's
# syntax) and the manifest's `wasi:` key. Fixture: tests/fixtures/wasi_cmd.c (a command module).
. "$(dirname "$0")/lib.bash"
CMD=$BUILD/fixtures/wasi_cmd.wasm

exact "argv is the module then its arguments" "$(printf '%s\n' "$CMD" args one 'two words' '')" -- \
  "$WACTOR" run "$CMD" args one "two words" ""
exact "options before the module, arguments after it are the guest's" "$(printf '%s\n' "$CMD" args --env X=1)" -- \
  "$WACTOR" run "$CMD" args --env X=1
HOME=/root LANG=C exact "deny by default: no host environment" "$(printf 'HOME unset\nLANG unset\n0 variables')" -- \
  "$WACTOR" run "$CMD" env HOME LANG
exact "--env (both spellings), values with '='" "$(printf 'A=1\nB=x=y\nC=\n3 variables')" -- \
  "$WACTOR" run --env A=1 --env=B=x=y --env C= "$CMD" env A B C
expect "--env without '='" 2 "" "--env needs NAME=VALUE" -- "$WACTOR" run --env NOPE "$CMD" args
expect "--env without a value" 2 "" "--env needs a value" -- "$WACTOR" run --env
expect "--dir without a value" 2 "" "needs a value" -- "$WACTOR" run --dir
printf 'line 1\nline 2\n' > "$TMP/in.txt"
got=$("$WACTOR" run "$CMD" cat < "$TMP/in.txt"); st=$?
[ $st -eq 0 ] && [ "$got" = "$(cat "$TMP/in.txt")" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: stdin: '$got' ($st)"; }

# exit status is the guest's; stdout/stderr unprefixed
expect "proc_exit(7) is exit status 7" 7 "^bye$" "^err$" -- "$WACTOR" run "$CMD" exit 7
expect "exit(0)" 0 "^bye$" "" -- "$WACTOR" run "$CMD" exit 0
expect "exit(255)" 255 "bye" "" -- "$WACTOR" run "$CMD" exit 255
expect "main returning 64" 64 "" "" -- "$WACTOR" run "$CMD" nonsense
expect "a trap is 134 with the trap on stderr" 134 "" "trap: .*unreachable" -- "$WACTOR" run "$CMD" trap
expect "missing module" 2 "" "nowhere.wasm" -- "$WACTOR" run "$TMP/nowhere.wasm"
expect "a reactor has no _start" 2 "" "not a command: no _start" -- "$WACTOR" run "$BUILD/fixtures/wasi_fs.wasm"
expect "a sleep may block in a command" 0 "^slept$" "" -- "$WACTOR" run "$CMD" sleep 50

# wasmtime's rules: everything after the module is the guest's; `--` may come before the module
exact "--help after the module is the guest's" "$(printf '%s\n' "$CMD" args --help -x --)" -- "$WACTOR" run "$CMD" args --help -x --
exact "-- before the module" "$(printf '%s\n' "$CMD" args)" -- "$WACTOR" run -- "$CMD" args
exact "--env, then -- and the module" "$(printf 'A=1\n1 variables')" -- "$WACTOR" run --env A=1 -- "$CMD" env A
expect "--help before the module is wactor's" 0 "^usage:" "" -- "$WACTOR" run --help "$CMD" args
expect "an unknown option before the module" 2 "" "wactor run: unknown option '--nope'" -- "$WACTOR" run --nope "$CMD" args
expect "a trap: 134 and one line that says it once" 134 "" "^wactor: .*wasi_cmd.wasm: trap: unreachable executed$" -- "$WACTOR" run "$CMD" trap
[ "$(grep -c unreachable "$TMP/err")" = 1 ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: trap said more than once"; cat "$TMP/err"; }
expect "proc_exit(300): reported, status 1 (not 300 & 255 = 44)" 1 "^bye$" "proc_exit\(300\): an exit status must be 0..255" -- "$WACTOR" run "$CMD" exit 300
expect "proc_exit(256) is not success" 1 "" "proc_exit\(256\)" -- "$WACTOR" run "$CMD" exit 256
expect "missing module: cannot open" 2 "" "^wactor: cannot open $TMP/nowhere.wasm: No such file or directory$" -- "$WACTOR" run "$TMP/nowhere.wasm"

# .wat commands, and their errors
WAT=$(dirname "$0")/../fixtures/cli_once.wat
exact "a .wat command" "started" -- "$WACTOR" run "$WAT"
printf '(module\n  (func (export "_start")\n    (call $nope)))\n' > "$TMP/bad.wat"
expect "a .wat with an unknown name: line:col" 2 "" "bad.wat:3:11: error: undefined function variable" -- "$WACTOR" run "$TMP/bad.wat"
printf '\0asm\r\0\1\0\7\1\0' > "$TMP/comp.wasm"
expect "a component is not a command" 2 "" "this is a WebAssembly component .*; wactor runs core modules" -- "$WACTOR" run "$TMP/comp.wasm"

# directories: only what --dir grants, confined beneath it
mkdir -p "$TMP/box/sub" "$TMP/other"
echo "inside" > "$TMP/box/f.txt"
echo "TOP SECRET" > "$TMP/secret.txt"
ln -s ../secret.txt "$TMP/box/out"
exact "--dir HOST::GUEST" "inside" -- "$WACTOR" run --dir "$TMP/box::/data" "$CMD" read /data/f.txt
exact "--dir HOST (same path in the guest)" "inside" -- "$WACTOR" run --dir "$TMP/box" "$CMD" read "$TMP/box/f.txt"
expect "no --dir: no files" 1 "" "Capabilities insufficient|No such file" -- "$WACTOR" run "$CMD" read "$TMP/box/f.txt"
expect "'..' out of a --dir" 1 "" "open" -- "$WACTOR" run --dir "$TMP/box::/data" "$CMD" read /data/../secret.txt
expect "a symlink out of a --dir" 1 "" "open" -- "$WACTOR" run --dir "$TMP/box::/data" "$CMD" read /data/out
grep -q SECRET "$TMP/out" && { fail=$((fail+1)); echo "FAIL: the secret was read"; } || pass=$((pass+1))
expect "write into a --dir" 0 "" "" -- "$WACTOR" run --dir "$TMP/box::/data" "$CMD" write /data/new.txt hello
[ "$(cat "$TMP/box/new.txt")" = "hello" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: new.txt"; }
exact "two --dirs" "$(printf 'f.txt\nnew.txt\nout\nsub')" -- \
  "$WACTOR" run --dir "$TMP/other::/o" --dir "$TMP/box::/b" "$CMD" ls /b
expect "a missing --dir" 2 "" "nowhere" -- "$WACTOR" run --dir "$TMP/nowhere::/x" "$CMD" args
expect "a missing --dir, said once" 2 "" "^wactor: .*wasi_cmd.wasm: wasi: preopen .*nowhere: No such file or directory$" -- \
  "$WACTOR" run --dir "$TMP/nowhere::/x" "$CMD" args

# the manifest's wasi: args, env, dirs (relative to the manifest), read_only; deny by default
mkdir -p "$TMP/sys/data"
echo "from the manifest" > "$TMP/sys/data/m.txt"
cp "$CMD" "$TMP/sys/cmd.wasm"
cat > "$TMP/sys/wasi.yaml" <<YAML
components:
  - name: reader
    module: cmd.wasm
    wasi:
      args: [cmd, read, /d/m.txt]
      dirs: ["data::/d"]
  - name: envy
    module: cmd.wasm
    wasi:
      args: [cmd, env, GREETING, COUNT, HOME]
      env: { GREETING: hello there, COUNT: 3 }
YAML
# a manifest component's stdout/stderr are log records (stderr: "TS INFO  [name] line")
expect "manifest wasi: dirs" 0 "" " INFO  \[reader\] from the manifest$" -- "$WACTOR" run "$TMP/sys/wasi.yaml" --until-idle
grep -q " \[envy\] GREETING=hello there$" "$TMP/err" && grep -q " \[envy\] COUNT=3$" "$TMP/err" && \
  grep -q " \[envy\] HOME unset$" "$TMP/err" && grep -q " \[envy\] 2 variables$" "$TMP/err" \
  && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: manifest env"; cat "$TMP/err"; }
cat > "$TMP/sys/ro.yaml" <<YAML
components:
  - name: writer
    module: cmd.wasm
    wasi:
      args: [cmd, write, /ro/x.txt, nope]
      dirs: [{host: data, guest: /ro, read_only: true}]
YAML
expect "manifest read_only dir: the write fails (exit 1 at start)" 1 "" \
  " \[writer\] write /ro/x.txt: Capabilities" -- "$WACTOR" run "$TMP/sys/ro.yaml" --until-idle
grep -q "proc_exit(1)" "$TMP/err" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: read_only: no proc_exit(1)"; }
[ ! -e "$TMP/sys/data/x.txt" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: read_only dir was written"; }
cat > "$TMP/sys/deny.yaml" <<YAML
components:
  - name: reader
    module: cmd.wasm
YAML
expect "manifest without wasi: not even argv[0] (main returns 64)" 1 "" "proc_exit\(64\)" -- \
  "$WACTOR" run "$TMP/sys/deny.yaml" --until-idle
cat > "$TMP/sys/bad.yaml" <<YAML
components:
  - name: reader
    module: cmd.wasm
    wasi:
      args: [cmd]
      dirz: []
YAML
expect "unknown wasi key, with its line" 2 "" "bad.yaml:6.*unknown key 'dirz' in wasi" -- "$WACTOR" run "$TMP/sys/bad.yaml" --until-idle
cat > "$TMP/sys/bad2.yaml" <<YAML
components:
  - name: reader
    module: cmd.wasm
    wasi: { env: { "A=B": 1 } }
YAML
expect "env name with '='" 2 "" "bad2.yaml:4.*'A=B' must not contain '='" -- "$WACTOR" run "$TMP/sys/bad2.yaml" --until-idle
cat > "$TMP/sys/bad3.yaml" <<YAML
components:
  - name: reader
    module: cmd.wasm
    wasi: { dirs: ["::/x"] }
YAML
expect "dir without a host" 2 "" "bad3.yaml:4.*HOST::GUEST" -- "$WACTOR" run "$TMP/sys/bad3.yaml" --until-idle
cat > "$TMP/sys/missing.yaml" <<YAML
components:
  - name: reader
    module: cmd.wasm
    wasi: { dirs: ["nowhere::/x"] }
YAML
expect "a missing manifest dir fails the start" 2 "" "nowhere" -- "$WACTOR" run "$TMP/sys/missing.yaml" --until-idle
finish
