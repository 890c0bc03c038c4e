/*
 * component.c — the component actor's behaviour: lifecycle, jobs run in instruction slices, replies.
 *
 * Every message becomes a "job": one or more guest calls run slice by slice. While a job is unfinished the
 * actor returns ACTOR_YIELD and the scheduler calls resume() later; the next message is taken only when the
 * job is done. A trap ends the job and the instance: the component records the failure and exits.
 */
#include <inttypes.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/codec.h"
#include "common/clock.h"
#include "common/diag.h"
#include "common/errors.h"
#include "component/internal.h"
#include "registry/registry.h"

/* Instructions a host-driven helper call (cabi_realloc) may take before it counts as runaway: a fixed
 * part, plus HELPER_BUDGET_PER_BYTE for each byte of the old buffer, which a realloc may copy (a byte-wise
 * copy loop in the interpreter costs about 6 instructions a byte). Bounded by max_message_bytes. */
#define HELPER_BUDGET 1000000u
#define HELPER_BUDGET_PER_BYTE 16u

/* ------------------------------------------------------------------ info */

component_info *component_info_new(void) {
    component_info *info = calloc(1, sizeof *info);
    if (!info) return NULL;
    atomic_init(&info->refs, 1);
    pthread_mutex_init(&info->lock, NULL);
    info->snap.state = WACTOR_CREATING;
    info->snap.created_ns = clock_ns(CLOCK_REALTIME);
    return info;
}

void component_info_retain(component_info *info) { atomic_fetch_add(&info->refs, 1); }

void component_info_release(component_info *info) {
    if (info && atomic_fetch_sub(&info->refs, 1) == 1) {
        pthread_mutex_destroy(&info->lock);
        free(info);
    }
}

void component_info_set_state(component_info *info, wactor_state state, const wactor_diag *failure) {
    pthread_mutex_lock(&info->lock);
    info->snap.state = state;
    if (state == WACTOR_READY) info->snap.started_ns = clock_ns(CLOCK_REALTIME);
    if (failure) info->snap.failure = *failure;
    pthread_mutex_unlock(&info->lock);
}

void component_info_add(component_info *info, uint64_t messages, uint64_t refused, uint64_t dead_letters) {
    pthread_mutex_lock(&info->lock);
    info->snap.messages += messages;
    info->snap.refused += refused;
    info->snap.dead_letters += dead_letters;
    pthread_mutex_unlock(&info->lock);
}

void component_info_get(component_info *info, wactor_actor_info *out) {
    pthread_mutex_lock(&info->lock);
    *out = info->snap;
    pthread_mutex_unlock(&info->lock);
    out->fuel_used = atomic_load_explicit(&info->fuel_used, memory_order_relaxed);
    out->handler_ns = atomic_load_explicit(&info->handler_ns, memory_order_relaxed);
    out->memory_pages = atomic_load_explicit(&info->memory_pages, memory_order_relaxed);
    out->instances = 1;
    /* a trap failed it (a host actor fails without a trap kind: not a trap) */
    if (out->state == WACTOR_FAILED && out->failure.trap > WACTOR_TRAP_NONE && out->failure.trap <= WACTOR_TRAP_OTHER) {
        out->traps = 1;
        out->traps_by_kind[out->failure.trap] = 1;
    }
}

/* After a slice: what it cost, made readable to component_info_get (relaxed stores: one writer). */
static void publish_usage(component *c, uint64_t executed, uint64_t ns) {
    c->fuel_total += executed;
    c->handler_ns_total += ns;
    atomic_store_explicit(&c->info->fuel_used, c->fuel_total, memory_order_relaxed);
    atomic_store_explicit(&c->info->handler_ns, c->handler_ns_total, memory_order_relaxed);
    uint32_t bytes = 0;
    if (c->inst) eng_instance_memory(c->inst, &bytes);
    uint32_t pages = bytes == UINT32_MAX ? 65536u : bytes / 65536u;
    if (c->inst) atomic_store_explicit(&c->info->memory_pages, pages, memory_order_relaxed);
}

static void set_state(component *c, wactor_state state, const wactor_diag *failure) {
    pthread_mutex_lock(&c->info->lock);
    c->info->snap.state = state;
    if (state == WACTOR_READY) c->info->snap.started_ns = clock_ns(CLOCK_REALTIME);
    if (failure) c->info->snap.failure = *failure;
    pthread_mutex_unlock(&c->info->lock);
}

static wactor_state get_state(component *c) {
    pthread_mutex_lock(&c->info->lock);
    wactor_state s = c->info->snap.state;
    pthread_mutex_unlock(&c->info->lock);
    return s;
}

void component_count(component *c, component_counter which) {
    pthread_mutex_lock(&c->info->lock);
    _Atomic uint64_t *total = NULL;
    switch (which) {
    case COUNT_DELIVERED: c->info->snap.messages++; total = c->delivered; break;
    case COUNT_REFUSED: c->info->snap.refused++; total = c->refused; break;
    case COUNT_REFUSED_FULL: c->info->snap.refused++; break;
    case COUNT_DEAD_LETTER: c->info->snap.dead_letters++; total = c->dead_letters; break;
    case COUNT_DEAD_TARGET: c->info->snap.dead_letters++; break;
    }
    pthread_mutex_unlock(&c->info->lock);
    if (total) atomic_fetch_add(total, 1);
}

/* ------------------------------------------------------------------ replies */

/* Answers `f` with `rc`, a negative errno value (include/wactor_errors.h lists which errno means what), and
 * a copy of `d` (may be NULL) as data. The embedding API converts the errno once, at its edge. */
static void reply_error(actor_future *f, int rc, const wactor_diag *d) {
    if (!f) return;
    wactor_diag *copy = calloc(1, sizeof *copy);
    if (copy && d) *copy = *d;
    actor_future_complete(f, rc, copy, copy ? sizeof *copy : 0);
}

static void reply_ok(actor_future *f, void *data, size_t len) {
    if (f) actor_future_complete(f, 0, data, len);
    else free(data);
}

static actor_future *job_reply(component *c) {
    if (c->job == JOB_START) return c->started;
    return c->msg ? c->msg->reply : NULL;
}

static void job_end(component *c) {
    actor_msg_free(c->msg);
    c->msg = NULL;
    c->job = JOB_NONE;
    c->used = 0;
    c->codec = 0;
}

/* The actor's exit reason for a trap of `kind`: abnormal, naming the trap. A WASI proc_exit (kind
 * WACTOR_TRAP_EXIT) is no trap: code 0 is a normal exit (OTP's `normal`: a transient child is not
 * restarted), any other code the abnormal reason "exit N". */
static void set_exit(component *c, wactor_trap_kind kind, int exit_code) {
    actor_exit reason = {.kind = ACTOR_EXIT_ERROR, .code = (int)kind};
    if (kind == WACTOR_TRAP_EXIT && exit_code == 0) reason.kind = ACTOR_EXIT_NORMAL;
    else if (kind == WACTOR_TRAP_EXIT) snprintf(reason.text, sizeof reason.text, "exit %d", exit_code);
    else snprintf(reason.text, sizeof reason.text, "%s", wactor_trap_name(kind));
    actor_set_exit(c->self, &reason);
}

/* Writes a host diagnostic line ("trap: ...") that is never rate-limited away. */
static void log_always(component *c, wactor_log_level level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void log_always(component *c, wactor_log_level level, const char *fmt, ...) {
    if (!component_log_wants(c, level)) return;
    char line[WACTOR_DIAG_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0) component_log_always(c, level, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Start-up, in order (each a sliced call counted against start_fuel): the module's start section
 * (WebAssembly core spec 4.5.4 "Instantiation": it completes instantiation; the engine defers it so it can run
 * in slices like any call), then `_initialize` (WASI reactor) and `_start`, each if exported. */
enum { PHASE_START_SECTION, PHASE_INITIALIZE, PHASE_START, PHASES };
static const char *const start_phase_names[] = {"start section", "_initialize", "_start"};
static const char START_SECTION[] = "(start section)"; /* run_slice's `fn` for eng_instance_start */

/* The instance trapped, exited (WASI proc_exit) or could not be built: record it, answer the job, and
 * end the actor. An exit outside start-up is not a failure when its code is 0: the component is then
 * Terminated (not Failed), the trap counter is not raised, and a request it was handling is answered
 * -ENOENT ("it ended before answering"), as for any actor that ends. */
static actor_result fail(component *c, wactor_diag *d) {
    wactor_trap_kind kind = d->trap;
    int exit_code = d->exit_code;
    bool normal_exit = kind == WACTOR_TRAP_EXIT && exit_code == 0 && c->job != JOB_START;
    if (c->job == JOB_START) {
        wactor_diag start;
        if (kind == WACTOR_TRAP_FUEL_EXHAUSTED)
            diag_set(&start, WACTOR_TRAP_START, "%s: %s: %s: start-up ran over its start_fuel of %llu instructions",
                     wactor_trap_name(WACTOR_TRAP_START), start_phase_names[c->phase], wactor_trap_name(kind),
                     (unsigned long long)c->start_fuel);
        else if (kind == WACTOR_TRAP_EXIT)
            diag_set(&start, WACTOR_TRAP_START, "%s: %s exited (proc_exit(%d)) before the component was ready",
                     wactor_trap_name(WACTOR_TRAP_START), start_phase_names[c->phase], exit_code);
        else
            diag_set(&start, WACTOR_TRAP_START, "%s: %s trapped: %s: %s", wactor_trap_name(WACTOR_TRAP_START),
                     start_phase_names[c->phase], wactor_trap_name(kind), d->message);
        start.exit_code = exit_code;
        *d = start;
    }
    component_log_flush(c);
    if (normal_exit) {
        log_always(c, WACTOR_LOG_INFO, "exit: the component called proc_exit(0)");
        set_state(c, WACTOR_TERMINATED, NULL);
        if (c->job != JOB_CLEANUP) set_exit(c, kind, 0); /* in _cleanup: the stop's reason (shutdown) stands */
        reply_error(job_reply(c), -ENOENT, d);
    } else {
        const char *kind_name = wactor_trap_name(d->trap); /* said once: most messages start with it */
        if (strncmp(d->message, kind_name, strlen(kind_name)) == 0)
            log_always(c, WACTOR_LOG_ERROR, "trap: %s", d->message);
        else
            log_always(c, WACTOR_LOG_ERROR, "trap: %s: %s", kind_name, d->message);
        set_state(c, WACTOR_FAILED, d);
        set_exit(c, kind, exit_code);
        if (c->traps) atomic_fetch_add(c->traps, 1);
        reply_error(job_reply(c), -ENOTRECOVERABLE, d);
    }
    if (c->job == JOB_START) {
        actor_future_release(c->started);
        c->started = NULL;
    }
    job_end(c);
    eng_instance_free(c->inst);
    c->inst = NULL;
    return ACTOR_STOP;
}

/* ------------------------------------------------------------------ running guest code */

/* Runs one slice of the current call (starting it when `fn` is non-NULL). */
static eng_status run_slice(component *c, const char *fn, const wactor_value *args, size_t nargs,
                            wactor_diag *d) {
    uint64_t budget = c->slice;
    uint64_t fuel = c->job == JOB_START ? c->start_fuel : c->fuel; /* start-up has its own budget, always set */
    if (fuel) {
        if (c->used >= fuel) {
            eng_abort(c->inst, WACTOR_TRAP_FUEL_EXHAUSTED, "fuel exhausted");
            diag_set(d, WACTOR_TRAP_FUEL_EXHAUSTED, "fuel exhausted after %llu instructions",
                     (unsigned long long)c->used);
            return ENG_TRAPPED;
        }
        if (fuel - c->used < budget) budget = fuel - c->used;
    }
    uint64_t executed = 0;
    uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
    eng_status st = fn == START_SECTION ? eng_instance_start(c->inst, budget, &executed, d)
                    : fn              ? eng_call(c->inst, fn, args, nargs, budget, &executed, d)
                                      : eng_resume(c->inst, budget, &executed, d);
    c->used += executed;
    publish_usage(c, executed, clock_ns(CLOCK_MONOTONIC) - t0);
    if (st == ENG_SUSPENDED && c->job == JOB_CLEANUP && clock_ns(CLOCK_MONOTONIC) >= c->deadline_ns) {
        /* OTP: a child that does not stop within its shutdown time is killed, and its reason is `killed` */
        eng_abort(c->inst, WACTOR_TRAP_OTHER, "_cleanup timed out");
        log_always(c, WACTOR_LOG_WARN, "_cleanup timed out (its shutdown timeout): killed");
        c->cleanup_overran = true;
        return ENG_DONE; /* the cleanup is over either way */
    }
    return st;
}

static actor_result start_phase(component *c);
static actor_result job_done(component *c);

/* Handles the outcome of a slice. */
static actor_result after_slice(component *c, eng_status st, wactor_diag *d) {
    switch (st) {
    case ENG_SUSPENDED: return ACTOR_YIELD;
    case ENG_TRAPPED: return fail(c, d);
    case ENG_DONE: return job_done(c);
    case ENG_ERROR: break;
    }
    /* The call could not start: an error for the requester, not a fault of the instance. */
    if (c->job == JOB_CLEANUP) {
        job_end(c);
        return ACTOR_STOP;
    }
    reply_error(job_reply(c), strncmp(d->message, "unknown export", 14) == 0 ? -ENOENT : -EINVAL, d);
    job_end(c);
    return ACTOR_CONTINUE;
}

static actor_result call(component *c, const char *fn, const wactor_value *args, size_t nargs) {
    wactor_diag d = {0};
    return after_slice(c, run_slice(c, fn, args, nargs, &d), &d);
}

static bool has_export(component *c, const char *name, eng_functype *sig) {
    return eng_module_has_func(c->module, name, sig);
}

/* START: after instantiation, the start section, `_initialize` and `_start` (PHASE_*), each if present. */
static actor_result start_phase(component *c) {
    while (c->phase < PHASES) {
        if (c->phase == PHASE_START_SECTION) return call(c, START_SECTION, NULL, 0); /* ENG_DONE if none */
        const char *fn = start_phase_names[c->phase];
        if (has_export(c, fn, NULL)) return call(c, fn, NULL, 0); /* its signature was checked at start */
        c->phase++;
    }
    set_state(c, WACTOR_READY, NULL);
    reply_ok(c->started, NULL, 0);
    actor_future_release(c->started);
    c->started = NULL;
    job_end(c);
    return ACTOR_CONTINUE;
}

static actor_result job_done(component *c) {
    switch (c->job) {
    case JOB_START:
        c->phase++;
        return start_phase(c);
    case JOB_HANDLER:
        component_count(c, COUNT_DELIVERED);
        /* a request the handler did not answer is answered now, so the requester never waits in vain */
        if (c->msg && c->msg->reply) reply_error(c->msg->reply, -ENOSYS, NULL);
        break;
    case JOB_INVOKE: {
        wactor_value results[ENG_MAX_PARAMS];
        size_t n = eng_call_results(c->inst, results, ENG_MAX_PARAMS);
        if (c->codec) {
            uint8_t *out = NULL;
            size_t out_len = 0;
            wactor_error err = codec_encode_results(c->codec, results, n, &out, &out_len);
            if (err) reply_error(c->msg->reply, wactor_error_to_errno(err), NULL); /* codec speaks wactor_error */
            else reply_ok(c->msg->reply, out, out_len);
        } else {
            wactor_value *copy = malloc(n ? n * sizeof *copy : 1);
            if (copy) memcpy(copy, results, n * sizeof *copy);
            if (copy) reply_ok(c->msg->reply, copy, n * sizeof *copy);
            else reply_error(c->msg->reply, -ENOMEM, NULL);
        }
        break;
    }
    case JOB_HEALTH: {
        wactor_value r = {0};
        eng_call_results(c->inst, &r, 1);
        component_health *h = calloc(1, sizeof *h);
        if (!h) {
            reply_error(c->msg->reply, -ENOMEM, NULL);
            break;
        }
        h->status = r.of.i32 == 0 ? WACTOR_HEALTHY : r.of.i32 == 1 ? WACTOR_DEGRADED : WACTOR_UNHEALTHY;
        snprintf(h->reason, sizeof h->reason, "%s", c->health_reason);
        reply_ok(c->msg->reply, h, sizeof *h);
        break;
    }
    case JOB_CLEANUP:
        if (c->cleanup_overran) {
            actor_exit killed = {.kind = ACTOR_EXIT_KILLED};
            actor_set_exit(c->self, &killed);
        }
        job_end(c);
        return ACTOR_STOP;
    case JOB_NONE:
        break;
    }
    job_end(c);
    return ACTOR_CONTINUE;
}

/* ------------------------------------------------------------------ message kinds */

static actor_result on_start(component *c) {
    c->job = JOB_START;
    c->phase = PHASE_START_SECTION;
    set_state(c, WACTOR_STARTING, NULL);
    size_t nhost = 0;
    const eng_host_func *host = component_host_funcs(&nhost);
    eng_instance_opts opts = {
        .max_pages = c->memory_pages, .imports = host, .nimports = nhost, .wasi = &c->wasi, .user = c,
        .defer_start = true, /* the start section runs in slices, on start_fuel, like _initialize/_start */
        .max_table_elems = c->table_elements,
    };
    wactor_diag d = {0};
    c->inbox = c->inbox_cap = 0;
    int rc = component_check_exports(c->module, &c->handlers, &d);
    if (rc == 0 && (component_wasi_open(c, &d) != 0 || eng_instance_new(c->module, &opts, &c->inst, &d) != 0))
        rc = -ENOEXEC;
    if (rc != 0) {
        c->inst = NULL;
        if (d.trap == WACTOR_TRAP_NONE) {
            /* not a trap: the module cannot be instantiated here (unknown import, memory over the cap, a
             * WASI directory that cannot be opened, an export with the wrong signature) */
            log_always(c, WACTOR_LOG_ERROR, "%s", d.message);
            set_state(c, WACTOR_FAILED, &d);
            set_exit(c, WACTOR_TRAP_START, 0);
            reply_error(c->started, -ENOEXEC, &d);
            actor_future_release(c->started);
            c->started = NULL;
            job_end(c);
            return ACTOR_STOP;
        }
        return fail(c, &d);
    }
    return start_phase(c);
}

/* The most the inbox may hold, in bytes: one payload of max_message_bytes plus its sender address (or a
 * down reason), each 8-byte aligned. A payload over max_message_bytes never reaches it, so a sender cannot
 * make the host grow a guest's inbox (and its memory) past what the guest was configured to accept. */
#define INBOX_SLACK 512u
static uint64_t inbox_limit(const component *c) { return (uint64_t)c->max_message_bytes + INBOX_SLACK; }

/* Makes the inbox at least `need` (<= inbox_limit) bytes: cabi_realloc(inbox, inbox_cap, 8, new_cap),
 * doubling from 256 up to inbox_limit. The old contents need not survive (the caller rewrites them). */
static bool grow_inbox(component *c, uint32_t need, wactor_diag *d) {
    if (need <= c->inbox_cap) return true;
    uint64_t cap = c->inbox_cap ? (uint64_t)c->inbox_cap * 2 : 256, limit = inbox_limit(c);
    while (cap < need) cap *= 2;
    if (cap > limit) cap = limit > need ? limit : need;
    if (cap > UINT32_MAX / 2) cap = need;
    wactor_value args[4] = {{.type = WACTOR_I32, .of.i32 = (int32_t)c->inbox},
                            {.type = WACTOR_I32, .of.i32 = (int32_t)c->inbox_cap},
                            {.type = WACTOR_I32, .of.i32 = 8},
                            {.type = WACTOR_I32, .of.i32 = (int32_t)cap}};
    uint64_t executed = 0, budget = HELPER_BUDGET + (uint64_t)HELPER_BUDGET_PER_BYTE * c->inbox_cap;
    eng_status st = eng_call(c->inst, "cabi_realloc", args, 4, budget, &executed, d);
    if (st == ENG_SUSPENDED) {
        eng_abort(c->inst, WACTOR_TRAP_FUEL_EXHAUSTED, "cabi_realloc did not return");
        diag_set(d, WACTOR_TRAP_FUEL_EXHAUSTED, "cabi_realloc ran over %" PRIu64 " instructions", budget);
        return false;
    }
    if (st == ENG_ERROR) {
        eng_abort(c->inst, WACTOR_TRAP_HOST, d->message);
        d->trap = WACTOR_TRAP_HOST;
        return false;
    }
    if (st != ENG_DONE) return false;
    wactor_value r;
    eng_call_results(c->inst, &r, 1);
    if (r.of.i32 == 0 || !eng_instance_mem(c->inst, (uint32_t)r.of.i32, (uint32_t)cap)) {
        eng_abort(c->inst, WACTOR_TRAP_HOST, "cabi_realloc returned a bad pointer");
        diag_set(d, WACTOR_TRAP_HOST, "cabi_realloc(%u, %u, 8, %u) returned %d, outside memory", c->inbox,
                 c->inbox_cap, (uint32_t)cap, r.of.i32);
        return false;
    }
    c->inbox = (uint32_t)r.of.i32;
    c->inbox_cap = (uint32_t)cap;
    return true;
}

/* Copies `n` buffers into the inbox, each at an 8-byte aligned offset; ptrs[i] receives each one's guest
 * address (the inbox's, possibly 0, for empty buffers). Returns 0; -EMSGSIZE if they need more than
 * inbox_limit (nothing done: the message is refused, the guest is not at fault); -1 if the guest's
 * cabi_realloc failed (the instance is dead, `d` says why). */
static int place(component *c, const void *const *bufs, const uint32_t *lens, size_t n, uint32_t *ptrs,
                 wactor_diag *d) {
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += ((uint64_t)lens[i] + 7) & ~(uint64_t)7;
    if (total > inbox_limit(c) || total > UINT32_MAX / 2) {
        diag_set(d, WACTOR_TRAP_NONE, "%llu bytes are over the inbox limit of %llu (max_message_bytes %u)",
                 (unsigned long long)total, (unsigned long long)inbox_limit(c), c->max_message_bytes);
        return -EMSGSIZE;
    }
    if (!grow_inbox(c, (uint32_t)total, d)) return -1;
    uint8_t *base = total ? eng_instance_mem(c->inst, c->inbox, (uint32_t)total) : NULL;
    uint32_t off = 0;
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = c->inbox + off;
        if (lens[i]) memcpy(base + off, bufs[i], lens[i]);
        off += (lens[i] + 7) & ~7u;
    }
    return 0;
}

/* Drops `msg` as a dead letter: logged, counted, a request answered with `rc` (-ENOSYS: no handler). */
static actor_result drop(component *c, actor_msg *msg, int rc, const char *why) {
    component_diag(c, WACTOR_LOG_WARN, "warning: message dropped (dead letter): %s", why);
    component_count(c, COUNT_DEAD_LETTER);
    if (msg->reply) {
        wactor_diag d;
        diag_set(&d, WACTOR_TRAP_NONE, "%s", why);
        reply_error(msg->reply, rc, &d);
    }
    actor_msg_free(msg);
    return ACTOR_CONTINUE;
}

static actor_result dead_letter(component *c, actor_msg *msg, const char *why) { return drop(c, msg, -ENOSYS, why); }

/* Starts a handler export (handle-message / -reply / -down) for `msg`, after placing `nbufs` (at most 2)
 * buffers in the inbox; their guest pointers and lengths replace args[ptr_at[i]] and args[ptr_at[i] + 1]. */
static actor_result run_handler(component *c, actor_msg *msg, const char *export, wactor_value *args, size_t nargs,
                                const void *const *bufs, const uint32_t *lens, const size_t *ptr_at, size_t nbufs) {
    c->job = JOB_HANDLER;
    c->msg = msg;
    wactor_diag d = {0};
    uint32_t ptrs[2];
    int rc = place(c, bufs, lens, nbufs, ptrs, &d);
    if (rc == -EMSGSIZE) {
        c->job = JOB_NONE;
        c->msg = NULL;
        return drop(c, msg, -EMSGSIZE, d.message);
    }
    if (rc != 0) return fail(c, &d);
    for (size_t i = 0; i < nbufs; i++) {
        args[ptr_at[i]] = (wactor_value){.type = WACTOR_I32, .of.i32 = (int32_t)ptrs[i]};
        args[ptr_at[i] + 1] = (wactor_value){.type = WACTOR_I32, .of.i32 = (int32_t)lens[i]};
    }
    return call(c, export, args, nargs);
}

static bool has_handler(component *c, unsigned which) { return (c->handlers & which) != 0; }

static actor_result on_message(component *c, actor_msg *msg) {
    if (!c->inst) return dead_letter(c, msg, "component is not running");
    if (!has_handler(c, HANDLES_MESSAGE))
        return dead_letter(c, msg, "no handle-message(i32, i32, i32, i32) export (or no cabi_realloc)");
    const uint8_t *payload;
    size_t len;
    component_msg_split(msg, &payload, &len);
    if (len > c->max_message_bytes) {
        char why[128];
        snprintf(why, sizeof why, "a message of %zu bytes is over max_message_bytes (%u)", len, c->max_message_bytes);
        return drop(c, msg, -EMSGSIZE, why);
    }
    char sender[272]; /* a registered name (up to 255 bytes), "#<pid>" or "host" */
    component_address(c->sys, msg->from, sender, sizeof sender);
    wactor_value args[4];
    const void *bufs[2] = {sender, payload};
    uint32_t lens[2] = {(uint32_t)strlen(sender), (uint32_t)len};
    size_t at[2] = {0, 2};
    return run_handler(c, msg, "handle-message", args, 4, bufs, lens, at, 2);
}

/* The answer to one of this component's requests, or its timeout: both are ACTOR_MSG_REPLY (the timeout
 * is one the component sent itself, with status -ETIMEDOUT); whichever comes first is delivered. */
static actor_result on_reply(component *c, actor_msg *msg) {
    if (!component_pending_take(c, msg->corr)) { /* answered already, or timed out: nothing to deliver */
        actor_msg_free(msg);
        return ACTOR_CONTINUE;
    }
    if (!c->inst) return dead_letter(c, msg, "component is not running");
    if (!has_handler(c, HANDLES_REPLY))
        return dead_letter(c, msg, "a reply arrived, but there is no handle-reply(i64, i32, i32, i32) export");
    actor_reply hdr = {.status = -ENOMEM};
    if (msg->len >= sizeof hdr) memcpy(&hdr, msg->data, sizeof hdr);
    /* the status is an errno value (the target's reply, the actor layer's -ENOENT for a dropped request,
     * the timeout's -ETIMEDOUT); the guest sees it as its negated public code, like a host function's */
    int32_t status = -(int32_t)wactor_error_from_errno(hdr.status);
    const void *payload = msg->data + sizeof hdr;
    size_t body = status == 0 && msg->len >= sizeof hdr ? msg->len - sizeof hdr : 0;
    if (body > c->max_message_bytes) { /* a reply it is not configured to accept: the error, not the bytes */
        status = -(int32_t)WACTOR_ETOOBIG;
        body = 0;
    }
    uint32_t len = (uint32_t)body;
    wactor_value args[4] = {{.type = WACTOR_I64, .of.i64 = (int64_t)msg->corr}, {.type = WACTOR_I32, .of.i32 = status}};
    const void *bufs[1] = {payload};
    size_t at[1] = {2};
    return run_handler(c, msg, "handle-reply", args, 4, bufs, &len, at, 1);
}

/* A monitor fired. */
static actor_result on_down(component *c, actor_msg *msg) {
    if (component_down_notice(c, msg)) return ACTOR_CONTINUE; /* host.c's own (a spawned child ended) */
    if (!c->inst) return dead_letter(c, msg, "component is not running");
    if (msg->len < sizeof(actor_down)) return dead_letter(c, msg, "malformed down notice");
    if (!has_handler(c, HANDLES_DOWN))
        return dead_letter(c, msg, "a monitor fired, but there is no handle-down(i64, i64, i32, i32) export");
    actor_down down;
    memcpy(&down, msg->data, sizeof down);
    static const char *const kinds[] = {"normal", "shutdown", "killed", "", "noproc"};
    const char *reason = down.reason.kind == ACTOR_EXIT_ERROR ? down.reason.text
                         : (unsigned)down.reason.kind < 5    ? kinds[down.reason.kind]
                                                             : "unknown";
    char text[sizeof down.reason.text];
    snprintf(text, sizeof text, "%s", reason);
    wactor_value args[4] = {{.type = WACTOR_I64, .of.i64 = (int64_t)down.ref},
                            {.type = WACTOR_I64, .of.i64 = (int64_t)down.who}};
    const void *bufs[1] = {text};
    uint32_t len = (uint32_t)strlen(text);
    size_t at[1] = {2};
    return run_handler(c, msg, "handle-down", args, 4, bufs, &len, at, 1);
}

static actor_result on_invoke(component *c, actor_msg *msg) {
    c->job = JOB_INVOKE;
    c->msg = msg;
    const char *fn = (const char *)msg->data;
    size_t fn_len = strnlen(fn, msg->len);
    wactor_diag d = {0};
    if (!c->inst) {
        reply_error(msg->reply, -EBUSY, NULL);
        job_end(c);
        return ACTOR_CONTINUE;
    }
    if (fn_len == msg->len || !has_export(c, fn, &c->sig)) {
        int shown = (int)(fn_len < 128 ? fn_len : 128); /* the name may be of any length */
        diag_set(&d, WACTOR_TRAP_NONE, "unknown export '%.*s'", shown, fn);
        reply_error(msg->reply, -ENOENT, &d);
        job_end(c);
        return ACTOR_CONTINUE;
    }
    const uint8_t *rest = msg->data + fn_len + 1;
    size_t rest_len = msg->len - fn_len - 1;
    wactor_value args[ENG_MAX_PARAMS];
    if (msg->ext) { /* typed values */
        size_t nargs = rest_len / sizeof(wactor_value);
        memcpy(args, msg->ext, (nargs < ENG_MAX_PARAMS ? nargs : ENG_MAX_PARAMS) * sizeof *args);
        int err = 0;
        if (nargs != c->sig.nparams) {
            err = -EDOM;
            diag_set(&d, WACTOR_TRAP_NONE, "%s expects %u arguments, got %zu", fn, c->sig.nparams, nargs);
        }
        for (size_t i = 0; !err && i < nargs; i++)
            if (args[i].type != c->sig.params[i]) {
                err = -ERANGE;
                diag_set(&d, WACTOR_TRAP_NONE, "argument %zu: expected %s, got %s", i + 1,
                         codec_valtype_name(c->sig.params[i]), codec_valtype_name(args[i].type));
            }
        if (err) {
            reply_error(msg->reply, err, &d);
            job_end(c);
            return ACTOR_CONTINUE;
        }
        return call(c, fn, args, nargs);
    }
    const uint8_t *body;
    size_t body_len;
    wactor_error err = codec_split(rest, rest_len, &c->codec, &body, &body_len, d.message, sizeof d.message);
    if (!err)
        err = codec_decode_args(rest, rest_len, c->sig.params, c->sig.nparams, args, d.message, sizeof d.message);
    if (err) {
        reply_error(msg->reply, wactor_error_to_errno(err), &d); /* the codec layer speaks wactor_error */
        job_end(c);
        return ACTOR_CONTINUE;
    }
    return call(c, fn, args, c->sig.nparams);
}

static actor_result on_health(component *c, actor_msg *msg) {
    c->job = JOB_HEALTH;
    c->msg = msg;
    c->health_reason[0] = 0;
    eng_functype sig;
    if (!c->inst) {
        reply_error(msg->reply, -EBUSY, NULL);
        job_end(c);
        return ACTOR_CONTINUE;
    }
    if (!has_export(c, "_health", &sig) || sig.nparams != 0 || sig.nresults != 1 || sig.results[0] != WACTOR_I32) {
        component_health *h = calloc(1, sizeof *h); /* no (usable) export: healthy */
        if (h) reply_ok(msg->reply, h, sizeof *h);
        else reply_error(msg->reply, -ENOMEM, NULL);
        job_end(c);
        return ACTOR_CONTINUE;
    }
    return call(c, "_health", NULL, 0);
}

static actor_result on_stop(component *c, actor_msg *msg) {
    uint32_t timeout_ms = WACTOR_DEFAULT_STOP_MS;
    if (msg->len == sizeof timeout_ms) memcpy(&timeout_ms, msg->data, sizeof timeout_ms);
    if (msg->from != 0) { /* stopped by another actor, its supervisor: OTP's reason is `shutdown` */
        actor_exit reason = {.kind = ACTOR_EXIT_SHUTDOWN};
        actor_set_exit(c->self, &reason);
    }
    actor_msg_free(msg);
    if (!c->inst || !has_export(c, "_cleanup", NULL)) return ACTOR_STOP;
    set_state(c, WACTOR_STOPPING, NULL);
    c->job = JOB_CLEANUP;
    c->deadline_ns = clock_ns(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * 1000000u;
    return call(c, "_cleanup", NULL, 0);
}

/* ------------------------------------------------------------------ the behaviour */

static actor_result component_receive(actor *self, actor_msg *msg) {
    component *c = actor_state(self);
    c->self = self;
    switch (msg->type) {
    case COMPONENT_MSG_START:
        c->started = msg->reply;
        msg->reply = NULL;
        actor_msg_free(msg);
        return on_start(c);
    case COMPONENT_MSG_MESSAGE:
    case COMPONENT_MSG_PUBLICATION: return on_message(c, msg);
    case ACTOR_MSG_REPLY: return on_reply(c, msg);
    case ACTOR_MSG_DOWN: return on_down(c, msg);
    case COMPONENT_MSG_INVOKE: return on_invoke(c, msg);
    case COMPONENT_MSG_HEALTH: return on_health(c, msg);
    case ACTOR_MSG_STOP: return on_stop(c, msg);
    default: return dead_letter(c, msg, "unknown message type");
    }
}

static actor_result component_resume(actor *self) {
    component *c = actor_state(self);
    if (c->job == JOB_NONE) return ACTOR_CONTINUE;
    wactor_diag d = {0};
    return after_slice(c, run_slice(c, NULL, NULL, 0, &d), &d);
}

static void component_terminate(actor *self, bool killed) {
    component *c = actor_state(self);
    component_log_flush(c);
    if (c->job != JOB_NONE) {
        wactor_diag d;
        diag_set(&d, WACTOR_TRAP_NONE, "component %s", killed ? "killed" : "stopped");
        reply_error(job_reply(c), -EBUSY, &d);
    }
    if (c->started) { /* killed before its start finished */
        reply_error(c->started, -EBUSY, NULL);
        actor_future_release(c->started);
    }
    actor_msg_free(c->msg);
    if (get_state(c) != WACTOR_FAILED) set_state(c, WACTOR_TERMINATED, NULL);
    if (c->subscribed && c->broker) broker_unsubscribe_all(c->broker, c->id); /* subscriptions end with it */
    component_pending_clear(c); /* nobody will want these timeouts now */
    component_idmap_clear(&c->children, NULL, NULL);
    component_caps_release(c->caps);
    eng_instance_free(c->inst);
    component_wasi_free(c); /* after the instance: closes its WASI fds */
    eng_module_release(c->module);
    component_info_release(c->info);
    free(c->name);
    free(c);
}

static const actor_behaviour component_behaviour = {
    .name = "component",
    .receive = component_receive,
    .resume = component_resume,
    .terminate = component_terminate,
};

int component_spawn(actor_system *sys, const component_config *cfg, actor_future *started, actor_id *out,
                    component_info **info_out) {
    component *c = calloc(1, sizeof *c);
    if (!c) return -ENOMEM;
    c->info = component_info_new();
    c->name = cfg->name ? strdup(cfg->name) : NULL;
    c->caps = cfg->grants ? cfg->grants : cfg->caps ? component_caps_new(cfg->caps) : NULL;
    if (cfg->grants) component_caps_retain(cfg->grants);
    int wasi_rc = component_wasi_copy(cfg->wasi, &c->wasi_cfg, NULL);
    if (!c->info || (cfg->name && !c->name) || (cfg->caps && !c->caps) || wasi_rc) {
        free(c->wasi_cfg);
        component_caps_release(c->caps);
        component_info_release(c->info);
        free(c->name);
        free(c);
        return wasi_rc ? wasi_rc : -ENOMEM;
    }
    c->sys = sys;
    c->info->snap.module_hash = eng_module_hash(cfg->module); /* before anyone else can read it */
    c->module = cfg->module;
    eng_module_retain(c->module);
    c->memory_pages = cfg->memory_pages ? cfg->memory_pages : WACTOR_DEFAULT_MEMORY_PAGES;
    c->fuel = cfg->fuel;
    c->slice = cfg->slice ? cfg->slice : COMPONENT_DEFAULT_SLICE;
    c->log = cfg->log;
    c->log_user = cfg->log_user;
    c->log_level = cfg->log_level;
    c->log_diag_per_sec = cfg->log_diag_per_sec ? cfg->log_diag_per_sec : WACTOR_DEFAULT_LOG_DIAG_PER_SEC;
    c->traps = cfg->traps;
    c->dead_letters = cfg->dead_letters;
    c->delivered = cfg->delivered;
    c->refused = cfg->refused;
    c->broker = cfg->broker;
    c->max_message_bytes = cfg->max_message_bytes ? cfg->max_message_bytes : WACTOR_DEFAULT_MAX_MESSAGE_BYTES;
    c->spawn = cfg->spawn;
    c->spawn_user = cfg->spawn_user;
#define LIMIT_OR_DEFAULT(field, def) c->field = cfg->field ? cfg->field : (def)
    LIMIT_OR_DEFAULT(mailbox_bytes, WACTOR_DEFAULT_MAILBOX_BYTES);
    LIMIT_OR_DEFAULT(start_fuel, WACTOR_DEFAULT_START_FUEL);
    LIMIT_OR_DEFAULT(table_elements, WACTOR_DEFAULT_TABLE_ELEMENTS);
    LIMIT_OR_DEFAULT(max_spawned, WACTOR_DEFAULT_MAX_SPAWNED);
    LIMIT_OR_DEFAULT(max_requests, WACTOR_DEFAULT_MAX_REQUESTS);
    LIMIT_OR_DEFAULT(max_subscriptions, WACTOR_DEFAULT_MAX_SUBSCRIPTIONS);
    LIMIT_OR_DEFAULT(max_monitors, WACTOR_DEFAULT_MAX_MONITORS);
    LIMIT_OR_DEFAULT(max_links, WACTOR_DEFAULT_MAX_LINKS);
    LIMIT_OR_DEFAULT(log_bytes_per_sec, WACTOR_DEFAULT_LOG_BYTES_PER_SEC);
#undef LIMIT_OR_DEFAULT
    component_log_init(c);
    component_info *info = c->info;
    component_info_retain(info);

    actor_id id = 0;
    /* The actor layer enforces the mailbox bounds, and backs up host.c's counts of monitors and links (the
     * host also monitors each instance the guest spawned: max_spawned more monitors). */
    actor_spawn_opts opts = {.link = cfg->link,
                             .mailbox_capacity = cfg->mailbox ? cfg->mailbox : WACTOR_DEFAULT_MAILBOX,
                             .mailbox_max_bytes = (size_t)c->mailbox_bytes,
                             .max_monitors = c->max_monitors > UINT32_MAX - c->max_spawned
                                                 ? UINT32_MAX : c->max_monitors + c->max_spawned,
                             .max_links = c->max_links,
                             .max_message_bytes = c->max_message_bytes, /* checked before delivery */
                             .msg_first = COMPONENT_MSG_FIRST, .msg_last = COMPONENT_MSG_LAST};
    int rc = actor_spawn_opt(sys, &component_behaviour, c, &opts, &id);
    if (rc != 0) {
        free(c->wasi_cfg);
        eng_module_release(c->module);
        component_caps_release(c->caps);
        component_info_release(c->info);
        component_info_release(info);
        free(c->name);
        free(c);
        return rc;
    }
    /* the actor has not run yet: it cannot before it gets a message, so its id and name can be set here,
     * and its name registered before anything can make it exit */
    c->id = id;
    if (cfg->name && (rc = registry_register_name(actor_system_registry(sys), cfg->name, id)) != 0) {
        actor_kill(sys, id);
        component_info_release(info);
        return rc;
    }
    if (!c->name) {
        char buf[32];
        snprintf(buf, sizeof buf, "#%llu", (unsigned long long)id);
        c->name = strdup(buf);
    }
    actor_msg *start = actor_msg_new(COMPONENT_MSG_START, 0, NULL, 0);
    if (start && started) {
        actor_future_retain(started);
        start->reply = started;
    }
    /* a caller that waits for the start runs it itself: no hand-off to a scheduler thread and back */
    rc = !start ? -ENOMEM : started ? actor_send_run(sys, id, start) : actor_send(sys, id, start);
    if (rc != 0) {
        actor_kill(sys, id);
        component_info_release(info);
        return rc;
    }
    *out = id;
    if (info_out) *info_out = info;
    else component_info_release(info);
    return 0;
}

/* ------------------------------------------------------------------ message builders */

actor_msg *component_msg_message(actor_id from, const void *payload, size_t len) {
    return actor_msg_new(COMPONENT_MSG_MESSAGE, from, payload, len);
}

actor_msg *component_msg_publication(actor_id from, const char *topic, const void *payload, size_t len) {
    size_t tlen = strlen(topic);
    if (len > SIZE_MAX - tlen - 1) return NULL;
    actor_msg *m = actor_msg_new(COMPONENT_MSG_PUBLICATION, from, NULL, tlen + 1 + len);
    if (!m) return NULL;
    memcpy(m->data, topic, tlen + 1);
    if (len) memcpy(m->data + tlen + 1, payload, len);
    return m;
}

const char *component_msg_split(const actor_msg *m, const uint8_t **payload, size_t *len) {
    if (m->type != COMPONENT_MSG_PUBLICATION) {
        *payload = m->data;
        *len = m->len;
        return NULL;
    }
    size_t tlen = strnlen((const char *)m->data, m->len);
    size_t skip = tlen < m->len ? tlen + 1 : m->len; /* always NUL-terminated when built above */
    *payload = m->data + skip;
    *len = m->len - skip;
    return (const char *)m->data;
}

static actor_msg *invoke_msg(const char *function, const void *tail, size_t tail_len, actor_future *reply) {
    size_t fn_len = strlen(function);
    actor_msg *m = actor_msg_new(COMPONENT_MSG_INVOKE, 0, NULL, fn_len + 1 + tail_len);
    if (!m) return NULL;
    memcpy(m->data, function, fn_len + 1);
    if (tail_len) memcpy(m->data + fn_len + 1, tail, tail_len);
    if (reply) {
        actor_future_retain(reply);
        m->reply = reply;
    }
    return m;
}

actor_msg *component_msg_invoke(const char *function, const void *args, size_t len, actor_future *reply) {
    return invoke_msg(function, args, len, reply);
}

actor_msg *component_msg_invoke_values(const char *function, const wactor_value *args, size_t nargs,
                                       actor_future *reply) {
    actor_msg *m = invoke_msg(function, args, nargs * sizeof *args, reply);
    if (!m) return NULL;
    m->ext = malloc(nargs ? nargs * sizeof *args : 1); /* aligned copy of the values */
    if (!m->ext) {
        actor_msg_free(m);
        return NULL;
    }
    if (nargs) memcpy(m->ext, args, nargs * sizeof *args);
    return m;
}

actor_msg *component_msg_health(actor_future *reply) {
    actor_msg *m = actor_msg_new(COMPONENT_MSG_HEALTH, 0, NULL, 0);
    if (m && reply) {
        actor_future_retain(reply);
        m->reply = reply;
    }
    return m;
}

actor_msg *component_msg_stop(uint32_t cleanup_timeout_ms) {
    return actor_msg_new(ACTOR_MSG_STOP, 0, &cleanup_timeout_ms, sizeof cleanup_timeout_ms);
}
