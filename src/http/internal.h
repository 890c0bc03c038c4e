/* internal.h — the admin HTTP server's private interface, shared by the files of src/http/ only.
 *
 *   server.c    libmicrohttpd daemon, authentication, request bodies, routing, error answers
 *   metrics.c   GET /metrics: the Prometheus text exposition format 0.0.4
 *   events.c    the event hub: the runtime's supervisor events and a 1 s stats tick, fanned out to SSE
 *               clients through bounded per-client buffers; counters the metrics read
 *   buf.c       a growing byte buffer
 *   dashboard.c the page served at `/` (a const char array)
 */
#ifndef WACTOR_HTTP_INTERNAL_H
#define WACTOR_HTTP_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wactor.h"
#include "wactor_http.h"

/* ----------------------------------------------------------------- buf.c */
typedef struct http_buf {
    char *data;
    size_t len, cap;
    bool failed;   /* an allocation failed: the contents are incomplete */
} http_buf;
void http_buf_add(http_buf *b, const char *s, size_t n);
void http_buf_str(http_buf *b, const char *s);
void http_buf_printf(http_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void http_buf_free(http_buf *b);

/* ----------------------------------------------------------------- events.c */
#define HTTP_SSE_KEEPALIVE_MS 15000
#define HTTP_SSE_CHECK_MS     250   /* how often an idle stream looks whether its client left */
#define HTTP_MAX_SUP_NAMES    256   /* supervisors whose shutdowns are counted by name (then "(other)") */

typedef struct http_sse_client http_sse_client;

typedef struct http_hub {
    wactor_runtime *rt;
    pthread_mutex_t lock;
    pthread_cond_t wake;           /* clients wait for data; the ticker waits for its next tick */
    bool stopping;
    size_t buffer_bytes;           /* per client */
    http_sse_client *clients;      /* list; under lock */
    size_t nclients;
    uint64_t next_id;              /* SSE event ids */
    uint64_t dropped;              /* clients dropped for falling behind */
    uint64_t events;               /* supervisor events seen */
    /* the rate of deliveries, sampled each tick */
    uint64_t last_delivered, last_ns, started_ns;
    double rate;                   /* < 0 until the first tick */
    /* supervisor_shutdown events seen, by supervisor name */
    struct { char *name; uint64_t count; } shutdowns[HTTP_MAX_SUP_NAMES];
    size_t nshutdowns;
    uint64_t other_shutdowns;
    pthread_t ticker;
    bool ticker_started;
} http_hub;

int http_hub_start(http_hub *h, wactor_runtime *rt, size_t buffer_bytes);
/* Wakes every client (their streams end) and stops the ticker; clients are freed by their connections. */
void http_hub_stop(http_hub *h);
void http_hub_free(http_hub *h);
/* The runtime's event handler (user = the hub). */
void http_hub_on_event(void *user, const char *json);
/* A new SSE client on socket `fd` (-1: unknown) (NULL on ENOMEM); its reader and free functions for MHD_create_response_from_callback. */
http_sse_client *http_sse_client_new(http_hub *h, int fd);
ssize_t http_sse_read(void *cls, uint64_t pos, char *buf, size_t max);
void http_sse_free(void *cls);
/* Snapshot of the counters metrics.c reads; `shutdowns` gets a malloc'd copy of names and counts. */
typedef struct http_hub_figures {
    size_t clients;
    uint64_t dropped, events, other_shutdowns;
    double rate, uptime_s;
    size_t nshutdowns;
    struct { char name[256]; uint64_t count; } *shutdowns;
} http_hub_figures;
void http_hub_figures_get(http_hub *h, http_hub_figures *out);

/* ----------------------------------------------------------------- metrics.c */
/* The whole exposition into `out`. */
void http_metrics(wactor_runtime *rt, http_hub *hub, http_buf *out);

/* ----------------------------------------------------------------- dashboard.c */
extern const char http_dashboard_html[];
extern const size_t http_dashboard_html_len;

#endif
