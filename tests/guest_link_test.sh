# guest_link_test.sh — ctest `guest_link`: the WACTOR_GUEST_IMPLEMENTATION convention of sdk/c/wactor_guest.h
# at link time, with the flags the header documents: a component of two files links when exactly one
# defines it; with none the link fails naming the define; with two it fails on cabi_realloc; a file that
# still defines the old WACTOR_GUEST_NO_REALLOC links as before; the header is warning-free as C and C++.
# Usage: bash guest_link_test.sh SOURCE_DIR WASM_CLANG
set -u
SRC=$1 CLANG=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
CFLAGS="--target=wasm32-wasi -O2 -I$SRC/sdk/c -I$SRC/include -Wall -Wextra -Werror"
LDFLAGS="--target=wasm32-wasi -mexec-model=reactor -Wl,--strip-all"
cat >"$TMP/handler.c" <<'C'
#include "wactor_guest.h"
int helper(int x);
static void on_message(const char *s, size_t sl, const uint8_t *p, size_t pl) { (void)s, (void)sl, (void)p; helper((int)pl); }
WACTOR_HANDLE_MESSAGE(on_message)
C
cat >"$TMP/helper.c" <<'C'
#include "wactor_guest.h"
static int n;
int helper(int x) { n += x; return n; }
WACTOR_EXPORT("count") int count(void) { return n; }
C
# link NAME WANT(ok|fail) WANT_REGEX DEFINES_FOR_HANDLER DEFINES_FOR_HELPER [LANG]
link() {
  local name=$1 want=$2 regex=$3 d1=$4 d2=$5 lang=${6:-c}
  # shellcheck disable=SC2086
  if $CLANG $CFLAGS -x $lang $d1 -c "$TMP/handler.c" -o "$TMP/handler.o" >"$TMP/log" 2>&1 &&
     $CLANG $CFLAGS -x $lang $d2 -c "$TMP/helper.c" -o "$TMP/helper.o" >>"$TMP/log" 2>&1 &&
     $CLANG $LDFLAGS -o "$TMP/m.wasm" "$TMP/handler.o" "$TMP/helper.o" >>"$TMP/log" 2>&1; then got=ok; else got=fail; fi
  if [ $got = "$want" ] && { [ -z "$regex" ] || grep -Eq -- "$regex" "$TMP/log"; }; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL: $name (got $got, want $want${regex:+ with '$regex'})"; cat "$TMP/log"
  fi
}
I=-DWACTOR_GUEST_IMPLEMENTATION
link "the define in the handler's file" ok "" $I ""
exports=$(wasm-objdump -x -j Export "$TMP/m.wasm" 2>/dev/null | grep -Eo '"[^"]+"' | sort | tr '\n' ' ')
[ "$exports" = '"_initialize" "cabi_realloc" "count" "handle-message" "memory" ' ] && pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL: exports of the two-file module: $exports"; }
link "the define in the other file" ok "" "" $I
link "as C++" ok "" $I "" c++
link "no define" fail "undefined symbol: wactor_define_WACTOR_GUEST_IMPLEMENTATION_in_one_file" "" ""
link "the define in both" fail "duplicate symbol: cabi_realloc" $I $I
link "legacy WACTOR_GUEST_NO_REALLOC in the other file" ok "" $I -DWACTOR_GUEST_NO_REALLOC
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
