# dashboard.cmake — turns a file into C source holding its bytes, at build time (no xxd needed):
#   cmake -DIN=src/http/dashboard.html -DOUT=build/generated/http/dashboard.c -DNAME=http_dashboard_html
#         -P src/http/dashboard.cmake
# The output defines `const char NAME[]` (the file's bytes, then one NUL, so it is also a C string) and
# `const size_t NAME_len` (the file's length in bytes, without that NUL). The admin HTTP server serves
# http_dashboard_html at GET / (declared in src/http/internal.h). The file is rewritten only when its text
# changes, so an unchanged page does not relink anything.
foreach(v IN ITEMS IN OUT NAME)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "dashboard.cmake: -D${v}=... is required")
  endif()
endforeach()
if(NOT NAME MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
  message(FATAL_ERROR "dashboard.cmake: NAME '${NAME}' is not a C identifier")
endif()
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
if(size EQUAL 0)
  message(FATAL_ERROR "dashboard.cmake: ${IN} is empty")
endif()
# 16 bytes per line: "0x3c,0x21,..."
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REPEAT "0x[0-9a-f][0-9a-f]," 16 sixteen) # CMake's regular expressions have no {n}
string(REGEX REPLACE "(${sixteen})" "\\1\n    " bytes "${bytes}")
get_filename_component(in_name "${IN}" NAME)
set(text "/* Generated at build time from ${in_name} by src/http/dashboard.cmake: do not edit; edit ${in_name}. */
#include <stddef.h>

extern const char ${NAME}[];
extern const size_t ${NAME}_len;

const char ${NAME}[${size} + 1] = {
    ${bytes}0x00};
const size_t ${NAME}_len = ${size};
")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${text}")
