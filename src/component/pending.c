/*
 * pending.c — the requests a component made and still awaits: correlation id -> its timeout timer, in a
 * hash map (idmap.h), so adding, answering and timing out a request are O(1) however many are outstanding
 * (at most the component's max_requests, WACTOR_DEFAULT_MAX_REQUESTS by default).
 * Touched only during the component's own turn (host functions, its reply handling, its terminate).
 */
#include "component/internal.h"

bool component_pending_add(component *c, uint64_t corr, uint64_t timer) {
    return component_idmap_put(&c->pending, corr, timer) == 0;
}

bool component_pending_set_timer(component *c, uint64_t corr, uint64_t timer) {
    return component_idmap_set(&c->pending, corr, timer);
}

bool component_pending_take(component *c, uint64_t corr) {
    uint64_t timer = 0;
    if (!component_idmap_take(&c->pending, corr, &timer)) return false;
    if (timer) actor_timer_cancel(c->sys, timer); /* -ENOENT if it fired: its REPLY is then dropped */
    return true;
}

size_t component_pending_count(const component *c) { return c->pending.count; }

static void cancel_timer(void *user, uint64_t corr, uint64_t timer) {
    (void)corr;
    if (timer) actor_timer_cancel(user, timer);
}

void component_pending_clear(component *c) { component_idmap_clear(&c->pending, cancel_timer, c->sys); }
