/*
 * links.c — exit reasons, monitors, links, exit signals, spawn options, the exit-reason ring.
 *
 * Erlang's semantics (see actor.h). Every actor carries, under its own mutex `lk`: its link set (peer ids),
 * the monitors set on it (mons_by: ref -> watcher), the monitors it holds (mons_held: ref -> target), its
 * trap flag, a pending exit reason, and `ended`. The sets are hash maps (idmap.c), so every link, unlink,
 * monitor, demonitor, DOWN accepted, and each entry torn down at an actor's end is O(1) amortised — also
 * when one actor holds millions of monitors on another.
 *
 * Atomicity with termination: actor_end() sets `ended` and takes the three sets under `lk` once, before the
 * actor leaves the registry. Anyone who wants to link to / monitor an actor looks it up in the registry and
 * locks it: either `ended` is already set (NOPROC: the caller delivers that at once) or the new entry is in
 * the sets actor_end() takes (it fires). No exit is lost, none fires twice.
 *
 * Links: both sides hold each other's id. The ending actor removes itself from each peer's set under that
 * peer's lock and signals the peer only if it was still there, so actor_unlink() (which removes both sides
 * under both locks) stops any later signal, and two linked actors ending together never signal each other
 * twice. Chains and cycles terminate: an actor ends once, and its links are gone from its peers first.
 *
 * Monitors: the DOWN message is sent to the watcher; the scheduler hands it to receive() only if the ref
 * is still in the watcher's mons_held (and removes it there), so after actor_demonitor() no DOWN for it is
 * ever received (Erlang's demonitor(Ref, [flush])).
 *
 * Ending by an exit signal: actor_exit_request() records the reason (the first one wins), sets kill_req and wakes
 * the actor: it ends at a safe point exactly as with actor_kill() (terminate(killed=true)).
 *
 * Locks: at most two actor locks at once, in ascending id order; never an actor lock while calling
 * actor_send/registry lookups, except actor_spawn_opt, which registers under the partners' locks
 * (order: actor lk -> live_mu -> registry shard; nothing takes them the other way round).
 */
#include "actor/actor_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_RING 4096

struct exit_ring {
    pthread_mutex_t mu;
    uint64_t n;                 /* exits recorded so far; slot = n % EXIT_RING */
    actor_id id[EXIT_RING];
    actor_exit why[EXIT_RING];
};

/* ------------------------------------------------------------------ the exit-reason ring */

int actor_exit_ring_new(actor_system *sys) {
    sys->exits = calloc(1, sizeof *sys->exits);
    if (!sys->exits) return -ENOMEM;
    pthread_mutex_init(&sys->exits->mu, NULL);
    return 0;
}

void actor_exit_ring_free(actor_system *sys) {
    if (!sys->exits) return;
    pthread_mutex_destroy(&sys->exits->mu);
    free(sys->exits);
    sys->exits = NULL;
}

void actor_exit_ring_put(actor_system *sys, actor_id id, const actor_exit *why) {
    struct exit_ring *r = sys->exits;
    pthread_mutex_lock(&r->mu);
    size_t i = (size_t)(r->n++ % EXIT_RING);
    r->id[i] = id;
    r->why[i] = *why;
    pthread_mutex_unlock(&r->mu);
}

int actor_exit_reason(actor_system *sys, actor_id id, actor_exit *out) {
    if (!sys || !id) return -ENOENT;
    struct exit_ring *r = sys->exits;
    int rc = -ENOENT;
    pthread_mutex_lock(&r->mu);
    uint64_t k = r->n < EXIT_RING ? r->n : EXIT_RING;
    for (uint64_t j = 1; j <= k; j++) { /* newest first; an id ends once */
        size_t i = (size_t)((r->n - j) % EXIT_RING);
        if (r->id[i] == id) {
            if (out) *out = r->why[i];
            rc = 0;
            break;
        }
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

/* ------------------------------------------------------------------ sets */

void actor_links_init(actor *a) {
    pthread_mutex_init(&a->lk, NULL);
}

void actor_links_free(actor *a) {
    actor_idmap_free(&a->links);
    actor_idmap_free(&a->mons_by);
    actor_idmap_free(&a->mons_held);
    pthread_mutex_destroy(&a->lk);
}

/* A link's value in an actor's link set: LINK_OWN if this actor made it (actor_link's `a`, spawn_opt's
 * `link`): such links count against its max_links. */
#define LINK_OWN 1u

/* a->lk held. Removes `peer` from a's link set; whether it was there. Keeps links_own in step. */
static bool link_del_locked(actor *a, actor_id peer) {
    uint64_t v = 0;
    if (!actor_idmap_del(&a->links, peer, &v)) return false;
    if (v & LINK_OWN) a->links_own--;
    return true;
}

/* a->lk held. Whether `a` may make one more link / hold one more monitor. */
static bool link_quota_locked(const actor *a) { return !a->max_links || a->links_own < a->max_links; }
static bool monitor_quota_locked(actor *a) {
    return !a->max_monitors ||
           a->mons_held.n + atomic_load_explicit(&a->stale_downs, memory_order_relaxed) < a->max_monitors;
}

/* Registry lookups while tearing down many entries: consecutive entries often name the same peer (n
 * monitors on one target), so the last one found is kept (retained) and reused. Ids are never reused, so a
 * cached "not found" stays true. */
typedef struct peer_cache {
    actor_id id;
    actor *a;
} peer_cache;

static actor *peer_get(actor_system *sys, peer_cache *c, actor_id id) {
    if (c->id != id) {
        actor_release(c->a);
        c->a = registry_get(sys->reg, id);
        c->id = id;
    }
    return c->a;
}

static void peer_done(peer_cache *c) {
    actor_release(c->a);
    c->a = NULL;
    c->id = 0;
}

/* Locks one or two actors (ascending id order; b may be NULL or == a). */
static void lock2(actor *a, actor *b) {
    if (!b || b == a) {
        pthread_mutex_lock(&a->lk);
    } else if (a->id < b->id) {
        pthread_mutex_lock(&a->lk);
        pthread_mutex_lock(&b->lk);
    } else {
        pthread_mutex_lock(&b->lk);
        pthread_mutex_lock(&a->lk);
    }
}

static void unlock2(actor *a, actor *b) {
    if (b && b != a) pthread_mutex_unlock(&b->lk);
    pthread_mutex_unlock(&a->lk);
}

/* ------------------------------------------------------------------ messages */

/* Sends a message the layer generates; a dead or stopping target drops it quietly (not a dead letter:
 * nobody sent it to a wrong address). Only for system messages (DOWN, EXIT): they take no mailbox slot
 * (actor_msg_counted), so none is reserved here — a counted type would unbalance mb_len. Their bytes are
 * charged (mb_bytes), as every queued message's are. */
static void send_quiet(actor_system *sys, actor *to, actor_msg *m) {
    if (!m) return;
    if (atomic_load(&sys->stopping) || atomic_load_explicit(&to->dead, memory_order_acquire)) {
        actor_msg_free(m);
        return;
    }
    actor_busy_add(sys, 1);
    actor_mb_charge(to, m);
    actor_mailbox_push(&to->mb, m); /* a race with its end: freed with the mailbox, as actor_send does */
    actor_schedule(to);
}

static actor_msg *down_msg(uint64_t ref, actor_id who, const actor_exit *why) {
    actor_down d;
    memset(&d, 0, sizeof d);
    d.ref = ref;
    d.who = who;
    d.reason = *why;
    actor_msg *m = actor_msg_new(ACTOR_MSG_DOWN, who, &d, sizeof d);
    if (m) m->corr = ref;
    return m;
}

static actor_msg *exit_msg(actor_id from, const actor_exit *why) {
    actor_exit_signal s;
    memset(&s, 0, sizeof s);
    s.from = from;
    s.reason = *why;
    return actor_msg_new(ACTOR_MSG_EXIT, from, &s, sizeof s);
}

static const actor_exit EXIT_NOPROC = {.kind = ACTOR_EXIT_NOPROC, .code = 0, .text = "noproc"};

/* ------------------------------------------------------------------ exit signals */

/* a->lk held. Records the reason an exit signal ends `a` with (first wins). False if `a` already ended. */
static bool exit_pend_locked(actor *a, const actor_exit *why) {
    if (a->ended) return false;
    if (!a->pend_set) {
        a->pend = *why;
        a->pend_set = true;
    }
    return true;
}

static void exit_fire(actor *a) {
    atomic_store_explicit(&a->kill_req, true, memory_order_release);
    actor_wake(a);
}

void actor_exit_request(actor *a, const actor_exit *why) {
    pthread_mutex_lock(&a->lk);
    bool fire = exit_pend_locked(a, why);
    pthread_mutex_unlock(&a->lk);
    if (fire) exit_fire(a);
}

typedef enum { SIG_NONE, SIG_MSG, SIG_KILL } sig_action;

/* a->lk held. What an exit signal with `why` does to `a`; `untrappable` for actor_exit_signal_send(KILLED). */
static sig_action signal_locked(actor *a, const actor_exit *why, bool untrappable) {
    if (a->ended) return SIG_NONE;
    if (untrappable) return exit_pend_locked(a, why) ? SIG_KILL : SIG_NONE;
    if (a->trap) return SIG_MSG;
    if (why->kind == ACTOR_EXIT_NORMAL) return SIG_NONE;
    return exit_pend_locked(a, why) ? SIG_KILL : SIG_NONE;
}

/* Carries out a sig_action outside the lock. */
static void signal_do(actor *a, sig_action act, actor_id from, const actor_exit *why) {
    if (act == SIG_MSG)
        send_quiet(a->sys, a, exit_msg(from, why));
    else if (act == SIG_KILL)
        exit_fire(a);
}

int actor_exit_signal_send(actor_system *sys, actor_id from, actor_id to, const actor_exit *reason) {
    if (!sys || !reason) return -EINVAL;
    actor *a = registry_get(sys->reg, to);
    if (!a) return -ENOENT;
    actor_exit why = *reason;
    why.text[sizeof why.text - 1] = '\0';
    pthread_mutex_lock(&a->lk);
    bool ended = a->ended;
    sig_action act = signal_locked(a, &why, why.kind == ACTOR_EXIT_KILLED);
    pthread_mutex_unlock(&a->lk);
    signal_do(a, act, from, &why);
    actor_release(a);
    return ended ? -ENOENT : 0;
}

/* ------------------------------------------------------------------ exit reasons */

void actor_set_exit(actor *self, const actor_exit *reason) {
    if (!self) return;
    if (!reason) {
        self->exit_set = false;
        return;
    }
    self->exit_reason = *reason;
    self->exit_reason.text[sizeof self->exit_reason.text - 1] = '\0';
    self->exit_set = true;
}

actor_exit actor_links_reason(actor *a, bool killed) {
    actor_exit why;
    memset(&why, 0, sizeof why);
    if (!killed) {
        if (a->exit_set) why = a->exit_reason;
        else why.kind = ACTOR_EXIT_NORMAL;
        return why;
    }
    pthread_mutex_lock(&a->lk);
    bool set = a->pend_set;
    if (set) why = a->pend;
    pthread_mutex_unlock(&a->lk);
    if (!set) why.kind = ACTOR_EXIT_KILLED; /* kill_req without a reason: cannot happen, but be safe */
    return why;
}

void actor_trap_exits(actor *self, bool on) {
    if (!self) return;
    pthread_mutex_lock(&self->lk);
    self->trap = on;
    pthread_mutex_unlock(&self->lk);
}

/* ------------------------------------------------------------------ termination */

void actor_links_on_end(actor *a, const actor_exit *why) {
    actor_system *sys = a->sys;
    pthread_mutex_lock(&a->lk);
    a->ended = true;
    actor_idmap links = a->links, by = a->mons_by, held = a->mons_held;
    a->links = a->mons_by = a->mons_held = (actor_idmap){0};
    pthread_mutex_unlock(&a->lk);

    peer_cache pc = {0};
    /* exit signals along links: only to peers that still hold the link (no unlink meanwhile, not ended) */
    for (size_t i = 0; i < links.cap; i++) {
        if (!links.slots[i].key) continue;
        actor *p = peer_get(sys, &pc, links.slots[i].key);
        if (!p) continue;
        pthread_mutex_lock(&p->lk);
        sig_action act = SIG_NONE;
        if (!p->ended && link_del_locked(p, a->id)) act = signal_locked(p, why, false);
        pthread_mutex_unlock(&p->lk);
        signal_do(p, act, a->id, why);
    }
    /* DOWN to every watcher (the watcher's side decides whether it still wants it) */
    for (size_t i = 0; i < by.cap; i++) {
        if (!by.slots[i].key) continue;
        actor *w = peer_get(sys, &pc, by.slots[i].val);
        if (w) send_quiet(sys, w, down_msg(by.slots[i].key, a->id, why));
    }
    /* the monitors this actor held die with it */
    for (size_t i = 0; i < held.cap; i++) {
        if (!held.slots[i].key) continue;
        actor *t = peer_get(sys, &pc, held.slots[i].val);
        if (!t) continue;
        pthread_mutex_lock(&t->lk);
        actor_idmap_del(&t->mons_by, held.slots[i].key, NULL);
        pthread_mutex_unlock(&t->lk);
    }
    peer_done(&pc);
    actor_idmap_free(&links);
    actor_idmap_free(&by);
    actor_idmap_free(&held);
}

bool actor_links_accept(actor *a, const actor_msg *m) {
    if (m->type != ACTOR_MSG_DOWN || m->len != sizeof(actor_down)) return true;
    actor_down d;
    memcpy(&d, m->data, sizeof d);
    pthread_mutex_lock(&a->lk);
    bool held = actor_idmap_del(&a->mons_held, d.ref, NULL);
    pthread_mutex_unlock(&a->lk);
    if (!held) { /* a DOWN its demonitor came too late to stop: the unit it held is free now */
        size_t n = atomic_load_explicit(&a->stale_downs, memory_order_relaxed);
        while (n && !atomic_compare_exchange_weak_explicit(&a->stale_downs, &n, n - 1, memory_order_relaxed,
                                                           memory_order_relaxed)) {
        }
    }
    return held;
}

/* ------------------------------------------------------------------ monitors */

int actor_monitor(actor_system *sys, actor_id watcher, actor_id target, uint64_t *ref) {
    if (!sys) return -EINVAL;
    actor *w = registry_get(sys->reg, watcher);
    if (!w) return -ENOENT;
    actor *t = target == watcher ? w : registry_get(sys->reg, target);
    uint64_t r = atomic_fetch_add(&sys->next_ref, 1) + 1;
    int rc = 0;
    bool noproc = false;
    lock2(w, t);
    if (w->ended) {
        rc = -ENOENT;
    } else if (!monitor_quota_locked(w)) {
        rc = -EDQUOT;
    } else {
        rc = actor_idmap_put(&w->mons_held, r, target); /* r is fresh: 0 or -ENOMEM */
        if (!rc) {
            if (!t || t->ended) {
                noproc = true;
            } else {
                rc = actor_idmap_put(&t->mons_by, r, watcher);
                if (rc) actor_idmap_del(&w->mons_held, r, NULL);
            }
        }
    }
    if (t)
        unlock2(w, t);
    else
        pthread_mutex_unlock(&w->lk);
    if (noproc) send_quiet(sys, w, down_msg(r, target, &EXIT_NOPROC));
    if (t && t != w) actor_release(t);
    actor_release(w);
    if (!rc && ref) *ref = r;
    return rc;
}

int actor_demonitor(actor_system *sys, actor_id watcher, uint64_t ref) {
    if (!sys) return -EINVAL;
    actor *w = registry_get(sys->reg, watcher);
    if (!w) return -ENOENT;
    uint64_t target = 0;
    pthread_mutex_lock(&w->lk);
    bool held = actor_idmap_del(&w->mons_held, ref, &target);
    pthread_mutex_unlock(&w->lk);
    if (!held) {
        actor_release(w);
        return -ENOENT;
    }
    /* If the target's side still has the entry, no DOWN was or will be sent. Otherwise (the target ended
     * and took its set, or the monitor was a NOPROC one) a DOWN is in w's mailbox or on its way: it still
     * costs w memory until w takes it out (and drops it), so it keeps its unit of max_monitors until then —
     * else a loop of monitor(dead) + demonitor could queue DOWNs without bound. */
    bool fired = true;
    actor *t = registry_get(sys->reg, target);
    if (t) {
        pthread_mutex_lock(&t->lk);
        if (actor_idmap_del(&t->mons_by, ref, NULL)) fired = false;
        pthread_mutex_unlock(&t->lk);
        actor_release(t);
    }
    if (fired) atomic_fetch_add_explicit(&w->stale_downs, 1, memory_order_relaxed);
    actor_release(w);
    return 0;
}

/* ------------------------------------------------------------------ links */

int actor_link(actor_system *sys, actor_id a, actor_id b) {
    if (!sys) return -EINVAL;
    actor *x = registry_get(sys->reg, a);
    if (!x) return -ENOENT;
    if (a == b) { /* linking to oneself is nothing (as in Erlang) */
        pthread_mutex_lock(&x->lk);
        int rc = x->ended ? -ENOENT : 0;
        pthread_mutex_unlock(&x->lk);
        actor_release(x);
        return rc;
    }
    actor *y = registry_get(sys->reg, b);
    int rc = 0;
    sig_action act = SIG_NONE;
    lock2(x, y);
    if (x->ended) {
        rc = -ENOENT;
    } else if (!y || y->ended) {
        act = signal_locked(x, &EXIT_NOPROC, false);
    } else {
        /* both sides always agree (changed together under both locks): present in x means present in y */
        if (actor_idmap_get(&x->links, b, NULL)) {
            rc = 0; /* linking twice is one link (counted for whoever made it first) */
        } else if (!link_quota_locked(x)) {
            rc = -EDQUOT;
        } else {
            rc = actor_idmap_put(&x->links, b, LINK_OWN);
            if (!rc) {
                rc = actor_idmap_put(&y->links, a, 0);
                if (rc) actor_idmap_del(&x->links, b, NULL);
                else x->links_own++;
            }
        }
    }
    if (y)
        unlock2(x, y);
    else
        pthread_mutex_unlock(&x->lk);
    signal_do(x, act, b, &EXIT_NOPROC);
    actor_release(y);
    actor_release(x);
    return rc;
}

int actor_unlink(actor_system *sys, actor_id a, actor_id b) {
    if (!sys) return -EINVAL;
    actor *x = registry_get(sys->reg, a);
    if (!x) return -ENOENT;
    actor *y = a == b ? NULL : registry_get(sys->reg, b);
    int rc = 0;
    lock2(x, y);
    if (x->ended) {
        rc = -ENOENT;
    } else {
        link_del_locked(x, b);
        if (y) link_del_locked(y, a);
    }
    if (y)
        unlock2(x, y);
    else
        pthread_mutex_unlock(&x->lk);
    actor_release(y);
    actor_release(x);
    return rc;
}

/* ------------------------------------------------------------------ spawn options */

int actor_links_spawn_register(actor_system *sys, actor *a, const actor_spawn_opts *opts,
                               int (*reg)(actor_system *, actor *)) {
    if (!opts || (!opts->link && !opts->monitor)) return reg(sys, a);
    actor *l = NULL, *m = NULL;
    int rc = 0;
    if (opts->link && !(l = registry_get(sys->reg, opts->link))) rc = -ENOENT;
    if (!rc && opts->monitor && !(m = registry_get(sys->reg, opts->monitor))) rc = -ENOENT;
    uint64_t r = 0;
    /* the new actor's own side: it is not visible yet, no lock needed */
    if (!rc && l) rc = actor_idmap_put(&a->links, l->id, 0);
    if (!rc && m) {
        r = atomic_fetch_add(&sys->next_ref, 1) + 1;
        rc = actor_idmap_put(&a->mons_by, r, m->id);
    }
    if (rc) goto out;
    actor *x = l ? l : m, *y = l ? m : NULL;
    lock2(x, y);
    if ((l && l->ended) || (m && m->ended)) rc = -ENOENT;
    else if ((l && !link_quota_locked(l)) || (m && !monitor_quota_locked(m))) rc = -EDQUOT;
    bool l_added = false, m_added = false;
    if (!rc && l) {
        rc = actor_idmap_put(&l->links, a->id, LINK_OWN); /* a->id is new: 0 or -ENOMEM */
        l_added = !rc;
        if (l_added) l->links_own++;
    }
    if (!rc && m) {
        rc = actor_idmap_put(&m->mons_held, r, a->id);
        m_added = !rc;
    }
    /* registering under the partners' locks: if a partner ends, it sees the new actor in the registry */
    if (!rc) rc = reg(sys, a);
    if (rc) {
        if (l_added) link_del_locked(l, a->id);
        if (m_added) actor_idmap_del(&m->mons_held, r, NULL);
    }
    unlock2(x, y);
    if (!rc && opts->monitor_ref) *opts->monitor_ref = r;
out:
    actor_release(l);
    actor_release(m);
    return rc;
}
