/*
 * wabt_stdio.c — lets libwactor.so contain Debian's libwabt.a, which is built -fPIE, not -fPIC.
 *
 * PIE code reaches data it does not define with PC-relative loads (R_X86_64_PC32), trusting the
 * executable's copy relocations to put the data within reach. A shared object has no copy relocations, so
 * ld refuses those references ("relocation R_X86_64_PC32 against symbol `stderr@@GLIBC_2.2.5' can not be
 * used when making a shared object"). References to wabt's own symbols become PC-relative-safe once they
 * are local to the library (cmake/libwactor.map); the only ones left point into glibc: `stdin`, `stdout`
 * and `stderr` (wabt's diagnostics, ReadFile("-"), FileStream::CreateStd*).
 *
 * The library therefore carries its own three pointers and links with
 *     -Wl,--defsym=stdin=wactor_wabt_stdin  (and stdout, stderr),
 * so every reference inside libwactor.so to glibc's stdio variables reads these instead. Each is
 * initialised by the dynamic loader (an R_X86_64_64 data relocation, resolved before any constructor
 * runs) to the FILE glibc's variable points to at start-up: the same FILE objects, buffers and locks the
 * program uses. The one difference: a program that *assigns* to stdin/stdout/stderr (rather than
 * freopen(3)ing them, which keeps the FILE) is not seen by libwactor.so. Only glibc is supported
 * (`_IO_2_1_stderr_` and friends are glibc's exported FILE objects, symbol version GLIBC_2.2.5).
 *
 * Compiled into libwactor.so only, and only when CMake's probe finds that libwabt.a needs it.
 */
#include <stdio.h>

extern FILE _IO_2_1_stdin_, _IO_2_1_stdout_, _IO_2_1_stderr_;

__attribute__((visibility("hidden"))) FILE *wactor_wabt_stdin = &_IO_2_1_stdin_;
__attribute__((visibility("hidden"))) FILE *wactor_wabt_stdout = &_IO_2_1_stdout_;
__attribute__((visibility("hidden"))) FILE *wactor_wabt_stderr = &_IO_2_1_stderr_;
