/* diag.c — see diag.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/diag.h"

void diag_set(wactor_diag *d, wactor_trap_kind trap, const char *fmt, ...) {
    if (!d) return;
    memset(d, 0, sizeof *d);
    d->trap = trap;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
}
