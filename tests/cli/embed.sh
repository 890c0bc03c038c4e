# The embedding example (examples/embed/embed.c) runs and shows what it claims.
. "$(dirname "$0")/lib.bash"
expect "embedding example" 0 "calc.add\(5, 3\) = 8" "" -- "$BUILD/embed" "$BUILD/examples"
grep -q "counter after 3 messages of +3: 9" "$TMP/out" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: counter"; cat "$TMP/out"; }
grep -q "counter health: healthy" "$TMP/out" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: health"; }
finish
