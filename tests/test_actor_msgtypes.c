/* test_actor_msgtypes.c — the actor layer's check of behaviour message types (actor.h, ACTOR_MSG_USER and
 * actor_spawn_opts.msg_first / msg_last): a send of a type outside the receiver's declared range is refused
 * with -EPROTOTYPE before it is queued, its reply future is completed with -EPROTOTYPE, it is counted in
 * stats.refused_type (not as a dead letter), and receive() never sees it; the actor layer's own types and
 * the types inside the range pass; a behaviour that declares no range takes every type.
 *
 * cmocka asserts only on the test thread: handlers record what they see in atomics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "actor/actor.h"

enum { RANGE_FIRST = 0x300, RANGE_LAST = 0x30f };

typedef struct seen {
    atomic_int messages;      /* receive() calls with a behaviour type */
    atomic_uint last_type;
    atomic_int outside;       /* receive() calls with a type outside [RANGE_FIRST, RANGE_LAST] */
} seen;

static actor_result seen_receive(actor *self, actor_msg *m) {
    seen *s = actor_state(self);
    actor_result r = m->type == ACTOR_MSG_STOP ? ACTOR_STOP : ACTOR_CONTINUE;
    if (m->type >= ACTOR_MSG_USER) {
        atomic_fetch_add(&s->messages, 1);
        atomic_store(&s->last_type, m->type);
        if (m->type < RANGE_FIRST || m->type > RANGE_LAST) atomic_fetch_add(&s->outside, 1);
    }
    if (m->reply) { /* answer requests: status 0, no data */
        actor_future_complete(m->reply, 0, NULL, 0);
    }
    actor_msg_free(m);
    return r;
}

static const actor_behaviour seen_behaviour = {.name = "seen", .receive = seen_receive};

static void test_out_of_range_refused(void **st) {
    (void)st;
    actor_system *sys = NULL;
    assert_int_equal(actor_system_create(2, &sys), 0);
    seen s = {0};
    actor_id id = 0;
    actor_spawn_opts o = {.msg_first = RANGE_FIRST, .msg_last = RANGE_LAST};
    assert_int_equal(actor_spawn_opt(sys, &seen_behaviour, &s, &o, &id), 0);

    /* below, just below, just above, far above, and the topmost value: all refused */
    const uint32_t bad[] = {ACTOR_MSG_USER, RANGE_FIRST - 1, RANGE_LAST + 1, 0x100, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(actor_send(sys, id, actor_msg_new(bad[i], 0, "x", 1)), -EPROTOTYPE);
    assert_int_equal(actor_send_run(sys, id, actor_msg_new(RANGE_LAST + 1, 0, NULL, 0)), -EPROTOTYPE);

    /* a request of the wrong type: the future learns why at once */
    actor_future *f = actor_future_new();
    assert_non_null(f);
    actor_msg *m = actor_msg_new(0x200, 0, NULL, 0);
    actor_future_retain(f);
    m->reply = f;
    assert_int_equal(actor_send(sys, id, m), -EPROTOTYPE);
    int status = 0;
    void *data = NULL;
    size_t len = 0;
    assert_int_equal(actor_future_wait(f, 5000, &status, &data, &len), 0);
    assert_int_equal(status, -EPROTOTYPE);
    assert_null(data);
    actor_future_release(f);

    /* in range: delivered, both ends */
    assert_int_equal(actor_send(sys, id, actor_msg_new(RANGE_FIRST, 0, NULL, 0)), 0);
    assert_int_equal(actor_send(sys, id, actor_msg_new(RANGE_LAST, 0, NULL, 0)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 10000), 0);
    assert_int_equal(atomic_load(&s.messages), 2);
    assert_int_equal(atomic_load(&s.outside), 0);
    assert_int_equal(atomic_load(&s.last_type), RANGE_LAST);

    actor_system_stats stats;
    actor_system_stats_get(sys, &stats);
    assert_int_equal(stats.refused_type, 7);
    assert_int_equal(stats.dead_letters, 0);
    assert_int_equal(stats.refused_full, 0);

    /* the actor layer's own messages still pass: STOP ends it */
    assert_int_equal(actor_stop(sys, id), 0);
    assert_int_equal(actor_wait_exit(sys, id, 10000), 0);
    /* dead: -ENOENT (a dead letter), not -EPROTOTYPE */
    assert_int_equal(actor_send(sys, id, actor_msg_new(ACTOR_MSG_USER, 0, NULL, 0)), -ENOENT);
    actor_system_destroy(sys);
}

static void test_bad_ranges_refused_at_spawn(void **st) {
    (void)st;
    actor_system *sys = NULL;
    assert_int_equal(actor_system_create(1, &sys), 0);
    seen s = {0};
    actor_id id = 0;
    const actor_spawn_opts bad[] = {
        {.msg_first = 0x301, .msg_last = 0x300},            /* empty */
        {.msg_first = ACTOR_MSG_STOP, .msg_last = 0x300},   /* the actor layer's own */
        {.msg_first = 0, .msg_last = 0x300},                /* half given */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(actor_spawn_opt(sys, &seen_behaviour, &s, &bad[i], &id), -EINVAL);
    actor_system_stats stats;
    actor_system_stats_get(sys, &stats);
    assert_int_equal(stats.spawned, 0);
    /* a one-type range is fine */
    actor_spawn_opts one = {.msg_first = 0x300, .msg_last = 0x300};
    assert_int_equal(actor_spawn_opt(sys, &seen_behaviour, &s, &one, &id), 0);
    assert_int_equal(actor_send(sys, id, actor_msg_new(0x300, 0, NULL, 0)), 0);
    assert_int_equal(actor_send(sys, id, actor_msg_new(0x301, 0, NULL, 0)), -EPROTOTYPE);
    assert_int_equal(actor_system_wait_idle(sys, 10000), 0);
    assert_int_equal(atomic_load(&s.messages), 1);
    actor_system_destroy(sys);
}

static void test_no_range_takes_everything(void **st) {
    (void)st;
    actor_system *sys = NULL;
    assert_int_equal(actor_system_create(1, &sys), 0);
    seen s = {0};
    actor_id id = 0;
    assert_int_equal(actor_spawn(sys, &seen_behaviour, &s, &id), 0);
    const uint32_t types[] = {ACTOR_MSG_USER, 0x100, 0x2ff, UINT32_MAX};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        assert_int_equal(actor_send(sys, id, actor_msg_new(types[i], 0, NULL, 0)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 10000), 0);
    assert_int_equal(atomic_load(&s.messages), 4);
    actor_system_stats stats;
    actor_system_stats_get(sys, &stats);
    assert_int_equal(stats.refused_type, 0);
    actor_system_destroy(sys);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_of_range_refused),
        cmocka_unit_test(test_bad_ranges_refused_at_spawn),
        cmocka_unit_test(test_no_range_takes_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
