/*
 * events.c — the event hub behind GET /api/events (Server-Sent Events, WHATWG HTML "Server-sent events").
 *
 * Producers: the runtime's supervisor events (http_hub_on_event, called on scheduler threads) and a ticker
 * thread that once a second samples the delivery rate and, while clients are connected, builds one `stats`
 * event ({"node":...,"components":[...]}). A producer formats an event once and copies it into each
 * client's buffer under the hub's lock; it never waits for a client. A client whose buffer cannot take an
 * event (it reads slower than events come) is marked dropped: its stream gets `event: dropped` and ends,
 * and the hub counts it. Consumers: each SSE connection's thread (libmicrohttpd's thread-per-connection
 * mode) blocks in http_sse_read until its buffer has data, the hub stops, or the keepalive is due.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>

#include <microhttpd.h>

#include "admin/admin.h"
#include "http/internal.h"

struct http_sse_client {
    http_sse_client *next;
    http_hub *hub;
    char *buf;             /* [head, head + len) not yet written to the connection */
    size_t head, len, cap;
    bool dropped, finished, hello;
    int fd;                /* the connection's socket (-1: unknown), watched for the client's close */
};

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Appends one frame to every client; under h->lock. */
static void fan_out(http_hub *h, const char *event, const char *data) {
    if (!h->clients) return;
    char head[96];
    int hn = snprintf(head, sizeof head, "id: %llu\nevent: %s\ndata: ", (unsigned long long)++h->next_id, event);
    size_t dn = strlen(data), need = (size_t)hn + dn + 2;
    for (http_sse_client *c = h->clients; c; c = c->next) {
        if (c->dropped) continue;
        if (c->head + c->len + need > c->cap) { /* compact, then check the room */
            memmove(c->buf, c->buf + c->head, c->len);
            c->head = 0;
        }
        if (c->len + need > c->cap) {
            c->dropped = true;
            h->dropped++;
            continue;
        }
        char *p = c->buf + c->head + c->len;
        memcpy(p, head, (size_t)hn);
        memcpy(p + hn, data, dn);
        memcpy(p + hn + dn, "\n\n", 2);
        c->len += need;
    }
    pthread_cond_broadcast(&h->wake);
}

static void count_shutdown(http_hub *h, const char *json) {
    json_t *ev = json_loads(json, 0, NULL);
    const char *sup = ev ? json_string_value(json_object_get(ev, "supervisor")) : NULL;
    if (!sup) sup = "";
    size_t i = 0;
    while (i < h->nshutdowns && strcmp(h->shutdowns[i].name, sup) != 0) i++;
    if (i == h->nshutdowns && i < HTTP_MAX_SUP_NAMES && (h->shutdowns[i].name = strdup(sup))) h->nshutdowns++;
    if (i < h->nshutdowns) h->shutdowns[i].count++;
    else h->other_shutdowns++;
    json_decref(ev);
}

void http_hub_on_event(void *user, const char *json) {
    http_hub *h = user;
    bool shutdown = strstr(json, "\"event\":\"supervisor_shutdown\"") != NULL;
    pthread_mutex_lock(&h->lock);
    h->events++;
    if (shutdown) count_shutdown(h, json);
    fan_out(h, "supervisor", json);
    pthread_mutex_unlock(&h->lock);
}

/* The 1 s tick: the delivery rate, and a stats event for the clients. */
static void tick(http_hub *h) {
    wactor_stats st;
    wactor_stats_get(h->rt, &st);
    uint64_t t = mono_ns();
    pthread_mutex_lock(&h->lock);
    if (t > h->last_ns) h->rate = (double)(st.delivered - h->last_delivered) * 1e9 / (double)(t - h->last_ns);
    h->last_ns = t;
    h->last_delivered = st.delivered;
    double rate = h->rate, up = (double)(t - h->started_ns) / 1e9;
    bool wanted = h->clients != NULL;
    pthread_mutex_unlock(&h->lock);
    if (!wanted) return;
    admin_answer node = admin_node(h->rt, rate, up);
    admin_answer comps = admin_components(h->rt);
    json_t *o = json_object();
    if (o && node.json && comps.json) {
        json_object_set(o, "node", node.json);
        json_object_set(o, "components", json_object_get(comps.json, "components"));
    }
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(9)) : NULL;
    json_decref(o);
    json_decref(node.json);
    json_decref(comps.json);
    if (!text) return;
    pthread_mutex_lock(&h->lock);
    fan_out(h, "stats", text);
    pthread_mutex_unlock(&h->lock);
    free(text);
}

static void *ticker(void *arg) {
    http_hub *h = arg;
    pthread_mutex_lock(&h->lock);
    while (!h->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        while (!h->stopping && pthread_cond_timedwait(&h->wake, &h->lock, &until) != ETIMEDOUT) {
        }
        if (h->stopping) break;
        pthread_mutex_unlock(&h->lock);
        tick(h);
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

int http_hub_start(http_hub *h, wactor_runtime *rt, size_t buffer_bytes) {
    memset(h, 0, sizeof *h);
    h->rt = rt;
    h->buffer_bytes = buffer_bytes;
    h->rate = -1;
    h->started_ns = h->last_ns = mono_ns();
    wactor_stats st;
    wactor_stats_get(rt, &st);
    h->last_delivered = st.delivered;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, NULL);
    if (pthread_create(&h->ticker, NULL, ticker, h) != 0) {
        pthread_cond_destroy(&h->wake);
        pthread_mutex_destroy(&h->lock);
        return -ENOMEM;
    }
    h->ticker_started = true;
    return 0;
}

void http_hub_stop(http_hub *h) {
    pthread_mutex_lock(&h->lock);
    h->stopping = true;
    pthread_cond_broadcast(&h->wake);
    pthread_mutex_unlock(&h->lock);
    if (h->ticker_started) pthread_join(h->ticker, NULL);
    h->ticker_started = false;
}

void http_hub_free(http_hub *h) {
    for (size_t i = 0; i < h->nshutdowns; i++) free(h->shutdowns[i].name);
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->lock);
}

void http_hub_figures_get(http_hub *h, http_hub_figures *out) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&h->lock);
    out->clients = h->nclients;
    out->dropped = h->dropped;
    out->events = h->events;
    out->rate = h->rate;
    out->uptime_s = (double)(mono_ns() - h->started_ns) / 1e9;
    out->other_shutdowns = h->other_shutdowns;
    out->shutdowns = h->nshutdowns ? calloc(h->nshutdowns, sizeof *out->shutdowns) : NULL;
    if (out->shutdowns) {
        out->nshutdowns = h->nshutdowns;
        for (size_t i = 0; i < h->nshutdowns; i++) {
            snprintf(out->shutdowns[i].name, sizeof out->shutdowns[i].name, "%s", h->shutdowns[i].name);
            out->shutdowns[i].count = h->shutdowns[i].count;
        }
    }
    pthread_mutex_unlock(&h->lock);
}

/* ----------------------------------------------------------------- one SSE client */

/* Whether the client closed its end: an SSE client sends nothing after its request, so a peek that reads
 * end-of-file means it is gone (its thread and connection slot can go now, not at the next keepalive). */
static bool client_gone(const http_sse_client *c) {
    if (c->fd < 0) return false;
    char b;
    return recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

http_sse_client *http_sse_client_new(http_hub *h, int fd) {
    http_sse_client *c = calloc(1, sizeof *c);
    if (!c || !(c->buf = malloc(h->buffer_bytes))) {
        free(c);
        return NULL;
    }
    c->hub = h;
    c->cap = h->buffer_bytes;
    c->fd = fd;
    pthread_mutex_lock(&h->lock);
    c->next = h->clients;
    h->clients = c;
    h->nclients++;
    pthread_mutex_unlock(&h->lock);
    return c;
}

ssize_t http_sse_read(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    http_sse_client *c = cls;
    http_hub *h = c->hub;
    static const char hello[] = ": wactor events (docs/OPERATIONS.md)\nretry: 2000\n\n";
    static const char dropped[] = "event: dropped\ndata: {\"reason\":\"the client fell behind\"}\n\n";
    static const char keepalive[] = ": keepalive\n\n";
    if (!c->hello && max >= sizeof hello) { /* the headers and a first line go out at once */
        c->hello = true;
        memcpy(buf, hello, sizeof hello - 1);
        return (ssize_t)(sizeof hello - 1);
    }
    pthread_mutex_lock(&h->lock);
    uint64_t deadline = mono_ns() + (uint64_t)HTTP_SSE_KEEPALIVE_MS * 1000000u;
    while (!c->len && !c->dropped && !h->stopping && !c->finished && mono_ns() < deadline) {
        struct timespec until; /* wake every HTTP_SSE_CHECK_MS to see whether the client is still there */
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += HTTP_SSE_CHECK_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        if (pthread_cond_timedwait(&h->wake, &h->lock, &until) == ETIMEDOUT && client_gone(c)) c->finished = true;
    }
    ssize_t n;
    if (c->len) {
        size_t k = c->len < max ? c->len : max;
        memcpy(buf, c->buf + c->head, k);
        c->head += k;
        c->len -= k;
        if (!c->len) c->head = 0;
        n = (ssize_t)k;
    } else if (c->dropped && !c->finished && max >= sizeof dropped) {
        c->finished = true;
        memcpy(buf, dropped, sizeof dropped - 1);
        n = (ssize_t)(sizeof dropped - 1);
    } else if (c->dropped || h->stopping || c->finished) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        size_t k = sizeof keepalive - 1 < max ? sizeof keepalive - 1 : max;
        memcpy(buf, keepalive, k);
        n = (ssize_t)k;
    }
    pthread_mutex_unlock(&h->lock);
    return n;
}

void http_sse_free(void *cls) {
    http_sse_client *c = cls;
    http_hub *h = c->hub;
    pthread_mutex_lock(&h->lock);
    for (http_sse_client **p = &h->clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            h->nclients--;
            break;
        }
    pthread_mutex_unlock(&h->lock);
    free(c->buf);
    free(c);
}
