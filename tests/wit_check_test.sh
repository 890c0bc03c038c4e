# wit_check_test.sh — ctest `wit_check`: sdk/wactor.wit agrees with the host (tests/wit_check.sh), and the
# checker notices each kind of drift (run on mutated copies; each must fail and name the difference).
# Usage: bash wit_check_test.sh SOURCE_DIR
set -u
SRC=$1
CHECK=$(dirname "$0")/wit_check.sh
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
if bash "$CHECK" "$SRC" >"$TMP/out" 2>&1; then pass=$((pass + 1)); else fail=$((fail + 1)); cat "$TMP/out"; fi

# mutant NAME FILE SED_SCRIPT WANT_REGEX: FILE (relative to SRC) edited by SED_SCRIPT must fail with WANT_REGEX
mutant() {
  local name=$1 file=$2 script=$3 want=$4
  rm -rf "$TMP/src" && mkdir -p "$TMP/src/sdk/c" "$TMP/src/src/component" "$TMP/src/include" "$TMP/src/sdk/rust/src"
  for f in sdk/wactor.wit src/component/host.c src/component/exports.c sdk/c/wactor_guest.h include/wactor_errors.h \
           sdk/rust/src/sys.rs; do
    cp "$SRC/$f" "$TMP/src/$f"
  done
  sed -i -E "$script" "$TMP/src/$file"
  if cmp -s "$SRC/$file" "$TMP/src/$file"; then
    fail=$((fail + 1)); echo "FAIL: mutant '$name' did not change $file"; return
  fi
  if bash "$CHECK" "$TMP/src" >"$TMP/out" 2>&1; then
    fail=$((fail + 1)); echo "FAIL: mutant '$name' passed the check"
  elif grep -Eq -- "$want" "$TMP/out"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL: mutant '$name': no '$want' in:"; cat "$TMP/out"
  fi
}
mutant "host gains an import" src/component/host.c \
  's/^( *)\{"wactor", "spawn", (.*)$/&\n\1{"wactor", "spawn2", \2/' '^\+spawn2 i32,i32 i64'
mutant "WIT loses an import" sdk/wactor.wit '/^  spawn: func/d' 'spawn: no /// core|\+spawn '
mutant "an import changes type in host.c" src/component/host.c \
  's/\{"wactor", "self", \{0, 1, \{0\}, \{I64\}\}/{"wactor", "self", {0, 1, {0}, {I32}}/' '\+self - i32'
mutant "WIT param type differs from its core line" sdk/wactor.wit 's/^  demonitor: func\(ref: s64\)/  demonitor: func(ref: s32)/' \
  'demonitor: /// core: says \(i64\)'
mutant "core line and WIT both wrong" sdk/wactor.wit \
  's|core: now \(\) -> i64|core: now () -> i32|; s/^  now: func\(\) -> u64;/  now: func() -> u32;/' '^-now - i32'
mutant "export renamed in exports.c" src/component/exports.c 's/\{"_health", /{"_healthz", /' '\+_healthz - i32'
mutant "SDK imports a name the host lacks" sdk/c/wactor_guest.h 's/WACTOR_IMPORT_\("link"\)/WACTOR_IMPORT_("lnk")/' '\+lnk'
mutant "error list reordered" include/wactor_errors.h 's/X\(NOMEM, /X(NOMEN, /' 'error cases'
mutant "func without a core line" sdk/wactor.wit '/core: link \(/d' 'link: no /// core: line'
mutant "Rust SDK import retyped" sdk/rust/src/sys.rs 's/fn now = "now"\(\) -> u64;/fn now = "now"() -> u32;/' '\+now - i32'
mutant "Rust SDK import renamed" sdk/rust/src/sys.rs 's/= "request_id"\(/= "request_ids"(/' '\+request_ids - i64'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
