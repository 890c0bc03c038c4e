/*
 * errors.h — errno values inside the layers, wactor_error codes at the edges.
 *
 * Every layer reports failure as a negative errno value (-ENOENT, -EAGAIN, ...). The two edges — the host
 * functions a guest calls (src/component/host.c) and the embedding API (src/runtime/) — convert exactly
 * once, with these two functions; the pairs are listed in include/wactor_errors.h. Pure, thread-safe.
 */
#ifndef WACTOR_COMMON_ERRORS_H
#define WACTOR_COMMON_ERRORS_H

#include "wactor.h"

/* `rc` (0 or a negative errno value) as a public code: 0 -> WACTOR_OK, each errno of the list to its code,
 * -ESHUTDOWN (an ending actor) to WACTOR_ENOENT, any other negative value to WACTOR_EIO. */
wactor_error wactor_error_from_errno(int rc);

/* The inverse for the listed codes: WACTOR_OK -> 0, WACTOR_E<name> -> -<its errno>; unknown -> -EIO. */
int wactor_error_to_errno(wactor_error err);

#endif
