/* admin.h — the admin console of `wactor run --admin` (commands: see admin.c). */
#ifndef WACTOR_CLI_ADMIN_H
#define WACTOR_CLI_ADMIN_H

#include <pthread.h>

#include "wactor.h"

/* Starts a thread that reads commands from stdin and answers on stdout, writing under `lock` (shared with
 * the log printer so lines never interleave). Returns 0 or -1. */
int cli_admin_start(wactor_runtime *rt, pthread_mutex_t *lock);

#endif
