# install_test.sh — `make install` as a user meets it (ctest `install`).
# Installs the build into a temporary prefix (and once more with DESTDIR), then, using only what was
# installed: builds examples/embed/embed.c with `pkg-config --cflags --libs wactor` alone (the shared
# library where it was built; wactor-static.pc and `--static` for the archive) and with a CMake project
# using find_package(wactor), runs each; builds a C guest against the installed wactor_guest.h; checks
# that every public header compiles on its own (C11 and C++), that wactor(1) renders without a warning and
# names every command and option `wactor --help` prints, and that the installed `wactor` runs.
#
# Usage: bash install_test.sh SOURCE_DIR BUILD_DIR CC CXX WASM_CLANG HAVE_SHARED(0|1) [EXTRA_FLAGS]
#   EXTRA_FLAGS: compiler and linker flags the build's libraries need in a program (the sanitizers).
set -u
SRC=$1 BUILD=$2 CC=$3 CXX=$4 WASM_CLANG=$5 HAVE_SHARED=$6 EXTRA=${7:-}
pass=0
fail=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
P=$TMP/prefix
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# check NAME CMD... : CMD must succeed; its output is kept in $TMP/log and shown on failure
check() {
  local name=$1
  shift
  if "$@" >"$TMP/log" 2>&1; then ok; else bad "$name"; head -c 3000 "$TMP/log"; echo; fi
}
version=$(sed -n 's/^#define WACTOR_VERSION_\(MAJOR\|MINOR\|PATCH\) *\([0-9]*\).*/\2/p' "$SRC/include/wactor.h" | paste -sd.)

# ---- 1. install into a temporary prefix; every file is where it belongs
check "cmake --install" cmake --install "$BUILD" --prefix "$P"
files="bin/wactor lib/libwactor.a lib/pkgconfig/wactor.pc lib/pkgconfig/wactor-static.pc
  lib/cmake/wactor/wactorConfig.cmake lib/cmake/wactor/wactorConfigVersion.cmake share/man/man1/wactor.1
  share/wactor/wactor.wit include/wactor_guest.h"
for h in "$SRC"/include/*.h; do files="$files include/$(basename "$h")"; done
[ "$HAVE_SHARED" = 1 ] && files="$files lib/libwactor.so lib/libwactor.so.${version%%.*} lib/libwactor.so.$version"
for f in $files; do [ -e "$P/$f" ] && ok || bad "not installed: $f"; done
[ -x "$P/bin/wactor" ] && ok || bad "bin/wactor is not executable"
if [ "$HAVE_SHARED" = 1 ]; then
  # only the embedding API is exported: no wabt, C++ or layer-internal symbol leaks out of libwactor.so
  leaked=$(nm -D --defined-only "$P/lib/libwactor.so" | awk '{print $3}' | grep -v '^wactor_' | head -5)
  [ -z "$leaked" ] && ok || bad "libwactor.so exports more than wactor_*: $leaked"
fi

# ---- 2. DESTDIR stages the same tree under DESTDIR/PREFIX; the .pc works from there (relocatable)
check "DESTDIR install" env DESTDIR="$TMP/stage" cmake --install "$BUILD" --prefix /opt/wactor-test
[ -e "$TMP/stage/opt/wactor-test/include/wactor.h" ] && [ -e "$TMP/stage/opt/wactor-test/bin/wactor" ] && ok \
  || bad "DESTDIR: files not under \$DESTDIR/opt/wactor-test"
[ ! -e /opt/wactor-test ] && ok || bad "DESTDIR install wrote outside DESTDIR"
inc=$(PKG_CONFIG_PATH="$TMP/stage/opt/wactor-test/lib/pkgconfig" pkg-config --variable=includedir wactor)
[ -e "$inc/wactor.h" ] && ok || bad "DESTDIR: pkg-config includedir '$inc' has no wactor.h"

# ---- 3. embed.c with `pkg-config --cflags --libs wactor` alone (a copy: nothing of the source tree in reach)
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
mkdir -p "$TMP/app"
cp "$SRC/examples/embed/embed.c" "$TMP/app/embed.c"
run_embed() { # NAME BINARY [env...]: the embed example's own claims (tests/cli/embed.sh)
  local name=$1 bin=$2
  shift 2
  if env "$@" "$bin" "$BUILD/examples" >"$TMP/out" 2>&1 </dev/null; then ok; else bad "$name: exit status $?"; fi
  for want in "^wactor $version \\(header $version\\)" "calc.add\\(5, 3\\) = 8" "counter after 3 messages of \\+3: 9" \
              "counter health: healthy"; do
    grep -Eq -- "$want" "$TMP/out" && ok || { bad "$name: no '$want'"; head -c 2000 "$TMP/out"; }
  done
}
needs_libwactor_so() { readelf -d "$1" | grep -q 'NEEDED.*\[libwactor\.so\.'; }
if [ "$HAVE_SHARED" = 1 ]; then
  pcflags=$(pkg-config --cflags --libs wactor) && ok || bad "pkg-config --cflags --libs wactor"
  # shellcheck disable=SC2086
  check "cc embed.c \$(pkg-config --cflags --libs wactor)" $CC -std=c11 -Wall -Wextra -Werror $EXTRA \
    -o "$TMP/app/embed_pc" "$TMP/app/embed.c" $pcflags
  needs_libwactor_so "$TMP/app/embed_pc" && ok || bad "embed_pc is not linked against libwactor.so"
  run_embed "embed (libwactor.so, pkg-config)" "$TMP/app/embed_pc" LD_LIBRARY_PATH="$P/lib"
  pcstatic=$(pkg-config --libs wactor-static)
else
  pcstatic=$(pkg-config --static --libs wactor)
fi
pccflags=$(pkg-config --cflags wactor)
# shellcheck disable=SC2086
check "cc embed.c (libwactor.a, pkg-config)" $CC -std=c11 -Wall -Wextra -Werror $EXTRA \
  -o "$TMP/app/embed_static" "$TMP/app/embed.c" $pccflags $pcstatic
needs_libwactor_so "$TMP/app/embed_static" && bad "embed_static needs libwactor.so" || ok
run_embed "embed (libwactor.a, pkg-config)" "$TMP/app/embed_static"
# --static names every private library; the names are derived from the CMake targets (CMakeLists.txt)
st=$(pkg-config --static --libs wactor)
for l in -lwactor -lwabt -lyaml -ljansson -lcbor -lstdc++ -lm -pthread; do
  case " $st " in *" $l "*) ok ;; *) bad "pkg-config --static --libs wactor lacks $l: $st" ;; esac
done

# ---- 4. a CMake project: find_package(wactor) -> wactor::wactor (and wactor_USE_STATIC for the archive)
mkdir -p "$TMP/cmk"
cp "$TMP/app/embed.c" "$TMP/cmk/embed.c"
cat >"$TMP/cmk/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(wactor_user C)
find_package(wactor 0.9 REQUIRED)
add_executable(embed embed.c)
target_link_libraries(embed PRIVATE wactor::wactor)
EOF
for mode in shared static; do
  [ $mode = shared ] && [ "$HAVE_SHARED" != 1 ] && continue
  use_static=OFF
  [ $mode = static ] && use_static=ON
  check "cmake configure ($mode)" cmake -S "$TMP/cmk" -B "$TMP/cmk/b-$mode" -DCMAKE_PREFIX_PATH="$P" \
    -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" -Dwactor_USE_STATIC=$use_static \
    "-DCMAKE_C_FLAGS=$EXTRA" "-DCMAKE_EXE_LINKER_FLAGS=$EXTRA"
  check "cmake build ($mode)" cmake --build "$TMP/cmk/b-$mode"
  if [ $mode = shared ]; then
    needs_libwactor_so "$TMP/cmk/b-$mode/embed" && ok || bad "find_package: wactor::wactor is not libwactor.so"
  else
    needs_libwactor_so "$TMP/cmk/b-$mode/embed" && bad "wactor_USE_STATIC: still linked to libwactor.so" || ok
  fi
  run_embed "embed (find_package, $mode)" "$TMP/cmk/b-$mode/embed" # the imported .so gives it an RPATH
done
cat >"$TMP/cmk/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(wactor_user C)
find_package(wactor 1.0 QUIET)
if(wactor_FOUND)
  message(FATAL_ERROR "find_package(wactor 1.0) accepted version ${wactor_VERSION}")
endif()
EOF
check "find_package(wactor 1.0) refuses 0.x" cmake -S "$TMP/cmk" -B "$TMP/cmk/b-version" -DCMAKE_PREFIX_PATH="$P"

# ---- 5. every installed public header compiles on its own, as C11 and as C++
for h in "$P"/include/wactor*.h; do
  b=$(basename "$h")
  [ "$b" = wactor_guest.h ] && continue # a guest header: compiled for wasm32 below
  printf '#include "%s"\nint wactor_header_test_;\n' "$b" >"$TMP/h.c"
  check "$b alone (C11)" $CC -std=c11 -Wall -Wextra -Werror -pedantic -I"$P/include" -c "$TMP/h.c" -o "$TMP/h.o"
  cp "$TMP/h.c" "$TMP/h.cpp"
  check "$b alone (C++)" $CXX -std=c++17 -Wall -Wextra -Werror -I"$P/include" -c "$TMP/h.cpp" -o "$TMP/h.o"
done

# ---- 6. a C guest built against the installed wactor_guest.h alone, inspected by the installed wactor
cat >"$TMP/guest.c" <<'EOF'
#define WACTOR_GUEST_IMPLEMENTATION
#include "wactor_guest.h"
static int count;
static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    (void)sender, (void)sender_len, (void)payload, (void)len;
    count++;
}
WACTOR_HANDLE_MESSAGE(on_message)
WACTOR_EXPORT("twice") int twice(int x) { return 2 * x + count; }
EOF
gi=$(pkg-config --variable=guestincludedir wactor)
check "guest against the installed wactor_guest.h" $WASM_CLANG --target=wasm32-wasi -O2 -mexec-model=reactor \
  -Wall -Wextra -Werror -I"$gi" -o "$TMP/guest.wasm" "$TMP/guest.c"
out=$("$P/bin/wactor" call "$TMP/guest.wasm" twice 21 2>&1)
[ "$out" = 42 ] && ok || bad "installed wactor call guest.wasm twice 21: '$out'"
"$P/bin/wactor" inspect "$TMP/guest.wasm" >"$TMP/out" 2>&1
for e in cabi_realloc handle-message twice; do grep -q "func *$e " "$TMP/out" && ok || bad "guest lacks export $e"; done

# ---- 7. the installed wactor runs and names its version
"$P/bin/wactor" --version >"$TMP/out" 2>&1
st=$?
if [ $st -eq 2 ] && grep -q "unknown command '--version'" "$TMP/out"; then
  echo "NOTE: this wactor has no --version yet (issue 14 item 2, the cli branch): version check skipped"
else
  [ $st -eq 0 ] && grep -Eq "^wactor $version\$" "$TMP/out" && ok || { bad "wactor --version (status $st)"; cat "$TMP/out"; }
fi
"$P/bin/wactor" --help >"$TMP/help" 2>&1 && ok || bad "installed wactor --help"

# ---- 8. wactor(1): renders without warnings, and names every command and option the usage texts name
man1=$P/share/man/man1/wactor.1
warn=$(groff -man -Tutf8 -ww -z "$man1" 2>&1)
[ -z "$warn" ] && ok || bad "groff warnings in wactor.1: $warn"
MANWIDTH=100 MANPAGER=cat man -l "$man1" >"$TMP/man.txt" 2>"$TMP/man.err" && ok || bad "man -l wactor.1"
[ ! -s "$TMP/man.err" ] && ok || { bad "man -l wactor.1 printed on stderr"; cat "$TMP/man.err"; }
grep -q "wactor - run WebAssembly components as supervised actors" "$TMP/man.txt" && ok || bad "man: no NAME line"
manplain=$(groff -man -Tascii -P-cbou "$man1" 2>/dev/null)
helps=$(cat "$TMP/help")
for c in $(grep -Eo '^ *wactor [a-z]+' "$TMP/help" | awk '{print $2}' | sort -u); do
  # each command's own usage: `wactor help CMD` where it exists, and what `wactor CMD` alone prints
  h=$("$P/bin/wactor" help "$c" 2>/dev/null </dev/null) && helps="$helps
$h"
  h=$(timeout 20 "$P/bin/wactor" "$c" 2>&1 </dev/null)
  helps="$helps
$h"
  grep -Eq "^ *wactor $c( |\$)" <<<"$manplain" && ok || bad "wactor(1) has no synopsis for 'wactor $c'"
done
for o in $(grep -Eo -- '--[a-z][a-z-]*' <<<"$helps" | sort -u); do
  grep -q -- "$o" <<<"$manplain" && ok || bad "wactor(1) does not mention $o (from wactor --help)"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
