/*
 * msgpool.c — recycling of small messages: the blocks behind actor_msg_new()/actor_msg_free() for payloads
 * of at most MSGPOOL_DATA bytes.
 *
 * Why: a message is usually allocated by one thread (its sender) and freed by another (the scheduler thread
 * that ran the receiver). glibc hands a freed block to the freeing thread's cache or back to its arena, so a
 * thread that only sends never finds one in its own cache: every send took the arena lock in _int_malloc
 * (measured: 45 % of a host thread's time while it sent 1.2 M messages/s to 100 components).
 *
 * How: every thread keeps a private list of up to CACHE_MAX blocks it freed itself (`own`). A thread that
 * frees with a full list pushes the block onto one process-wide lock-free stack (about SHARED_MAX blocks at
 * most, by an approximate count; beyond that the block goes back to malloc). A thread that allocates takes
 * from `own`, else from `taken`, else moves the whole shared stack into `taken` with one atomic exchange
 * (taking everything is what makes the stack ABA-free, and nothing walks a list: a walk is one cache miss
 * per block), else mallocs. Blocks are plain malloc() blocks of one size (MSGPOOL_BLOCK), linked through
 * actor_msg.next while free. A thread's lists are freed when the thread exits (a pthread key destructor);
 * the shared stack lives as long as the process.
 */
#include "actor/actor_internal.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdlib.h>

#define CACHE_MAX 256
#define SHARED_MAX 65536

typedef struct cache {
    actor_msg *own;    /* blocks this thread freed */
    size_t nown;
    actor_msg *taken;  /* blocks taken from the shared stack */
    bool registered;
} cache;

static _Thread_local cache tls_cache;
static _Atomic(actor_msg *) shared_head;
static atomic_size_t shared_count; /* approximate: a take resets it while pushes may be under way */
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

static void free_list(actor_msg *m) {
    while (m) {
        actor_msg *next = m->next;
        free(m);
        m = next;
    }
}

static void on_thread_exit(void *arg) {
    cache *c = arg;
    free_list(c->own);
    free_list(c->taken);
    *c = (cache){0};
}

static void make_key(void) { (void)pthread_key_create(&exit_key, on_thread_exit); }

/* Before the first block goes into this thread's list: arrange for the list to be freed at thread exit. */
static void register_cache(cache *c) {
    if (c->registered) return;
    pthread_once(&exit_once, make_key);
    c->registered = pthread_setspecific(exit_key, c) == 0;
}

actor_msg *actor_msgpool_alloc(void) {
    cache *c = &tls_cache;
    actor_msg *m = c->own;
    if (m) {
        c->own = m->next;
        c->nown--;
        return m;
    }
    if (!c->taken && atomic_load_explicit(&shared_head, memory_order_relaxed)) {
        c->taken = atomic_exchange_explicit(&shared_head, NULL, memory_order_acquire);
        atomic_store_explicit(&shared_count, 0, memory_order_relaxed);
        if (c->taken) register_cache(c);
    }
    m = c->taken;
    if (!m) return malloc(MSGPOOL_BLOCK);
    c->taken = m->next;
    return m;
}

void actor_msgpool_free(actor_msg *m) {
    cache *c = &tls_cache;
    if (c->nown < CACHE_MAX) {
        register_cache(c);
        m->next = c->own;
        c->own = m;
        c->nown++;
        return;
    }
    if (atomic_fetch_add_explicit(&shared_count, 1, memory_order_relaxed) >= SHARED_MAX) {
        free(m);
        return;
    }
    actor_msg *head = atomic_load_explicit(&shared_head, memory_order_relaxed);
    do m->next = head;
    while (!atomic_compare_exchange_weak_explicit(&shared_head, &head, m, memory_order_release,
                                                  memory_order_relaxed));
}
