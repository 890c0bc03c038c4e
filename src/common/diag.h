/*
 * diag.h — filling a wactor_diag (include/wactor.h) from any layer.
 */
#ifndef WACTOR_COMMON_DIAG_H
#define WACTOR_COMMON_DIAG_H

#include "wactor.h"

/* Clears `d` and sets its trap kind and a printf-formatted message (truncated to WACTOR_DIAG_MAX - 1
 * bytes, always NUL-terminated). `d` may be NULL (no-op). Thread-safe for distinct `d`. */
void diag_set(wactor_diag *d, wactor_trap_kind trap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
