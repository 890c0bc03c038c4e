/*
 * admin.c — what a running admin HTTP server costs: messages/s into 100 sink components with the server
 * off, and with it on and scraped (GET /metrics over TCP) every second, alternating in the same invocation
 * on the same runtime so that the machine's noise hits both alike (docs/PERFORMANCE.md; issue 13's target:
 * under 2 %).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "wactor_http.h"

typedef struct scraper {
    uint16_t port;
    atomic_bool stop;
    atomic_int scrapes;
    atomic_size_t bytes;
    pthread_t thread;
} scraper;

/* One GET /metrics; the bytes of the answer (0 on failure). */
static size_t scrape_once(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    size_t total = 0;
    static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && send(fd, req, sizeof req - 1, MSG_NOSIGNAL) > 0) {
        char buf[16384];
        ssize_t n;
        while ((n = recv(fd, buf, sizeof buf, 0)) > 0) total += (size_t)n;
    }
    close(fd);
    return total;
}

static void *scrape_loop(void *arg) {
    scraper *s = arg;
    while (!atomic_load(&s->stop)) {
        for (int i = 0; i < 100 && !atomic_load(&s->stop); i++) { /* 1 s, stoppable every 10 ms */
            struct timespec ts = {0, 10000000};
            nanosleep(&ts, NULL);
        }
        if (atomic_load(&s->stop)) break;
        size_t n = scrape_once(s->port);
        if (n) {
            atomic_fetch_add(&s->scrapes, 1);
            atomic_fetch_add(&s->bytes, n);
        }
    }
    return NULL;
}

/* Messages/s handled by `actors` sinks: `total` 64-byte sends in batches of 20,000 (each batch drained
 * before the next, so mailboxes stay small), timed from the first send to the last message handled. */
static double run(wactor_runtime *rt, const wactor_pid *pids, int actors, int total) {
    char payload[64];
    memset(payload, ' ', sizeof payload);
    memcpy(payload, "\x80\x04{\"add\":1}", 12);
    wactor_stats before, after;
    wactor_stats_get(rt, &before);
    double t0 = now_us();
    for (int sent = 0; sent < total;) {
        for (int k = 0; k < 20000 && sent < total; k++, sent++) wactor_send(rt, pids[sent % actors], payload, sizeof payload);
        wactor_wait_idle(rt, 0);
    }
    double elapsed = now_us() - t0;
    wactor_stats_get(rt, &after);
    return (double)(after.delivered - before.delivered) / (elapsed / 1e6);
}

/* One measured run with the server on: started, scraped at once and then every second, stopped. */
static double run_on(wactor_runtime *rt, const wactor_pid *pids, int actors, int total, int *scrapes,
                     size_t *bytes, double *scrape_us) {
    wactor_http *http = NULL;
    if (wactor_http_start(rt, NULL, &http, NULL)) exit(1);
    scraper s = {.port = wactor_http_port(http)};
    double t0 = now_us();
    *bytes += scrape_once(s.port);
    *scrape_us = now_us() - t0; /* the first scrape's latency: walk, format, send */
    pthread_create(&s.thread, NULL, scrape_loop, &s);
    double rate = run(rt, pids, actors, total);
    atomic_store(&s.stop, true);
    pthread_join(s.thread, NULL);
    *scrapes += atomic_load(&s.scrapes) + 1;
    *bytes += atomic_load(&s.bytes);
    wactor_http_stop(http);
    return rate;
}

void phase_admin_scrape(bench_ctx *b) {
    enum { ACTORS = 100 };
    int total = 1500000 / SCALE, pairs = SMOKE ? 1 : 8;
    wactor_runtime *rt = bench_runtime(0);
    wactor_pid pids[ACTORS];
    wactor_spawn_opts opts = {.mailbox = 100000};
    for (int i = 0; i < ACTORS; i++)
        if (wactor_spawn(rt, b->sink, &opts, &pids[i], NULL)) exit(1);
    run(rt, pids, ACTORS, ACTORS * 10); /* warm: every inbox exists */
    double off[16], on[16], ratio[16], lat[16];
    int scrapes = 0;
    size_t bytes = 0;
    for (int r = 0; r < pairs; r++) { /* alternate the order so that drift hits both alike */
        if (r % 2 == 0) off[r] = run(rt, pids, ACTORS, total) / 1000.0;
        on[r] = run_on(rt, pids, ACTORS, total, &scrapes, &bytes, &lat[r]) / 1000.0;
        if (r % 2 == 1) off[r] = run(rt, pids, ACTORS, total) / 1000.0;
        ratio[r] = 100.0 * (off[r] - on[r]) / off[r];
    }
    row_ref("messages/s, 100 components, admin server off", "k msg/s", summarize_values(off, pairs),
            (ref){.key = "admin_off_100", .scale = 1000, .unit = "msg/s"});
    row_ref("  same, admin server on, /metrics scraped every 1 s", "k msg/s", summarize_values(on, pairs),
            (ref){.key = "admin_on_100", .scale = 1000, .unit = "msg/s"});
    row_ref("  cost of the scraped server (paired runs)", "%", summarize_values(ratio, pairs), (ref){0});
    row_ref("  one scrape of 100 components (latency)", "us", summarize_values(lat, pairs), (ref){0});
    /* The deterministic part: the process CPU time one scrape costs (server side and this client), on an
     * idle system: at one scrape a second it is the fraction of one core the scraped server takes. */
    wactor_http *http = NULL;
    if (wactor_http_start(rt, NULL, &http, NULL)) exit(1);
    double cpu[16];
    for (int r = 0; r < (SMOKE ? 1 : 10); r++) {
        struct timespec a, z;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        for (int k = 0; k < 10; k++) scrape_once(wactor_http_port(http));
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &z);
        cpu[r] = ((double)(z.tv_sec - a.tv_sec) * 1e6 + (double)(z.tv_nsec - a.tv_nsec) / 1e3) / 10.0;
    }
    wactor_http_stop(http);
    row_ref("  CPU time of one scrape (idle system, 100 components)", "us", summarize_values(cpu, SMOKE ? 1 : 10),
            (ref){0});
    fprintf(stderr, "bench: admin_scrape: %d scrapes, %.1f KiB each\n", scrapes,
            scrapes ? (double)bytes / scrapes / 1024.0 : 0.0);
    for (int i = 0; i < ACTORS; i++) wactor_stop(rt, pids[i], 100);
    wactor_runtime_destroy(rt);
}
