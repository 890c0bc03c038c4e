/*
 * escape.h — guest-controlled text made safe to print on a terminal or in a log file.
 *
 * Printable ASCII passes unchanged, and so does well-formed UTF-8 for code points from U+00A0 on (names and
 * log lines in any language). Everything else becomes a visible escape, so a guest can neither forge a line
 * (`\n[other] ...`) nor send terminal sequences: `\n`, `\r`, `\t`, `\\` for a backslash, and `\xHH` for
 * every other byte — C0 controls, DEL, ESC (`\x1b`), the C1 controls U+0080..U+009F (both bytes), and bytes
 * that are not well-formed UTF-8 (overlong, surrogates, > U+10FFFF, truncated). Lengths are size_t
 * throughout: no length passes through int. Pure, thread-safe.
 */
#ifndef WACTOR_COMMON_ESCAPE_H
#define WACTOR_COMMON_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Writes `len` bytes of `text` (any bytes, NULs included) escaped to `out` with fwrite, in bounded
 * chunks. The caller holds the FILE's lock if lines must not interleave (flockfile). Returns 0, or -1 if
 * a write failed. */
int escape_write(FILE *out, const char *text, size_t len);

/* Escapes `len` bytes of `text` into `buf` (cap > 0 bytes), always NUL-terminated; an escape that does not
 * fit whole is left out, and so is everything after it. Returns the length of the whole escaped text (which
 * may exceed cap - 1: then it was cut). */
size_t escape_to(char *buf, size_t cap, const char *text, size_t len);

#endif
