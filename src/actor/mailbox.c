/*
 * mailbox.c — an actor's mailbox: Vyukov's intrusive multi-producer single-consumer queue.
 *
 * push is one atomic exchange plus one release store (wait-free); per-producer FIFO holds because each
 * producer's exchanges are ordered. pop is run by the actor's current runner only. A producer between its
 * exchange and its link store makes the queue look empty to the consumer for that instant; the producer
 * then calls actor_schedule(), which requeues the actor, so nothing is lost.
 *
 * actor_msg.next is a plain pointer in the public header, so it is accessed with the GCC/Clang __atomic
 * builtins (well-defined for naturally aligned pointers, understood by TSan).
 */
#include "actor/actor_internal.h"

#include <errno.h>
#include <stdlib.h>

#define LOAD_ACQ(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define STORE_REL(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)

int actor_mailbox_init(mailbox *mb) {
    mb->stub = calloc(1, sizeof(actor_msg));
    if (!mb->stub) return -ENOMEM;
    mb->head = mb->stub;
    mb->tail = mb->stub;
    return 0;
}

void actor_mailbox_push(mailbox *mb, actor_msg *m) {
    __atomic_store_n(&m->next, NULL, __ATOMIC_RELAXED);
    actor_msg *prev = __atomic_exchange_n(&mb->head, m, __ATOMIC_ACQ_REL);
    STORE_REL(prev->next, m);
}

actor_msg *actor_mailbox_pop(mailbox *mb) {
    actor_msg *tail = mb->tail;
    actor_msg *next = LOAD_ACQ(tail->next);
    if (tail == mb->stub) {
        if (!next) return NULL;
        mb->tail = next;
        tail = next;
        next = LOAD_ACQ(next->next);
    }
    if (next) {
        mb->tail = next;
        tail->next = NULL;
        return tail;
    }
    if (tail != __atomic_load_n(&mb->head, __ATOMIC_ACQUIRE)) return NULL; /* producer mid-push */
    actor_mailbox_push(mb, mb->stub);
    next = LOAD_ACQ(tail->next);
    if (next) {
        mb->tail = next;
        tail->next = NULL;
        return tail;
    }
    return NULL;
}

void actor_mailbox_destroy(mailbox *mb) {
    free(mb->stub);
    mb->stub = mb->head = mb->tail = NULL;
}
