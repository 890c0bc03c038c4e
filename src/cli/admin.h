/* admin.h — the admin console of `wactor run --admin` (commands: see admin.c). */
#ifndef WACTOR_CLI_ADMIN_H
#define WACTOR_CLI_ADMIN_H

#include <pthread.h>

#include "manifest/manifest.h"
#include "wactor.h"

/* Starts a thread that reads commands from stdin and answers on stdout, writing under `lock` (shared with
 * the log printer so lines never interleave). Returns 0 or -1. */
int cli_admin_start(wactor_runtime *rt, pthread_mutex_t *lock);

/* http.c: starts the admin HTTP server when --http (listen, "HOST:PORT") or the manifest's `http:`
 * section asks for it (*out stays NULL otherwise); --http and --http-token-file override the section.
 * Says where it listens on stderr. Returns CLI_OK, or CLI_BAD_INPUT after saying why on stderr. */
typedef struct wactor_http wactor_http;
int cli_http_start(wactor_runtime *rt, const char *listen, const char *token_file, const manifest_http *mh,
                   wactor_http **out);

#endif
