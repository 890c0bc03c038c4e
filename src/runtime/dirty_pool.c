/*
 * dirty_pool.c — the blocking pool: a fixed set of threads that run jobs which may block (a blocking host
 * actor's callbacks), so that no scheduler thread is ever held by them. Erlang's dirty I/O schedulers play
 * this role (erl_nif(3), "Dirty NIFs"); like them the pool is bounded: `threads` threads, and a job waits in
 * FIFO order for a free one.
 *
 * Jobs are intrusive (a dirty_job embedded in its owner), so submitting never allocates and never fails
 * except after shutdown. What bounds the queue is the owners: each blocking host actor has at most one job
 * queued or running (it is parked meanwhile), so the queue never holds more jobs than there are blocking
 * host actors.
 *
 * Shutdown runs every job already queued to completion, then joins the threads; later submits get
 * -ESHUTDOWN. Thread-safety: submit and shutdown from any thread (shutdown not from a pool thread).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "runtime/internal.h"

struct dirty_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    dirty_job *head, *tail;   /* FIFO of jobs waiting for a thread */
    bool stopping;            /* no more submits; threads leave once the queue is empty */
    bool joined;
    pthread_t *threads;
    unsigned nthreads;
};

static void *pool_main(void *arg) {
    dirty_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stopping) pthread_cond_wait(&p->cv, &p->mu);
        dirty_job *j = p->head;
        if (!j) break; /* stopping and drained */
        p->head = j->next;
        if (!p->head) p->tail = NULL;
        j->next = NULL;
        pthread_mutex_unlock(&p->mu);
        j->run(j);     /* may free the job's owner: do not touch j afterwards */
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int dirty_pool_new(unsigned threads, dirty_pool **out) {
    if (threads == 0 || threads > WACTOR_MAX_BLOCKING_THREADS) return -EINVAL;
    dirty_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->threads = calloc(threads, sizeof *p->threads))) {
        free(p);
        return -ENOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (; p->nthreads < threads; p->nthreads++)
        if (pthread_create(&p->threads[p->nthreads], NULL, pool_main, p) != 0) break;
    if (p->nthreads == 0) {
        dirty_pool_free(p);
        return -ENOMEM;
    }
    *out = p; /* fewer threads than asked if the system refused some: still a working pool */
    return 0;
}

int dirty_pool_submit(dirty_pool *p, dirty_job *j) {
    pthread_mutex_lock(&p->mu);
    if (p->stopping) {
        pthread_mutex_unlock(&p->mu);
        return -ESHUTDOWN;
    }
    j->next = NULL;
    if (p->tail) p->tail->next = j;
    else p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void dirty_pool_shutdown(dirty_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    bool join = !p->joined;
    p->stopping = true;
    p->joined = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (!join) return;
    for (unsigned i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
}

void dirty_pool_free(dirty_pool *p) {
    if (!p) return;
    dirty_pool_shutdown(p);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p);
}
