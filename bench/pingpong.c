/*
 * pingpong.c — round trips between two actors: components with request/reply, components with plain sends
 * both ways, and native C actors (the actor layer alone). Each figure is a mean per round trip over a run of
 * back-to-back round trips; the median, min and max over REPEATS runs. Erlang's shape is bench_pingpong
 * (two processes, a message each way): every row is compared with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "actor/actor.h"
#include "bench.h"

/* Guest-to-guest request/reply: one component requests, another replies, one after another. */
void phase_request_reply(bench_ctx *b) {
    wactor_config cfg = {.log = NULL}; /* warnings from the guests go to stderr */
    wactor_runtime *rt;
    if (wactor_runtime_create(&cfg, &rt)) exit(1);
    static const char *const target[] = {"responder"};
    wactor_caps caps = {.request = target, .nrequest = 1};
    wactor_pid responder, requester;
    if (wactor_spawn(rt, b->rr, &(wactor_spawn_opts){.name = "responder"}, &responder, NULL) ||
        wactor_spawn(rt, b->rr, &(wactor_spawn_opts){.caps = &caps}, &requester, NULL))
        exit(1);
    double rtt[16];
    int n = 20000 / SCALE, runs = 0;
    for (int rep = 0; rep < REPEATS; rep++) {
        wactor_value arg = {.type = WACTOR_I32, .of.i32 = n}, r = {0}, f = {0};
        size_t nr;
        double t0 = now_us();
        wactor_invoke_values(rt, requester, "run", &arg, 1, &r, 1, &nr, 0, NULL);
        /* poll gently: each poll is a message to the requester, queued among its replies (wait_idle would
         * also wait for the requests' timeout timers) */
        struct timespec pause = {0, 200 * 1000};
        do {
            nanosleep(&pause, NULL);
            wactor_invoke_values(rt, requester, "answered", NULL, 0, &r, 1, &nr, 0, NULL);
            wactor_invoke_values(rt, requester, "failed", NULL, 0, &f, 1, &nr, 0, NULL);
        } while (r.of.i32 + f.of.i32 < n && now_us() - t0 < 120e6);
        if (f.of.i32) note("request/reply: run %d: %d of %d requests failed", rep, f.of.i32, n);
        if (r.of.i32 + f.of.i32 < n) {
            note("request/reply: run %d: %d of %d requests answered after 120 s (stopping here)", rep,
                 r.of.i32 + f.of.i32, n);
            break;
        }
        rtt[runs++] = (now_us() - t0) / n;
    }
    row_ref("request/reply round trip, component to component (mean)", "µs", summarize_values(rtt, runs),
            (ref){.key = "request_reply_us", .erlang = "pingpong_us"});
    wactor_runtime_destroy(rt);
}

wactor_pid spawn_pingpong_pair(wactor_runtime *rt, bench_ctx *b) {
    static const char *const to_ponger[] = {"ponger"}, *const to_pinger[] = {"pinger"};
    wactor_caps ping_caps = {.send = to_ponger, .nsend = 1}, pong_caps = {.send = to_pinger, .nsend = 1};
    wactor_pid pinger, ponger;
    wactor_diag d;
    if (wactor_spawn(rt, b->pingpong, &(wactor_spawn_opts){.name = "ponger", .caps = &pong_caps}, &ponger, &d) ||
        wactor_spawn(rt, b->pingpong, &(wactor_spawn_opts){.name = "pinger", .caps = &ping_caps}, &pinger, &d)) {
        fprintf(stderr, "bench: pingpong: spawn: %s\n", d.message);
        exit(1);
    }
    return pinger;
}

/* Two components bounce a message with wactor.send: "pinger" sends, "ponger" sends it back to its sender.
 * Timed inside the pinger (wactor.now, first send to last return); the host waits for idle. */
void phase_pingpong(bench_ctx *b) {
    wactor_config cfg = {.log = NULL};
    wactor_runtime *rt;
    if (wactor_runtime_create(&cfg, &rt)) exit(1);
    wactor_pid pinger = spawn_pingpong_pair(rt, b);
    double rtt[16];
    int n = 20000 / SCALE, runs = 0;
    for (int rep = 0; rep < REPEATS; rep++) {
        wactor_value arg = {.type = WACTOR_I32, .of.i32 = n}, r = {0}, trips = {0}, failed = {0}, ns = {0};
        size_t nr;
        wactor_invoke_values(rt, pinger, "run", &arg, 1, &r, 1, &nr, 0, NULL);
        /* no timers here: idle means the last round trip is done */
        if (wactor_wait_idle(rt, 60000)) {
            note("pingpong: run %d not idle after 60 s: a lost message? (stopping here)", rep);
            break;
        }
        wactor_invoke_values(rt, pinger, "finished", NULL, 0, &r, 1, &nr, 0, NULL);
        wactor_invoke_values(rt, pinger, "round_trips", NULL, 0, &trips, 1, &nr, 0, NULL);
        wactor_invoke_values(rt, pinger, "failed", NULL, 0, &failed, 1, &nr, 0, NULL);
        wactor_invoke_values(rt, pinger, "elapsed_ns", NULL, 0, &ns, 1, &nr, 0, NULL);
        if (!r.of.i32 || failed.of.i32 || trips.of.i32 != n)
            note("pingpong: run %d: finished %d, %d of %d round trips, %d failed sends", rep, r.of.i32,
                 trips.of.i32, n, failed.of.i32);
        if (trips.of.i32) rtt[runs++] = (double)ns.of.i64 / 1e3 / trips.of.i32;
    }
    row_ref("ping-pong with send both ways, component to component", "µs", summarize_values(rtt, runs),
            (ref){.key = "component_pingpong_us", .erlang = "pingpong_us"});
    wactor_runtime_destroy(rt);
}

/* Native actors: the pinger's state counts the round trips left; the ponger answers every message to its
 * sender. The host's start message (from 0) sends the first ping. */
typedef struct pinger_state {
    actor_id peer;
    long remaining;
} pinger_state;

enum { MSG_BALL = ACTOR_MSG_USER };

static actor_result pinger_receive(actor *self, actor_msg *msg) {
    pinger_state *s = actor_state(self);
    actor_msg_free(msg);
    if (s->remaining > 0) {
        s->remaining--;
        actor_send(actor_sys(self), s->peer, actor_msg_new(MSG_BALL, actor_self(self), "ball", 4));
    }
    return ACTOR_CONTINUE;
}

static actor_result ponger_receive(actor *self, actor_msg *msg) {
    actor_id to = msg->from;
    actor_msg_free(msg);
    if (to) actor_send(actor_sys(self), to, actor_msg_new(MSG_BALL, actor_self(self), "ball", 4));
    return ACTOR_CONTINUE;
}

static const actor_behaviour pinger_behaviour = {.name = "pinger", .receive = pinger_receive};
static const actor_behaviour ponger_behaviour = {.name = "ponger", .receive = ponger_receive};

void phase_native_pingpong(bench_ctx *b) {
    (void)b;
    actor_system *sys;
    if (actor_system_create(0, &sys)) exit(1);
    pinger_state st = {0};
    actor_id pinger, ponger;
    if (actor_spawn(sys, &ponger_behaviour, NULL, &ponger) || actor_spawn(sys, &pinger_behaviour, &st, &pinger))
        exit(1);
    st.peer = ponger;
    double rtt[16];
    long n = 200000 / SCALE;
    int runs = 0;
    for (int rep = 0; rep < REPEATS; rep++) {
        st.remaining = n; /* the actors are idle: nothing reads it concurrently */
        double t0 = now_us();
        actor_send(sys, pinger, actor_msg_new(MSG_BALL, 0, "go", 2));
        if (actor_system_wait_idle(sys, 60000)) {
            note("native ping-pong: run %d not idle after 60 s, %ld round trips left: a lost wake-up? "
                 "(stopping here)", rep, st.remaining);
            break;
        }
        rtt[runs++] = (now_us() - t0) / (double)n;
    }
    row_ref("  native actors: ping-pong round trip", "µs", summarize_values(rtt, runs),
            (ref){.key = "native_pingpong_us", .erlang = "pingpong_us"});
    actor_system_destroy(sys);
}
