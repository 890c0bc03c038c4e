# The embedding example (examples/embed/embed.c) runs and shows what it claims.
. "$(dirname "$0")/lib.bash"
expect "embedding example" 0 "calc.add\(5, 3\) = 8" "" -- "$BUILD/embed" "$BUILD/examples"
grep -q "counter after 3 messages of +3: 9" "$TMP/out" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: counter"; cat "$TMP/out"; }
grep -q "counter health: healthy" "$TMP/out" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: health"; }
v=$(sed -n 's/^#define WACTOR_VERSION_\(MAJOR\|MINOR\|PATCH\) *\([0-9]*\).*/\2/p' "$(dirname "$0")/../../include/wactor.h" | paste -sd.)
grep -q "^wactor $v (header $v)" "$TMP/out" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: version $v"; head -1 "$TMP/out"; }
finish
