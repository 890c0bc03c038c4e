/* internal.h — the component actor's private state, shared by the files of src/component/ only. */
#ifndef WACTOR_COMPONENT_INTERNAL_H
#define WACTOR_COMPONENT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "component/component.h"

struct component_info {
    atomic_int refs;
    pthread_mutex_t lock;
    wactor_actor_info snap;    /* guarded by lock */
};

/* What the actor is doing with its current message, if anything. */
typedef enum job_kind { JOB_NONE, JOB_START, JOB_MESSAGE, JOB_INVOKE, JOB_HEALTH, JOB_CLEANUP } job_kind;

typedef struct component {
    actor *self;
    actor_system *sys;
    actor_id id;
    char *name;                   /* display name: registered name or "#<pid>" */
    eng_module *module;
    eng_instance *inst;           /* NULL before start and after failure */
    eng_wasi wasi;
    component_info *info;
    uint32_t memory_pages;
    uint64_t fuel;
    uint32_t slice;
    wactor_log_fn log;
    void *log_user;
    _Atomic uint64_t *traps, *dead_letters, *delivered;

    /* the current job */
    job_kind job;
    int phase;                    /* JOB_START: 0 = _initialize, 1 = _start */
    actor_msg *msg;               /* the message being handled (owned) */
    actor_future *started;        /* JOB_START's reply */
    uint64_t used;                /* instructions this job has used (fuel accounting) */
    uint64_t deadline_ns;         /* JOB_CLEANUP: monotonic deadline */
    uint32_t codec;               /* JOB_INVOKE with an encoded argument list: its codec, else 0 */
    eng_functype sig;             /* JOB_INVOKE: the export's signature */
    char health_reason[256];      /* set by wactor.health_reason during _health */

    /* fd 1/2 output is cut into lines here */
    char line[1024];
    size_t line_len;
} component;

/* host.c: the `wactor` import module. */
const eng_host_func *component_host_funcs(size_t *count);
/* Writes one log line for the component (level 0..3). */
void component_log_line(component *c, int level, const char *text, size_t len);
/* WASI fd_write sink: buffers bytes into lines. */
void component_wasi_write(void *user, int fd, const uint8_t *bytes, size_t len);
/* Flushes a partial line, if any. */
void component_log_flush(component *c);
/* Formats actor `id`'s address as guests see it: its registered name, "#<id>", or "host" for 0. */
void component_address(actor_system *sys, actor_id id, char *buf, size_t cap);

uint64_t component_now_ns(int clock);

#endif
