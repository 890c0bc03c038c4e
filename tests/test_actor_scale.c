/* test_actor_scale.c — links and monitors in large numbers: the id map behind them (against a reference
 * model, with deletions across the table's wrap-around), and N monitors / links set up and torn down every
 * way (demonitor, the target's end, the watcher's end, unlink, a linked actor's end) with every DOWN and
 * exit signal counted exactly once. N is 20,000 here (so the suite stays quick also under ASan); with
 * arguments the program measures instead of testing, e.g. `test_actor_scale 200000 2000000` prints the
 * setup and teardown times for those N (no assertion on time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actor/actor.h"
#include "actor/actor_internal.h" /* the id map, and the sets' sizes after a teardown */

#define N_TEST 20000

/* ------------------------------------------------------------------ the id map */

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_idmap_model(void **st) {
    (void)st;
    enum { KEYS = 3000, OPS = 200000 };
    /* reference: val[k] (0 = absent) for keys 1..KEYS; half the keys are consecutive (like refs), half
     * spread (multiples of a large odd number), so both clustered and scattered homes are exercised */
    uint64_t *val = calloc(KEYS + 1, sizeof *val);
    uint64_t *key = calloc(KEYS + 1, sizeof *key);
    for (uint64_t k = 1; k <= KEYS; k++) key[k] = k % 2 ? k : k * 0x100000001b3ull;
    actor_idmap m = {0};
    size_t n = 0;
    uint64_t s = 88172645463325252ull;
    for (long op = 0; op < OPS; op++) {
        uint64_t r = rng_next(&s);
        uint64_t k = 1 + r % KEYS, v = r >> 20 | 1;
        /* phases: grow (mostly puts), shrink (mostly dels), mixed */
        int phase = (int)(op / 20000) % 3;
        unsigned dice = (unsigned)(r >> 8) % 10;
        bool put = phase == 0 ? dice < 8 : phase == 1 ? dice < 2 : dice < 5;
        if (put) {
            int rc = actor_idmap_put(&m, key[k], v);
            assert_int_equal(rc, val[k] ? 1 : 0);
            if (!val[k]) val[k] = v, n++;
        } else if (dice == 9) {
            bool there = actor_idmap_set(&m, key[k], v);
            assert_int_equal(there, val[k] != 0);
            if (there) val[k] = v;
        } else {
            uint64_t got = 0;
            bool there = actor_idmap_del(&m, key[k], &got);
            assert_int_equal(there, val[k] != 0);
            if (there) {
                assert_int_equal(got, val[k]);
                val[k] = 0, n--;
            }
        }
        assert_int_equal(m.n, n);
        if (op % 5000 == 0) { /* full check: every key, and the table holds nothing else */
            size_t seen = 0;
            for (uint64_t j = 1; j <= KEYS; j++) {
                uint64_t got = 0;
                assert_int_equal(actor_idmap_get(&m, key[j], &got), val[j] != 0);
                if (val[j]) assert_int_equal(got, val[j]);
            }
            for (size_t i = 0; i < m.cap; i++) seen += m.slots[i].key != 0;
            assert_int_equal(seen, n);
            assert_true(m.cap == 0 || m.n * 4 <= m.cap * 3);         /* never more than 3/4 full */
            assert_true(m.cap <= 8 || m.n * 8 >= m.cap);               /* shrinks as it empties */
        }
    }
    /* key 0 is refused, absent keys are absent */
    assert_int_equal(actor_idmap_put(&m, 0, 1), -EINVAL);
    assert_false(actor_idmap_get(&m, 0, NULL));
    assert_false(actor_idmap_del(&m, 0, NULL));
    assert_false(actor_idmap_get(&m, 0xdeadbeefcafeull, NULL));
    /* emptying shrinks the table to its smallest */
    for (uint64_t k = 1; k <= KEYS; k++)
        if (val[k]) assert_true(actor_idmap_del(&m, key[k], NULL));
    assert_int_equal(m.n, 0);
    assert_int_equal(m.cap, 8); /* emptied: the smallest table stays until freed */
    actor_idmap_free(&m);
    assert_null(m.slots);
    free(val);
    free(key);
}

/* Deleting in every order from a small table whose runs wrap around its end. */
static void test_idmap_wrap(void **st) {
    (void)st;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        actor_idmap m = {0};
        uint64_t keys[6], s = seed * 0x9E3779B97F4A7C15ull;
        for (int i = 0; i < 6; i++) { /* 6 keys in 8 slots: long runs, some wrapping */
            do keys[i] = rng_next(&s) | 1;
            while (actor_idmap_put(&m, keys[i], keys[i] ^ 5) != 0);
        }
        assert_int_equal(m.cap, 8);
        for (int i = 0; i < 6; i++) {
            int victim = (int)((seed + (uint64_t)i * 5) % 6); /* 5 is coprime to 6: each key once */
            uint64_t got = 0;
            assert_true(actor_idmap_del(&m, keys[victim], &got));
            assert_int_equal(got, keys[victim] ^ 5);
            keys[victim] = 0;
            for (int j = 0; j < 6; j++)
                if (keys[j]) {
                    assert_true(actor_idmap_get(&m, keys[j], &got));
                    assert_int_equal(got, keys[j] ^ 5);
                }
        }
        assert_int_equal(m.n, 0);
        actor_idmap_free(&m);
    }
}

/* ------------------------------------------------------------------ a watcher that counts DOWNs */

typedef struct watcher {
    uint64_t base;             /* first ref of the batch being counted */
    size_t n;
    uint8_t *seen;             /* per ref in [base, base+n): DOWNs received */
    atomic_long downs, stray, exits, noproc;
} watcher;

static actor_result w_receive(actor *self, actor_msg *m) {
    watcher *w = actor_state(self);
    if (m->type == ACTOR_MSG_DOWN && m->len == sizeof(actor_down)) {
        actor_down d;
        memcpy(&d, m->data, sizeof d);
        atomic_fetch_add(&w->downs, 1);
        if (d.reason.kind == ACTOR_EXIT_NOPROC) atomic_fetch_add(&w->noproc, 1);
        if (w->seen && d.ref >= w->base && d.ref - w->base < w->n) w->seen[d.ref - w->base]++;
        else atomic_fetch_add(&w->stray, 1);
    } else if (m->type == ACTOR_MSG_EXIT) {
        atomic_fetch_add(&w->exits, 1);
    }
    bool stop = m->type == ACTOR_MSG_STOP;
    actor_msg_free(m);
    return stop ? ACTOR_STOP : ACTOR_CONTINUE;
}
static const actor_behaviour w_beh = {"watcher", w_receive, NULL, NULL};

static actor_id spawn_w(actor_system *sys, watcher *w, bool trap) {
    actor_spawn_opts o = {.trap_exits = trap};
    actor_id id = 0;
    assert_int_equal(actor_spawn_opt(sys, &w_beh, w, &o, &id), 0);
    return id;
}

/* The sizes of an actor's sets (the test peeks inside: teardown must leave nothing behind). */
static void sets(actor_system *sys, actor_id id, size_t *links, size_t *by, size_t *held) {
    actor *a = registry_get(actor_system_registry(sys), id);
    assert_non_null(a);
    pthread_mutex_lock(&a->lk);
    *links = a->links.n, *by = a->mons_by.n, *held = a->mons_held.n;
    pthread_mutex_unlock(&a->lk);
    actor_release(a);
}

static double secs(struct timespec a, struct timespec b) {
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}
static struct timespec tick(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}

/* N monitors of W on T; returns the first ref (they are consecutive: one thread makes them). */
static uint64_t monitor_n(actor_system *sys, actor_id W, actor_id T, size_t n) {
    uint64_t first = 0, prev = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t ref = 0;
        if (actor_monitor(sys, W, T, &ref) != 0) fail_msg("monitor %zu failed", i);
        if (i == 0) first = ref;
        else if (ref != prev + 1) fail_msg("refs not consecutive");
        prev = ref;
    }
    return first;
}

typedef struct timing {
    double setup, demonitor, target_end, watcher_end, link_setup, link_end;
} timing;

/* Every way of tearing down n monitors and n links, checked; the times of each phase in *t. */
static void scale_run(size_t n, timing *t) {
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    size_t l, b, h;

    /* 1. n monitors, removed one by one: no DOWN afterwards, both sides empty */
    watcher w = {0};
    actor_id W = spawn_w(sys, &w, false), T = spawn_w(sys, &(watcher){0}, false);
    struct timespec t0 = tick();
    uint64_t base = monitor_n(sys, W, T, n);
    struct timespec t1 = tick();
    sets(sys, W, &l, &b, &h);
    assert_int_equal(h, n);
    sets(sys, T, &l, &b, &h);
    assert_int_equal(b, n);
    for (size_t i = 0; i < n; i++)
        if (actor_demonitor(sys, W, base + i) != 0) fail_msg("demonitor %zu failed", i);
    struct timespec t2 = tick();
    assert_int_equal(actor_demonitor(sys, W, base), -ENOENT);
    sets(sys, W, &l, &b, &h);
    assert_int_equal(h, 0);
    sets(sys, T, &l, &b, &h);
    assert_int_equal(b, 0);
    t->setup = secs(t0, t1);
    t->demonitor = secs(t1, t2);

    /* 2. n monitors, the target ends: exactly one DOWN per ref */
    w.seen = calloc(n, 1);
    w.n = n;
    w.base = monitor_n(sys, W, T, n);
    struct timespec t3 = tick();
    assert_int_equal(actor_kill(sys, T), 0);
    assert_int_equal(actor_wait_exit(sys, T, 0), 0);
    assert_int_equal(actor_system_wait_idle(sys, 0), 0);
    struct timespec t4 = tick();
    t->target_end = secs(t3, t4);
    assert_int_equal(atomic_load(&w.downs), (long)n);
    assert_int_equal(atomic_load(&w.stray), 0);
    assert_int_equal(atomic_load(&w.noproc), 0);
    for (size_t i = 0; i < n; i++)
        if (w.seen[i] != 1) fail_msg("ref %zu: %d DOWNs", i, w.seen[i]);
    sets(sys, W, &l, &b, &h);
    assert_int_equal(h, 0);

    /* 3. n monitors, the watcher ends: the target's side is emptied, and its end sends nothing */
    actor_id T2 = spawn_w(sys, &(watcher){0}, false);
    watcher w2 = {0};
    actor_id W2 = spawn_w(sys, &w2, false);
    monitor_n(sys, W2, T2, n);
    struct timespec t5 = tick();
    assert_int_equal(actor_kill(sys, W2), 0);
    assert_int_equal(actor_wait_exit(sys, W2, 0), 0);
    struct timespec t6 = tick();
    t->watcher_end = secs(t5, t6);
    sets(sys, T2, &l, &b, &h);
    assert_int_equal(b, 0);

    /* 4. one actor linked to n others; half unlinked; its abnormal end takes exactly the other half */
    size_t np = n / 10 ? n / 10 : 1; /* peers are whole actors: a tenth as many */
    actor_id *peers = calloc(np, sizeof *peers);
    watcher *pw = calloc(np, sizeof *pw);
    for (size_t i = 0; i < np; i++) peers[i] = spawn_w(sys, &pw[i], i % 4 == 0); /* a quarter trap */
    watcher hub = {0};
    actor_id H = spawn_w(sys, &hub, false);
    struct timespec t7 = tick();
    for (size_t i = 0; i < np; i++) {
        if (actor_link(sys, H, peers[i]) != 0) fail_msg("link %zu failed", i);
        if (actor_link(sys, peers[i], H) != 0) fail_msg("relink %zu failed", i); /* one link, not two */
    }
    struct timespec t8 = tick();
    sets(sys, H, &l, &b, &h);
    assert_int_equal(l, np);
    for (size_t i = 1; i < np; i += 2) assert_int_equal(actor_unlink(sys, peers[i], H), 0);
    sets(sys, H, &l, &b, &h);
    assert_int_equal(l, np - np / 2);
    actor_exit boom = {.kind = ACTOR_EXIT_ERROR, .code = 7, .text = "boom"};
    struct timespec t9 = tick();
    assert_int_equal(actor_exit_signal_send(sys, 0, H, &boom), 0);
    assert_int_equal(actor_wait_exit(sys, H, 0), 0);
    assert_int_equal(actor_system_wait_idle(sys, 0), 0);
    struct timespec t10 = tick();
    t->link_setup = secs(t7, t8);
    t->link_end = secs(t9, t10);
    for (size_t i = 0; i < np; i++) {
        bool linked = i % 2 == 0, trap = i % 4 == 0;
        if (linked && !trap) {
            if (actor_alive(sys, peers[i])) fail_msg("linked peer %zu survived", i);
        } else {
            if (!actor_alive(sys, peers[i])) fail_msg("peer %zu died", i);
            assert_int_equal(atomic_load(&pw[i].exits), linked && trap ? 1 : 0);
            sets(sys, peers[i], &l, &b, &h);
            assert_int_equal(l, 0);
        }
    }
    actor_system_destroy(sys);
    free(w.seen);
    free(peers);
    free(pw);
}

static void test_scale(void **st) {
    (void)st;
    timing t;
    scale_run(N_TEST, &t);
}

/* Many watchers, one monitor each, on one target: each gets its one DOWN. */
static void test_many_watchers(void **st) {
    (void)st;
    enum { NW = 2000, PER = 5 };
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    watcher *w = calloc(NW, sizeof *w);
    actor_id *ids = calloc(NW, sizeof *ids);
    actor_id T = spawn_w(sys, &(watcher){0}, false);
    for (int i = 0; i < NW; i++) {
        ids[i] = spawn_w(sys, &w[i], false);
        w[i].seen = calloc(PER, 1);
        w[i].n = PER;
        w[i].base = monitor_n(sys, ids[i], T, PER);
    }
    for (int i = 0; i < NW; i += 3) actor_demonitor(sys, ids[i], w[i].base + 1); /* one fewer for some */
    assert_int_equal(actor_stop(sys, T), 0);
    assert_int_equal(actor_wait_exit(sys, T, 5000), 0);
    assert_int_equal(actor_system_wait_idle(sys, 10000), 0);
    for (int i = 0; i < NW; i++) {
        assert_int_equal(atomic_load(&w[i].downs), i % 3 == 0 ? PER - 1 : PER);
        for (int j = 0; j < PER; j++) assert_int_equal(w[i].seen[j], i % 3 == 0 && j == 1 ? 0 : 1);
        size_t l, b, h;
        sets(sys, ids[i], &l, &b, &h);
        assert_int_equal(h, 0);
    }
    actor_system_destroy(sys);
    for (int i = 0; i < NW; i++) free(w[i].seen);
    free(w);
    free(ids);
}

int main(int argc, char **argv) {
    if (argc > 1) { /* measuring mode */
        for (int i = 1; i < argc; i++) {
            size_t n = (size_t)strtoull(argv[i], NULL, 10);
            if (!n) continue;
            timing t;
            scale_run(n, &t);
            printf("monitors %zu: setup %.3f s, demonitor all %.3f s; setup again, target ends (n DOWNs "
                   "delivered) %.3f s; setup again, watcher ends %.3f s; links %zu: setup %.3f s, end %.3f s\n",
                   n, t.setup, t.demonitor, t.target_end, t.watcher_end, n / 10 ? n / 10 : 1, t.link_setup,
                   t.link_end);
            fflush(stdout);
        }
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idmap_model),
        cmocka_unit_test(test_idmap_wrap),
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_many_watchers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
