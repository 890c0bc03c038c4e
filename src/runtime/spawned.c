/*
 * spawned.c — what the runtime remembers of the components it spawned: pid -> info, bounded.
 *
 * Every component the runtime spawns (wactor_spawn, a supervisor's start or restart, a guest's spawn of a
 * declared component) gets an entry: its pid, its component_info (the tombstone wactor_info reads) and
 * its registered name's totals record. (Its capabilities are a component_caps the component itself holds
 * a reference to.) A native actor, the *reaper*, monitors each one; its DOWN message (sent after
 * the component's terminate, so its counters are final) folds the instance's counters into its name's
 * totals and moves the entry to a ring of the RUNTIME_EXIT_RING most
 * recent exits, as the actor layer keeps its exit reasons. Older exits are reaped: their info is released
 * and wactor_info answers ENOENT for them. So the memory kept is O(live components + RUNTIME_EXIT_RING +
 * distinct registered names), however many restarts happen; the index is a hash table (O(1) wactor_info).
 *
 * Per name (wactor_totals): counters of the ended instances (folded), the instances still live (summed at
 * each query), the newest instance's info (state, started_ns, failure) and the first one's created_ns.
 * One record per distinct registered name ever spawned under: names come from the embedding program and
 * the manifest, never from guests (a guest's spawn is unnamed).
 *
 * Locking: rt->lock guards everything here; a component_info has its own lock (component_info_get).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "runtime/internal.h"

struct name_totals {
    struct name_totals *hnext;     /* hash chain */
    char *name;
    uint64_t first_created_ns;
    uint64_t messages, refused, dead_letters; /* of the ended instances */
    uint64_t fuel_used, handler_ns, instances, traps; /* of the ended instances (instances: all) */
    uint32_t traps_by_kind[WACTOR_TRAP_OTHER + 1];
    component_info *newest;        /* retained */
    struct spawned *live;          /* its live instances (spawned.nnext / nprev) */
};

struct spawned {
    struct spawned *hnext;         /* hash chain (by pid) */
    struct spawned *prev, *next;   /* the live list in spawn order, or the exit ring (oldest first) */
    struct spawned *nprev, *nnext; /* live instances of the same name */
    wactor_pid pid;
    component_info *info;          /* retained */
    name_totals *totals;           /* NULL: unnamed */
    name_totals *spare;            /* a preallocated record, used if the name has none yet */
    bool exited;
};

/* ------------------------------------------------------------------ hash tables (chained, doubling) */

static size_t pid_bucket(const spawned_table *t, wactor_pid pid) { return hash_mix64(pid) & (t->nbuckets - 1); }
static size_t name_bucket(const spawned_table *t, const char *name) {
    return hash_bytes(name, strlen(name)) & (t->nnames_buckets - 1);
}

/* Doubles `*buckets` (rehashing with `next_of`) when the load reaches 1; on ENOMEM keeps the old array
 * (the chains only grow longer). */
static void grow_pids(spawned_table *t) {
    if (t->count < t->nbuckets) return;
    size_t nb = t->nbuckets * 2;
    spawned **b = calloc(nb, sizeof *b);
    if (!b) return;
    for (size_t i = 0; i < t->nbuckets; i++)
        for (spawned *e = t->buckets[i], *n; e; e = n) {
            n = e->hnext;
            size_t k = hash_mix64(e->pid) & (nb - 1);
            e->hnext = b[k];
            b[k] = e;
        }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = nb;
}

static void grow_names(spawned_table *t) {
    if (t->nnames < t->nnames_buckets) return;
    size_t nb = t->nnames_buckets * 2;
    name_totals **b = calloc(nb, sizeof *b);
    if (!b) return;
    for (size_t i = 0; i < t->nnames_buckets; i++)
        for (name_totals *r = t->names[i], *n; r; r = n) {
            n = r->hnext;
            size_t k = hash_bytes(r->name, strlen(r->name)) & (nb - 1);
            r->hnext = b[k];
            b[k] = r;
        }
    free(t->names);
    t->names = b;
    t->nnames_buckets = nb;
}

static spawned *find_pid(const spawned_table *t, wactor_pid pid) {
    if (!t->nbuckets) return NULL;
    for (spawned *e = t->buckets[pid_bucket(t, pid)]; e; e = e->hnext)
        if (e->pid == pid) return e;
    return NULL;
}

static void unhash_pid(spawned_table *t, spawned *e) {
    for (spawned **p = &t->buckets[pid_bucket(t, e->pid)]; *p; p = &(*p)->hnext)
        if (*p == e) {
            *p = e->hnext;
            t->count--;
            return;
        }
}

static name_totals *find_name(const spawned_table *t, const char *name) {
    if (!t->nnames_buckets) return NULL;
    for (name_totals *r = t->names[name_bucket(t, name)]; r; r = r->hnext)
        if (strcmp(r->name, name) == 0) return r;
    return NULL;
}

/* ------------------------------------------------------------------ lists */

static void list_append(spawned **head, spawned **tail, spawned *e) {
    e->next = NULL;
    e->prev = *tail;
    if (*tail) (*tail)->next = e;
    else *head = e;
    *tail = e;
}

static void list_unlink(spawned **head, spawned **tail, spawned *e) {
    if (e->prev) e->prev->next = e->next;
    else *head = e->next;
    if (e->next) e->next->prev = e->prev;
    else *tail = e->prev;
    e->prev = e->next = NULL;
}

static void name_unlink(spawned *e) {
    if (!e->totals) return;
    if (e->nprev) e->nprev->nnext = e->nnext;
    else e->totals->live = e->nnext;
    if (e->nnext) e->nnext->nprev = e->nprev;
    e->nprev = e->nnext = NULL;
}

static void free_totals(name_totals *r) {
    if (!r) return;
    component_info_release(r->newest);
    free(r->name);
    free(r);
}

static void entry_free(spawned *e) {
    component_info_release(e->info);
    free_totals(e->spare);
    free(e);
}

/* ------------------------------------------------------------------ the interface */

spawned *runtime_spawned_new(const char *name) {
    spawned *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    if (name && *name) {
        e->spare = calloc(1, sizeof *e->spare);
        if (!e->spare || !(e->spare->name = strdup(name))) {
            free(e->spare);
            free(e);
            return NULL;
        }
    }
    return e;
}

void runtime_spawned_discard(spawned *e) {
    if (e) entry_free(e);
}

void runtime_remember(wactor_runtime *rt, spawned *e, wactor_pid pid, component_info *info) {
    spawned_table *t = &rt->spawned;
    e->pid = pid;
    e->info = info;
    wactor_actor_info snap;
    component_info_get(info, &snap);
    pthread_mutex_lock(&rt->lock);
    grow_pids(t);
    size_t k = pid_bucket(t, pid);
    e->hnext = t->buckets[k];
    t->buckets[k] = e;
    t->count++;
    list_append(&t->live_head, &t->live_tail, e);
    if (e->spare) {
        name_totals *r = find_name(t, e->spare->name);
        if (!r) {
            grow_names(t);
            r = e->spare;
            e->spare = NULL;
            r->first_created_ns = snap.created_ns;
            size_t b = name_bucket(t, r->name);
            r->hnext = t->names[b];
            t->names[b] = r;
            t->nnames++;
        }
        r->instances++;
        component_info_retain(info);
        component_info_release(r->newest);
        r->newest = info;
        e->totals = r;
        e->nnext = r->live;
        if (r->live) r->live->nprev = e;
        r->live = e;
    }
    pthread_mutex_unlock(&rt->lock);
    free_totals(e->spare);
    e->spare = NULL;
    /* the reaper learns of the end; if it cannot watch (ENOMEM) the entry stays live until destroy */
    actor_monitor(rt->sys, rt->reaper, pid, NULL);
}

/* The reaper's DOWN for `pid`: fold its counters into its name, move it to the exit ring. */
static void fold_exit(wactor_runtime *rt, wactor_pid pid) {
    spawned_table *t = &rt->spawned;
    spawned *reaped = NULL;
    pthread_mutex_lock(&rt->lock);
    spawned *e = find_pid(t, pid);
    if (e && !e->exited) {
        e->exited = true;
        list_unlink(&t->live_head, &t->live_tail, e);
        if (e->totals) {
            wactor_actor_info one;
            component_info_get(e->info, &one);
            e->totals->messages += one.messages;
            e->totals->refused += one.refused;
            e->totals->dead_letters += one.dead_letters;
            e->totals->fuel_used += one.fuel_used;
            e->totals->handler_ns += one.handler_ns;
            e->totals->traps += one.traps;
            for (int k = 0; k <= WACTOR_TRAP_OTHER; k++) e->totals->traps_by_kind[k] += one.traps_by_kind[k];
            name_unlink(e);
        }
        list_append(&t->ring_head, &t->ring_tail, e);
        if (++t->nring > RUNTIME_EXIT_RING) {
            reaped = t->ring_head;
            list_unlink(&t->ring_head, &t->ring_tail, reaped);
            unhash_pid(t, reaped);
            t->nring--;
        }
    }
    pthread_mutex_unlock(&rt->lock);
    if (reaped) entry_free(reaped);
}

component_info *runtime_find_info(wactor_runtime *rt, wactor_pid pid) {
    pthread_mutex_lock(&rt->lock);
    spawned *e = find_pid(&rt->spawned, pid);
    component_info *info = e ? e->info : NULL;
    if (info) component_info_retain(info);
    pthread_mutex_unlock(&rt->lock);
    return info;
}

wactor_error runtime_totals(wactor_runtime *rt, const char *name, wactor_actor_info *out) {
    memset(out, 0, sizeof *out);
    wactor_pid live[64]; /* mailbox depths are read after the lock (the actor layer has its own) */
    size_t nlive = 0;
    pthread_mutex_lock(&rt->lock);
    name_totals *r = find_name(&rt->spawned, name);
    if (r) {
        wactor_actor_info one;
        component_info_get(r->newest, &one);
        out->state = one.state;
        out->started_ns = one.started_ns;
        out->failure = one.failure;
        out->created_ns = r->first_created_ns;
        out->messages = r->messages;
        out->refused = r->refused;
        out->dead_letters = r->dead_letters;
        out->module_hash = one.module_hash;
        out->memory_pages = one.memory_pages;
        out->fuel_used = r->fuel_used;
        out->handler_ns = r->handler_ns;
        out->instances = r->instances;
        out->traps = r->traps;
        memcpy(out->traps_by_kind, r->traps_by_kind, sizeof out->traps_by_kind);
        for (spawned *e = r->live; e; e = e->nnext) {
            component_info_get(e->info, &one);
            out->messages += one.messages;
            out->refused += one.refused;
            out->dead_letters += one.dead_letters;
            out->fuel_used += one.fuel_used;
            out->handler_ns += one.handler_ns;
            out->traps += one.traps;
            for (int k = 0; k <= WACTOR_TRAP_OTHER; k++) out->traps_by_kind[k] += one.traps_by_kind[k];
            if (nlive < 64) live[nlive++] = e->pid;
        }
    }
    pthread_mutex_unlock(&rt->lock);
    for (size_t i = 0; i < nlive; i++) out->mailbox += (uint32_t)actor_mailbox_length(rt->sys, live[i]);
    return r ? WACTOR_OK : WACTOR_ENOENT;
}

size_t runtime_live_pids(wactor_runtime *rt, wactor_pid **out) {
    *out = NULL;
    pthread_mutex_lock(&rt->lock);
    size_t n = 0;
    for (spawned *e = rt->spawned.live_head; e; e = e->next) n++;
    wactor_pid *v = n ? malloc(n * sizeof *v) : NULL;
    size_t i = 0;
    for (spawned *e = rt->spawned.live_tail; v && e; e = e->prev) v[i++] = e->pid;
    pthread_mutex_unlock(&rt->lock);
    *out = v;
    return v ? n : 0;
}

size_t runtime_live_pids_ordered(wactor_runtime *rt, wactor_pid *out, size_t cap) {
    pthread_mutex_lock(&rt->lock);
    size_t n = 0;
    for (spawned *e = rt->spawned.live_head; e; e = e->next, n++)
        if (n < cap) out[n] = e->pid;
    pthread_mutex_unlock(&rt->lock);
    return n;
}

bool runtime_spawned_name(wactor_runtime *rt, wactor_pid pid, char *buf, size_t cap) {
    pthread_mutex_lock(&rt->lock);
    spawned *e = find_pid(&rt->spawned, pid);
    bool named = e && e->totals;
    if (named && cap) snprintf(buf, cap, "%s", e->totals->name);
    pthread_mutex_unlock(&rt->lock);
    return named;
}

void runtime_spawned_stats(wactor_runtime *rt, size_t *entries, size_t *live, size_t *names) {
    pthread_mutex_lock(&rt->lock);
    *entries = rt->spawned.count;
    *live = rt->spawned.count - rt->spawned.nring;
    *names = rt->spawned.nnames;
    pthread_mutex_unlock(&rt->lock);
}

void runtime_spawned_free(wactor_runtime *rt) {
    spawned_table *t = &rt->spawned;
    for (size_t i = 0; t->buckets && i < t->nbuckets; i++)
        for (spawned *e = t->buckets[i], *n; e; e = n) {
            n = e->hnext;
            entry_free(e);
        }
    for (size_t i = 0; t->names && i < t->nnames_buckets; i++)
        for (name_totals *r = t->names[i], *n; r; r = n) {
            n = r->hnext;
            free_totals(r);
        }
    free(t->buckets);
    free(t->names);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------ the reaper */

static actor_result reaper_receive(actor *self, actor_msg *m) {
    wactor_runtime *rt = actor_state(self);
    actor_result r = ACTOR_CONTINUE;
    if (m->type == ACTOR_MSG_DOWN && m->len >= sizeof(actor_down)) {
        actor_down d;
        memcpy(&d, m->data, sizeof d);
        fold_exit(rt, d.who);
    } else if (m->type == ACTOR_MSG_STOP) {
        r = ACTOR_STOP;
    }
    actor_msg_free(m);
    return r;
}

static const actor_behaviour reaper_behaviour = {.name = "runtime reaper", .receive = reaper_receive};

int runtime_reaper_start(wactor_runtime *rt) {
    /* the tables start non-empty, so a failed growth later only lengthens chains: inserting never fails */
    spawned_table *t = &rt->spawned;
    t->buckets = calloc(t->nbuckets = 64, sizeof *t->buckets);
    t->names = calloc(t->nnames_buckets = 16, sizeof *t->names);
    if (!t->buckets || !t->names) {
        runtime_spawned_free(rt);
        return -ENOMEM;
    }
    int rc = actor_spawn(rt->sys, &reaper_behaviour, rt, &rt->reaper);
    if (rc) runtime_spawned_free(rt);
    return rc;
}
