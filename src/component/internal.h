/* internal.h — the component actor's private state, shared by the files of src/component/ only. */
#ifndef WACTOR_COMPONENT_INTERNAL_H
#define WACTOR_COMPONENT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "common/ratelimit.h"
#include "component/component.h"
#include "component/idmap.h"

struct component_info {
    atomic_int refs;
    pthread_mutex_t lock;
    wactor_actor_info snap;    /* guarded by lock */
    /* written by the actor's runner after each slice (one writer), read by component_info_get */
    _Atomic uint64_t fuel_used, handler_ns;
    _Atomic uint32_t memory_pages;
};

/* What the actor is doing with its current message, if anything. */
typedef enum job_kind { JOB_NONE, JOB_START, JOB_HANDLER, JOB_INVOKE, JOB_HEALTH, JOB_CLEANUP } job_kind;

enum { HANDLES_MESSAGE = 1, HANDLES_REPLY = 2, HANDLES_DOWN = 4 };

typedef struct component {
    actor *self;
    actor_system *sys;
    actor_id id;
    char *name;                   /* display name: registered name or "#<pid>" */
    eng_module *module;
    eng_instance *inst;           /* NULL before start and after failure */
    eng_wasi wasi;                /* this instance's WASI (opened at start: its fd table) */
    wactor_wasi *wasi_cfg;        /* owned copy of component_config.wasi, or NULL (deny) */
    eng_wasi_preopen *preopens;   /* wasi.preopens, from wasi_cfg->dirs */
    component_info *info;
    uint64_t fuel_total, handler_ns_total; /* published to info after each slice */
    uint32_t memory_pages;
    uint64_t fuel;
    uint32_t slice;
    wactor_log_fn log;
    void *log_user;
    wactor_log_level log_level;   /* the least level passed to `log`; lower records are skipped unformatted */
    ratelimit diag_limit;         /* the host's diagnostics about it (component_diag): log_diag_per_sec */
    uint32_t log_diag_per_sec;    /* component_config's, defaulted */
    _Atomic uint64_t *traps, *dead_letters, *delivered, *refused;
    component_caps *caps;         /* owned reference; NULL = no grants */
    broker *broker;
    uint32_t max_message_bytes;
    int (*spawn)(void *spawn_user, const char *name, actor_id *out);
    void *spawn_user;
    bool subscribed;              /* has (had) subscriptions: drop them on terminate */
    /* what it holds now, against the limits below (host.c) */
    uint32_t subscriptions, monitors, links;
    component_idmap children;     /* monitor ref -> pid of each live instance it spawned (max_spawned) */
    /* per-component limits from component_config, defaults applied (never 0) */
    uint64_t mailbox_bytes, start_fuel;
    uint32_t table_elements, max_spawned, max_requests, max_subscriptions, max_monitors, max_links;
    uint32_t log_bytes_per_sec;

    unsigned handlers;            /* HANDLES_* the module exports (with cabi_realloc), found at creation */

    /* The inbox: one buffer in guest memory, from the guest's cabi_realloc, that every handler call borrows
     * for its sender/payload/reason bytes (docs/ABI.md). Per instance: 0/0 until the first message needs it. */
    uint32_t inbox, inbox_cap;    /* guest address and size in bytes */

    /* requests this component made and still awaits: correlation id -> timeout timer (pending.c) */
    component_idmap pending;
    uint64_t next_corr;

    /* the current job */
    job_kind job;
    int phase;                    /* JOB_START: PHASE_* of component.c (start section, _initialize, _start) */
    actor_msg *msg;               /* the message being handled (owned) */
    actor_future *started;        /* JOB_START's reply */
    uint64_t used;                /* instructions this job has used (fuel accounting) */
    uint64_t deadline_ns;         /* JOB_CLEANUP: monotonic deadline */
    uint32_t codec;               /* JOB_INVOKE with an encoded argument list: its codec, else 0 */
    eng_functype sig;             /* JOB_INVOKE: the export's signature */
    char health_reason[256];      /* set by wactor.health_reason during _health */
    bool counts_delivery;         /* JOB_HANDLER: count the message as delivered when the handler returns */

    /* fd 1/2 output is cut into lines here (log.c); a longer line is cut and the rest skipped up to '\n' */
    char line[WACTOR_DEFAULT_LOG_LINE_BYTES];
    size_t line_len;
    bool line_cut;                /* the pending line was cut: skip bytes up to the next newline */

    /* log volume (log.c): a token bucket of log_bytes_per_sec bytes, refilled continuously, holding at most
     * one second's worth; lines that do not fit are dropped and counted */
    uint64_t log_tokens, log_refill_ns;
    uint64_t log_dropped_bytes, log_dropped_lines; /* since the last notice */
    bool cleanup_overran;         /* JOB_CLEANUP passed its deadline: the exit reason is `killed` */
} component;

/* host.c: the `wactor` import module. */
const eng_host_func *component_host_funcs(size_t *count);

/* log.c: the component's log. Every function runs on the thread running the component (one at a time).
 * Writes one log line of `len` bytes for the component at `level` (skipped below c->log_level). A line over
 * WACTOR_DEFAULT_LOG_LINE_BYTES is cut there (at a UTF-8 boundary) and ends with " [truncated]"; lines are
 * charged against the component's log_bytes_per_sec bucket, and a line that does not fit is dropped and
 * counted; the next line that fits is preceded by one notice "N log bytes dropped (M lines ...)". */
void component_log_line(component *c, wactor_log_level level, const char *text, size_t len);
/* Whether a record at `level` reaches the sink (not below the component's log_level): test it before
 * formatting a record. */
static inline bool component_log_wants(const component *c, wactor_log_level level) { return level >= c->log_level; }
/* One of the host's diagnostics about the component (a refusal, a dead letter, ...; docs/ARCHITECTURE.md
 * "Logs") at `level`, formatted from fmt only if the level is wanted; not charged against log_bytes_per_sec
 * but limited to log_diag_per_sec records per second: the rest are counted, and the first diagnostic of a
 * later second (or the end of the component) is preceded by "N diagnostics suppressed (...)" at warn. */
void component_diag(component *c, wactor_log_level level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A guest's level number (docs/ABI.md, "The log") as a wactor_log_level: below -1 is trace, above 3 error. */
wactor_log_level component_log_level(int32_t level);
/* The same for the host's own diagnostics that must not be lost (the trap that ended the instance): cut
 * like any line, never dropped, not charged. */
void component_log_always(component *c, wactor_log_level level, const char *text, size_t len);
/* WASI fd_write sink (eng_wasi_write_fn): buffers bytes into lines, each one a component_log_line. */
void component_wasi_write(void *user, int fd, const uint8_t *bytes, size_t len);
/* wasi.c: fills c->wasi from c->wasi_cfg and opens it (eng_wasi_open; -1 with diag on error); frees
 * both (after the instance). */
int component_wasi_open(component *c, wactor_diag *diag);
void component_wasi_free(component *c);
/* Flushes a partial line, if any, and reports log bytes still counted as dropped (at the end). */
void component_log_flush(component *c);
/* Starts the log's bucket full (at spawn). */
void component_log_init(component *c);
/* Formats actor `id`'s address as guests see it: its registered name, "#<id>", or "host" for 0. */
void component_address(actor_system *sys, actor_id id, char *buf, size_t cap);

/* Counters in the component's info (and the runtime's totals). */
typedef enum component_counter {
    COUNT_DELIVERED,     /* a handler call returned */
    COUNT_REFUSED,       /* one of its sends was refused (capability, size) */
    COUNT_REFUSED_FULL,  /* one of its sends met a full mailbox (the actor layer counts the runtime total) */
    COUNT_DEAD_LETTER,   /* a message to it had no handler, or a reply came too late */
    COUNT_DEAD_TARGET    /* one of its sends hit a dead target (the actor layer counts the runtime total) */
} component_counter;
void component_count(component *c, component_counter which);

/* exports.c: checks that every export the host calls (cabi_realloc, handle-message, handle-reply,
 * handle-down, _health, _cleanup, _initialize, _start) is a function with the signature of docs/ABI.md,
 * and that a module with handlers has cabi_realloc. Returns 0 with *handlers = the HANDLES_* it exports,
 * or -ENOEXEC with `d` naming the export, its type and the type expected. Pure; thread-safe. */
int component_check_exports(const eng_module *m, unsigned *handlers, wactor_diag *d);

/* caps.c: the capability checks are declared in component.h (the runtime's host actors use them too). */

/* address.c: guest address text (docs/ABI.md, "Addresses"). `text` is `len` bytes, not NUL-terminated.
 * component_parse_pid: strict "#<decimal>" (no sign, no leading zero, no overflow, not 0) -> *out.
 * component_resolve: 0 with *out (0 for "host"; else a live actor), -EINVAL malformed, -ENOENT no live
 * actor has that pid or name now. Any thread. */
bool component_parse_pid(const char *text, size_t len, actor_id *out);
int component_resolve(actor_system *sys, const char *text, size_t len, actor_id *out);

/* pending.c: the requests this component awaits, O(1) per operation. Component's own turn only. */
bool component_pending_add(component *c, uint64_t corr, uint64_t timer);   /* false: ENOMEM (or a duplicate) */
bool component_pending_set_timer(component *c, uint64_t corr, uint64_t timer);
/* Removes request `corr` from the pending set and cancels its timeout timer; false if it was not pending. */
bool component_pending_take(component *c, uint64_t corr);
size_t component_pending_count(const component *c);
/* Cancels every timeout and empties the set (terminate). */
void component_pending_clear(component *c);

/* host.c: a DOWN notice arrived. True when it was the host's own (the monitor kept on a spawned child: the
 * child is counted out of max_spawned and the message freed); false when it belongs to the guest (one of
 * its monitors fired, counted out of max_monitors) and should go to handle-down. */
bool component_down_notice(component *c, actor_msg *msg);

#endif
