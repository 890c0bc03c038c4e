/*
 * wactor_http.h — the admin HTTP server of a running node: Prometheus metrics (`GET /metrics`), a JSON API
 * (`/api/...`), Server-Sent Events of supervisor events and stats (`GET /api/events`), and the dashboard
 * page at `/`. docs/OPERATIONS.md lists every endpoint, JSON shape, metric and error.
 *
 * Built on libmicrohttpd (one thread per connection, at most max_connections). Off unless started.
 *
 * Security: the server binds to 127.0.0.1 by default. A non-loopback address without a bearer token is
 * refused. With a token, every request must carry `Authorization: Bearer TOKEN`; without one, every POST is
 * refused (403) — mutating requests need the token always. Request bodies are bounded by max_body_bytes.
 */
#ifndef WACTOR_HTTP_H
#define WACTOR_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "wactor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WACTOR_HTTP_DEFAULT_MAX_BODY_BYTES   (64u << 10)  /* 64 KiB */
#define WACTOR_HTTP_DEFAULT_MAX_CONNECTIONS  32u
#define WACTOR_HTTP_DEFAULT_SSE_BUFFER_BYTES (256u << 10) /* 256 KiB per SSE client */
#define WACTOR_HTTP_MIN_TOKEN_BYTES          16u
#define WACTOR_HTTP_MAX_TOKEN_BYTES          4096u

typedef struct wactor_http_opts {
    const char *address;        /* IPv4 address to bind ("127.0.0.1", "0.0.0.0", ...); NULL = 127.0.0.1 */
    uint16_t port;              /* 0 = any free port (wactor_http_port() tells which) */
    const char *token;          /* bearer token (copied), WACTOR_HTTP_MIN_TOKEN_BYTES to _MAX_TOKEN_BYTES
                                   printable ASCII; NULL = none (loopback only, GET only) */
    size_t max_body_bytes;      /* 0 = WACTOR_HTTP_DEFAULT_MAX_BODY_BYTES */
    unsigned max_connections;   /* 0 = WACTOR_HTTP_DEFAULT_MAX_CONNECTIONS */
    size_t sse_buffer_bytes;    /* 0 = WACTOR_HTTP_DEFAULT_SSE_BUFFER_BYTES */
} wactor_http_opts;

typedef struct wactor_http wactor_http;

/* Starts the server for `rt` (which must outlive it): binds, listens, and adds an event handler to the
 * runtime (wactor_add_event_handler) for /api/events and the supervisor metrics. `opts` may be NULL
 * (defaults). *out is freed with wactor_http_stop().
 * Errors: WACTOR_EINVAL (bad address, token of the wrong length or with non-printable bytes, out NULL),
 * WACTOR_EPERM (a non-loopback address without a token), WACTOR_EIO (cannot bind/listen: diag says why,
 * e.g. the port is taken), WACTOR_EFULL (the runtime has no event handler slot left), WACTOR_ENOMEM.
 * diag (may be NULL) gets the reason. Thread-safe. */
WACTOR_API wactor_error wactor_http_start(wactor_runtime *rt, const wactor_http_opts *opts, wactor_http **out,
                                          wactor_diag *diag);

/* The TCP port the server listens on (the one chosen when opts.port was 0). */
WACTOR_API uint16_t wactor_http_port(const wactor_http *http);

/* Stops the server: ends SSE streams, waits for requests in progress (an ask waits at most its timeout),
 * removes its event handler and frees it. Call before wactor_runtime_destroy. NULL is a no-op. */
WACTOR_API void wactor_http_stop(wactor_http *http);

#ifdef __cplusplus
}
#endif
#endif /* WACTOR_HTTP_H */
