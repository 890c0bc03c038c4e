/*
 * throughput.c — messages per second: pub/sub fan-out to 100 components, and messages/s into
 * handle-message of 1, 100 and 10,000 components, beside the same shape with native C actors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor/actor.h"
#include "bench.h"

/* Pub/sub fan-out: the host publishes to a topic 100 sink components subscribe to. */
void phase_fanout(bench_ctx *b) {
    enum { SUBS = 100 };
    wactor_runtime *rt = bench_runtime(0);
    static const char *const topic[] = {"bench.fanout"};
    wactor_caps caps = {.subscribe = topic, .nsubscribe = 1};
    wactor_spawn_opts opts = {.caps = &caps, .mailbox = 1000000};
    wactor_value r;
    size_t nr;
    for (int i = 0; i < SUBS; i++) {
        wactor_pid pid;
        if (wactor_spawn(rt, b->sink, &opts, &pid, NULL) ||
            wactor_invoke_values(rt, pid, "sub", NULL, 0, &r, 1, &nr, 0, NULL) || r.of.i32 != 0)
            exit(1);
    }
    char payload[64];
    memset(payload, ' ', sizeof payload);
    memcpy(payload, "\x80\x04{\"tick\":1}", 12);
    double rates[16];
    int publishes = 4000 / SCALE;
    for (int rep = 0; rep < REPEATS; rep++) {
        double t0 = now_us();
        size_t reached = 0;
        for (int i = 0; i < publishes; i++) {
            size_t n = 0;
            wactor_publish(rt, "bench.fanout", payload, sizeof payload, &n);
            reached += n;
        }
        wactor_wait_idle(rt, 0);
        rates[rep] = (double)reached / ((now_us() - t0) / 1e6) / 1000.0;
    }
    row_ref("pub/sub fan-out to 100 components (deliveries)", "k msg/s", summarize_values(rates, REPEATS),
            (ref){.key = "fanout_100", .scale = 1000, .unit = "msg/s"});
    wactor_runtime_destroy(rt);
}

/* Messages/s into handle-message of N sink components (64-byte JSON payloads), from spawned components that
 * have handled one message each (their inbox exists) to the last message handled. */
static double component_throughput(wactor_runtime *rt, wactor_module *sink, int actors, int total) {
    wactor_pid *pids = xmalloc(sizeof(wactor_pid) * (size_t)actors);
    wactor_spawn_opts opts = {.mailbox = (uint32_t)total}; /* room for all: measure delivery, not refusal */
    for (int i = 0; i < actors; i++) wactor_spawn(rt, sink, &opts, &pids[i], NULL);
    char payload[64];
    memset(payload, ' ', sizeof payload);
    memcpy(payload, "\x80\x04{\"add\":1}", 12);
    /* ready before the clock starts, as Erlang's receivers are: each has handled one message, so its inbox
     * (allocated in guest memory on the first message: fresh pages) exists */
    for (int i = 0; i < actors; i++) wactor_send(rt, pids[i], payload, sizeof payload);
    wactor_wait_idle(rt, 0);
    wactor_stats before, after;
    wactor_stats_get(rt, &before);
    double t0 = now_us();
    for (int i = 0; i < total; i++) wactor_send(rt, pids[i % actors], payload, sizeof payload);
    wactor_wait_idle(rt, 0);
    double elapsed = now_us() - t0;
    wactor_stats_get(rt, &after);
    double rate = (double)(after.delivered - before.delivered) / (elapsed / 1e6); /* handled, not just sent */
    for (int i = 0; i < actors; i++) wactor_stop(rt, pids[i], 100);
    free(pids);
    return rate;
}

/* The native baseline: the same shape with native actors that count. */
static actor_result count_receive(actor *self, actor_msg *msg) {
    (*(long *)actor_state(self))++;
    actor_msg_free(msg);
    return ACTOR_CONTINUE;
}
static const actor_behaviour counter_behaviour = {.name = "count", .receive = count_receive};

static double native_throughput(int actors, int total) {
    actor_system *sys;
    if (actor_system_create(0, &sys)) exit(1);
    actor_id *ids = xmalloc(sizeof(actor_id) * (size_t)actors);
    long *counts = calloc((size_t)actors, sizeof *counts);
    for (int i = 0; i < actors; i++) actor_spawn(sys, &counter_behaviour, &counts[i], &ids[i]);
    char payload[64] = {0};
    double t0 = now_us();
    for (int i = 0; i < total; i++)
        actor_send(sys, ids[i % actors], actor_msg_new(ACTOR_MSG_USER, 0, payload, sizeof payload));
    actor_system_wait_idle(sys, 0);
    double rate = total / ((now_us() - t0) / 1e6);
    actor_system_destroy(sys);
    free(ids);
    free(counts);
    return rate;
}

void phase_throughput(bench_ctx *b) {
    int sizes[] = {1, 100, 10000};
    if (SMOKE) sizes[2] = 1000; /* keep it short */
    for (int s = 0; s < 3; s++) {
        double w[16], nat[16];
        int total = 200000 / SCALE;
        for (int r = 0; r < REPEATS; r++) {
            w[r] = component_throughput(b->rt, b->sink, sizes[s], total) / 1000.0;
            nat[r] = native_throughput(sizes[s], total) / 1000.0;
        }
        char name[96], key[64], native_key[64];
        snprintf(key, sizeof key, "throughput_%d", sizes[s]);
        snprintf(native_key, sizeof native_key, "native_throughput_%d", sizes[s]);
        snprintf(name, sizeof name, "messages/s into handle-message, %d component%s", sizes[s], sizes[s] > 1 ? "s" : "");
        row_ref(name, "k msg/s", summarize_values(w, REPEATS), (ref){.key = key, .scale = 1000, .unit = "msg/s"});
        snprintf(name, sizeof name, "  native actors, %d", sizes[s]);
        row_ref(name, "k msg/s", summarize_values(nat, REPEATS),
                (ref){.key = native_key, .erlang = key, .scale = 1000, .unit = "msg/s"});
    }
}
