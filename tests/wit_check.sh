# wit_check.sh — sdk/wactor.wit must say exactly what the host does (ctest `wit_check`).
# Compares, by parsing the sources (no WIT tool is packaged in Debian 12):
#   1. the imports of interface `host` with the import table of src/component/host.c (module "wactor"):
#      the same names, and for each the core signature of host.c equal to both the WIT function's
#      canonical-ABI lowering and its `/// core:` line;
#   2. the exports of world `component` with the lifecycle exports the host looks for
#      (src/component/exports.c), the same way;
#   3. the import names of the C SDK (WACTOR_IMPORT_ in sdk/c/wactor_guest.h) with host.c's;
#   4. the cases of enum `error`, in order, with include/wactor_errors.h's WACTOR_ERROR_LIST;
#   5. the Rust SDK's raw imports (sdk/rust/src/sys.rs), names and core signatures, with host.c's.
# Usage: bash wit_check.sh SOURCE_DIR [WIT_FILE]. Prints every difference; exit status 1 if any.
set -u
SRC=$1
WIT=${2:-$SRC/sdk/wactor.wit}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
for f in "$WIT" "$SRC/src/component/host.c" "$SRC/src/component/exports.c" "$SRC/sdk/c/wactor_guest.h" \
         "$SRC/include/wactor_errors.h"; do
  [ -r "$f" ] || { echo "wit_check: cannot read $f"; exit 1; }
done

# WIT -> "import|export NAME PARAMS RESULT" (core names, types comma-joined, "-" for none), checking on the way
# that every function has a `/// core:` line equal to its lowering. Errors go to $TMP/wit.err.
awk -v errfile="$TMP/wit.err" '
function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
function lower1(t) {
  t = trim(t)
  if (t == "string" || t == "list<u8>") return "i32,i32"
  if (t ~ /^(u8|u16|u32|s8|s16|s32|bool|char)$/) return "i32"
  if (t ~ /^(u64|s64)$/) return "i64"
  if (t == "f32" || t == "f64") return t
  return "?" t
}
function lower_params(p,    n, a, i, out, colon) {
  p = trim(p); if (p == "") return "-"
  n = split(p, a, ","); out = ""
  for (i = 1; i <= n; i++) {
    colon = index(a[i], ":")
    if (colon == 0) return "?" a[i]
    out = out (out == "" ? "" : ",") lower1(substr(a[i], colon + 1))
  }
  return out
}
function norm_core(s,    name, params, result, lp, rp) {       # "send (i32, i32) -> i32" -> "send i32,i32 i32"
  s = trim(s); lp = index(s, "("); rp = index(s, ")")
  if (lp == 0 || rp == 0 || index(s, "->") == 0) return ""
  name = trim(substr(s, 1, lp - 1)); params = substr(s, lp + 1, rp - lp - 1)
  result = trim(substr(s, index(s, "->") + 2))
  gsub(/[ \t]/, "", params); gsub(/[ \t()]/, "", result)
  return name " " (params == "" ? "-" : params) " " (result == "" ? "-" : result)
}
function err(m) { print FILENAME ":" FNR ": " m > errfile; bad = 1 }
/^[ \t]*interface[ \t]+host[ \t]*\{/ { sec = "import"; next }
/^[ \t]*world[ \t]+component[ \t]*\{/ { sec = "export"; next }
/^[ \t]*\/\/\/[ \t]*core:/ { c = $0; sub(/^[ \t]*\/\/\/[ \t]*core:/, "", c); core = norm_core(c)
                             if (core == "") err("unreadable core line: " c); next }
/^[ \t]*\/\// { next }
/:[ \t]*func[ \t]*\(/ {
  line = $0; sub(/^[ \t]*(export[ \t]+)?/, "", line)
  wname = trim(substr(line, 1, index(line, ":") - 1))
  rest = substr(line, index(line, "(") + 1); params = substr(rest, 1, index(rest, ")") - 1)
  result = "-"
  if (index(rest, "->")) { result = substr(rest, index(rest, "->") + 2); sub(/;.*/, "", result); result = lower1(result) }
  if (sec == "") err("func outside interface host / world component: " wname)
  if (core == "") { err(wname ": no /// core: line"); next }
  split(core, cf, " ")
  got = lower_params(params) " " result
  if (got ~ /\?/) err(wname ": a type with no core lowering here: " got)
  if (cf[2] " " cf[3] != got) err(wname ": /// core: says (" cf[2] ") -> " cf[3] ", the WIT lowers to (" got ")")
  print sec, cf[1], cf[2], cf[3]
  core = ""
}
/^[ \t]*enum[ \t]+error[ \t]*\{/ { inenum = 1; next }
inenum && /\}/ { inenum = 0; next }
inenum { e = trim($0); sub(/,$/, "", e); sub(/^%/, "", e); if (e != "") print "error", e > errfile ".enum" }
END { exit bad }
' "$WIT" >"$TMP/wit.all" || fail=1
if [ -s "$TMP/wit.err" ]; then cat "$TMP/wit.err"; fail=1; fi
grep '^import ' "$TMP/wit.all" | cut -d' ' -f2- | sort >"$TMP/wit.imports"
grep '^export ' "$TMP/wit.all" | cut -d' ' -f2- | sort >"$TMP/wit.exports"

# A C table row {"NAME", {NP, NR, {P, ...}, {R, ...}}, ...} -> "NAME PARAMS RESULT" (lowercase, first NP / NR)
table_rows() {
  sed -nE "s/^[ \t]*\\{$1\"([^\"]+)\", *\\{([0-9]+), *([0-9]+), *\\{([^}]*)\\}, *\\{([^}]*)\\}\\}.*/\\1 \\2 \\3 \\4|\\5/p" "$2" |
  awk '{ split($0, h, "|"); n = split(h[1], a, " "); name = a[1]; np = a[2]; nr = a[3]
         ps = ""; for (i = 4; i <= n && i - 3 <= np; i++) { t = a[i]; gsub(/,/, "", t); ps = ps (ps == "" ? "" : ",") tolower(t) }
         m = split(h[2], r, /[ ,]+/); rs = ""; k = 0
         for (i = 1; i <= m; i++) if (r[i] != "" && k < nr) { rs = rs (rs == "" ? "" : ",") tolower(r[i]); k++ }
         print name, (ps == "" ? "-" : ps), (rs == "" ? "-" : rs) }' | sort
}
table_rows '"wactor", ' "$SRC/src/component/host.c" >"$TMP/host.imports"
table_rows '' "$SRC/src/component/exports.c" >"$TMP/host.exports"
[ -s "$TMP/host.imports" ] || { echo "wit_check: no import table rows found in src/component/host.c"; fail=1; }
[ -s "$TMP/host.exports" ] || { echo "wit_check: no export rows found in src/component/exports.c"; fail=1; }

compare() { # WHAT WIT_FILE HOST_FILE HOST_NAME
  if ! diff -u --label "sdk/wactor.wit ($1)" --label "$4" "$2" "$3" >"$TMP/diff"; then
    echo "wit_check: $1 differ ('-' only in the WIT, '+' only in $4):"
    grep -E '^[-+][^-+]' "$TMP/diff"
    fail=1
  fi
}
compare "imports of interface host" "$TMP/wit.imports" "$TMP/host.imports" "src/component/host.c"
compare "exports of world component" "$TMP/wit.exports" "$TMP/host.exports" "src/component/exports.c"
sed -nE 's/.*WACTOR_IMPORT_\("([^"]+)"\).*/\1/p' "$SRC/sdk/c/wactor_guest.h" | sort >"$TMP/sdk.names"
cut -d' ' -f1 "$TMP/host.imports" >"$TMP/host.names"
compare "import names" "$TMP/host.names" "$TMP/sdk.names" "sdk/c/wactor_guest.h"
# 5. the Rust SDK's raw imports (sdk/rust/src/sys.rs: `fn rust = "NAME"(arg: type, ...) -> ret;`), lowered
#    like the WIT (pointers, usize, i32/u32 -> i32; i64/u64 -> i64), must equal host.c's, signatures too
SYS=$SRC/sdk/rust/src/sys.rs
rust_checked=""
if [ -r "$SYS" ]; then
  rust_checked="; the Rust SDK too"
  sed -nE 's/^[ \t]*fn [a-z_0-9]+ *= *"([^"]+)" *\(([^)]*)\) *(-> *([^;]+))?;.*/\1|\2|\4/p' "$SYS" |
  awk -F'|' 'function low(t) { gsub(/^[ \t]+|[ \t]+$/, "", t)
                                if (t ~ /^\*(const|mut) / || t ~ /^(usize|isize|i32|u32|i16|u16|i8|u8|bool)$/) return "i32"
                                if (t ~ /^(i64|u64)$/) return "i64"; if (t == "f32" || t == "f64") return t; return "?" t }
             { n = split($2, a, ","); ps = ""
               for (i = 1; i <= n; i++) { if (a[i] ~ /^[ \t]*$/) continue; c = index(a[i], ":"); ps = ps (ps == "" ? "" : ",") low(substr(a[i], c + 1)) }
               print $1, (ps == "" ? "-" : ps), ($3 == "" ? "-" : low($3)) }' | sort >"$TMP/rust.imports"
  compare "imports (names and core signatures)" "$TMP/host.imports" "$TMP/rust.imports" "sdk/rust/src/sys.rs"
fi
awk '{print tolower($2)}' "$TMP/wit.err.enum" 2>/dev/null >"$TMP/wit.errors"
sed -nE 's/^[ \t]*X\(([A-Z]+), *([0-9]+),.*/\1/p' "$SRC/include/wactor_errors.h" | tr 'A-Z' 'a-z' >"$TMP/c.errors"
sed -nE 's/^[ \t]*X\(([A-Z]+), *([0-9]+),.*/\2/p' "$SRC/include/wactor_errors.h" >"$TMP/c.values"
seq 1 "$(wc -l <"$TMP/c.values")" | diff -q - "$TMP/c.values" >/dev/null ||
  { echo "wit_check: include/wactor_errors.h values are not 1, 2, 3, ... in order (enum error assumes it)"; fail=1; }
compare "error cases, in order" "$TMP/wit.errors" "$TMP/c.errors" "include/wactor_errors.h"

n_imp=$(wc -l <"$TMP/host.imports") n_exp=$(wc -l <"$TMP/host.exports") n_err=$(wc -l <"$TMP/c.errors")
if [ $fail -eq 0 ]; then
  echo "wit_check: ok ($n_imp imports, $n_exp exports, $n_err error codes agree$rust_checked)"
fi
exit $fail
