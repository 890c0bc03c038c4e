/*
 * wactor_host.h — host actors: the embedding program's own actors, beside the components, under the same
 * supervisors (issue 15; docs/ARCHITECTURE.md, "Host actors").
 *
 * A host actor is native C code of the embedding program run as an actor of the runtime: a behaviour (the
 * callbacks below), private state and a mailbox. It gets a pid and a registered name in the same registry
 * as components, so components reach it with the guest ABI exactly as they reach each other
 * (`wactor.send`, `wactor.request` — answered with wactor_host_reply —, `monitor`, `link`; each checked
 * against the *component's* grants as usual), and the embedding API reaches it too (wactor_send,
 * wactor_ask, wactor_stop, wactor_info, wactor_totals). It may itself send, request, publish, subscribe,
 * monitor, link and exit with a reason, each checked against the wactor_caps it was spawned with (deny by
 * default, the same rules as a component's, docs/ABI.md "Capabilities"). It is counted like a component
 * (wactor_info, wactor_totals, wactor_stats) and a supervisor starts, restarts and stops it like one
 * (wactor_child_spec.host, or a manifest child `host: KIND` for a kind registered with
 * wactor_host_register_kind), emitting the same events.
 *
 * This follows the seeds' two-kinds-of-actor system (airssys-rt's Actor::handle_message and the Child
 * lifecycle pre_start / post_start / pre_stop / post_stop) and Erlang's dirty schedulers for blocking work
 * (erl_nif(3), "Dirty NIFs").
 *
 * Threads. A NON-blocking host actor's callbacks run like every actor's: on a scheduler thread, or on a
 * thread blocked in a wactor_* call that runs the actor's turn inline (wactor_ask, wactor_stop,
 * wactor_host_spawn, ...: include/wactor.h, "Calls that wait"). They must not block (no sleeping, no disk or
 * network waits, no wactor_ask/wactor_stop/wactor_wait_idle/wactor_host_ask): a blocked scheduler thread
 * stalls every actor queued behind it. A BLOCKING host actor (behaviour.blocking) has every callback run on
 * the runtime's blocking pool instead: wactor_config.blocking_threads threads (default
 * WACTOR_DEFAULT_BLOCKING_THREADS, 4), started when the first blocking host actor is spawned. Its
 * callbacks may block (a database call, a sleep, wactor_host_ask, any blocking wactor_* call except
 * wactor_runtime_destroy); while one runs the actor is parked and no scheduler thread is held. With more
 * busy blocking actors than pool threads, the others wait for a free thread (their messages queue).
 * Either kind runs one callback at a time, never two concurrently, one message at a time in mailbox
 * order, as every actor. wactor_wait_idle() does not wait for a blocking callback in progress (only for
 * queued messages); wactor_runtime_destroy() does: it stops every actor as usual, then lets the blocking
 * callbacks queued or running return — a callback that never returns makes it wait forever.
 *
 * Context. Each callback receives a wactor_host_ctx: valid during that call only, and only on the thread
 * running it. The wactor_host_* functions taking a ctx check that (called elsewhere they return
 * WACTOR_ESTATE and do nothing). Besides them, a callback may call the thread-safe non-blocking embedding
 * functions (wactor_send, wactor_publish, wactor_whereis, wactor_info, ...) — these act as "host" (pid 0)
 * and bypass the actor's own grants, which is the embedding program's choice to make.
 *
 * Messages. Everything a callback is given (msg, its payload and topic, reasons) is owned by the runtime
 * and valid during the call only: copy what you keep. Everything a host actor sends is copied. Payloads
 * should begin with a multicodec varint (docs/ABI.md, "Messages"), as components expect.
 *
 * Health: wactor_health() (and a supervisor's health probe, wactor_child_spec.health_interval_ms) is
 * answered "healthy" whenever the actor takes the probe from its mailbox — so a blocking actor stuck in a
 * callback does not answer, and its supervisor counts it unhealthy. wactor_invoke* has nothing to call
 * (WACTOR_ENOENT).
 *
 * Limits (the same as a component's, wactor_spawn_opts, 0 = the WACTOR_DEFAULT_* of wactor.h): mailbox
 * (messages, default 1024) and mailbox_bytes (default 64 MiB) — a send to its full mailbox is refused
 * (WACTOR_EFULL / the guest's WACTOR_ERR_FULL), never dropped silently; max_message_bytes (16 MiB, both
 * directions); max_requests (1024 outstanding wactor_host_request), max_subscriptions (256), max_monitors
 * (1024), max_links (1024): one more is WACTOR_ELIMIT. The fields for WebAssembly (memory_pages, fuel,
 * start_fuel, table_elements, max_spawned, log_bytes_per_sec, wasi) do not apply and are ignored.
 */
#ifndef WACTOR_HOST_H
#define WACTOR_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wactor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Threads of the blocking pool when wactor_config.blocking_threads is 0. */
#define WACTOR_DEFAULT_BLOCKING_THREADS 4u
/* The most a configuration may ask for. */
#define WACTOR_MAX_BLOCKING_THREADS 256u

typedef struct wactor_host_ctx wactor_host_ctx;

/* Why an actor ended (Erlang/OTP reference manual, "Processes", exit reasons). */
typedef enum wactor_exit_kind {
    WACTOR_EXIT_NORMAL = 0,   /* ended by itself without error, or stopped by wactor_stop() */
    WACTOR_EXIT_SHUTDOWN,     /* stopped by its supervisor */
    WACTOR_EXIT_KILLED,       /* killed: brutal_kill, a shutdown timeout, runtime destroy */
    WACTOR_EXIT_ERROR,        /* abnormal: `code` and `text` say why (a supervisor restarts it) */
    WACTOR_EXIT_NOPROC        /* (monitors and links) the target did not exist */
} wactor_exit_kind;

typedef struct wactor_exit_reason {
    wactor_exit_kind kind;
    int code;                 /* WACTOR_EXIT_ERROR: a wactor_error, a trap kind, or the caller's own code */
    char text[128];           /* NUL-terminated, e.g. "integer divide by zero", "shutdown"; may be "" */
} wactor_exit_reason;

/* What a host actor receives. */
typedef enum wactor_host_msg_kind {
    WACTOR_HOST_MESSAGE,      /* a send (guest `send`, wactor_send, wactor_host_send) */
    WACTOR_HOST_REQUEST,      /* a request (guest `request`, wactor_ask, wactor_host_request): answer it
                                 with wactor_host_reply() during this call; unanswered, the requester gets
                                 WACTOR_ENOHANDLER when the call returns */
    WACTOR_HOST_PUBLICATION,  /* a publication on a topic it subscribed to (`topic` is set) */
    WACTOR_HOST_REPLY,        /* the outcome of its own wactor_host_request(): `corr` is what that call gave,
                                 `status` WACTOR_OK (payload: the answer) or the error (WACTOR_ETIMEDOUT,
                                 WACTOR_ENOENT: the target ended, WACTOR_ENOHANDLER: it did not answer, ...) */
    WACTOR_HOST_DOWN,         /* a monitored actor ended: `from` is it, `corr` the monitor's ref, `reason` why */
    WACTOR_HOST_EXIT          /* (behaviour.trap_exits only) a linked actor ended: `from`, `reason` */
} wactor_host_msg_kind;

typedef struct wactor_host_msg {
    wactor_host_msg_kind kind;
    wactor_pid from;          /* the sender (0: the embedding program, "host") */
    const char *topic;        /* PUBLICATION: the topic, NUL-terminated; else NULL */
    const void *payload;      /* MESSAGE, REQUEST, PUBLICATION, REPLY: `len` bytes (NULL when len is 0) */
    size_t len;
    uint64_t corr;            /* REPLY: the request's id; DOWN: the monitor's ref; else 0 */
    wactor_error status;      /* REPLY: WACTOR_OK or why there is no answer; else WACTOR_OK */
    wactor_exit_reason reason;/* DOWN, EXIT: why `from` ended */
} wactor_host_msg;

/* A host actor's behaviour. The struct (not the memory it points to) is copied at spawn. Every callback
 * except receive may be NULL. Callbacks run in this order for each instance (the seeds' Child order):
 *   pre_start -> post_start -> receive ... -> pre_stop -> post_stop
 * pre_stop runs when the actor ends by its own last turn: an orderly stop (wactor_stop, its supervisor's
 * shutdown, runtime destroy), wactor_host_exit(), receive returning an error, or pre_start failing. It does
 * NOT run when the actor is killed (brutal_kill, a shutdown timeout, a linked actor's abnormal exit):
 * nothing runs between the kill and post_stop. post_stop runs exactly once for every instance that got a
 * pid (wactor_host_spawn returned WACTOR_OK or WACTOR_ETRAP, or a supervisor started it), after the actor
 * is dead (its pid refuses sends, its name is free): the place to free the state. On a restart, the old
 * instance's pre_stop (unless killed) and post_stop run before its supervisor starts the new instance's
 * pre_start (a blocking instance killed in the middle of a callback: its post_stop runs when that
 * callback returns, which may be after the new instance started). */
typedef struct wactor_host_behaviour {
    const char *name;         /* display name in log lines and diagnostics (e.g. "kv"); may be NULL */
    bool blocking;            /* run every callback on the blocking pool (see "Threads" above) */
    bool trap_exits;          /* linked actors' exits arrive as WACTOR_HOST_EXIT instead of ending it
                                 (Erlang's process_flag(trap_exit, true)) */
    /* Before the actor counts as started; the state is what spawn was given (a supervisor: the child
     * spec's host_arg), and wactor_host_set_state() may replace it with a per-instance allocation. It may
     * send, subscribe, monitor, link. Returning anything but WACTOR_OK fails the start (wactor_host_spawn:
     * WACTOR_ETRAP, diag "pre_start: <error>"; a supervisor: start_failed) and the actor exits with that
     * error, pre_stop and post_stop running. */
    wactor_error (*pre_start)(wactor_host_ctx *ctx);
    /* After it counts as started (state ready, its messages flowing); wactor_host_spawn returns after it. */
    void (*post_start)(wactor_host_ctx *ctx);
    /* One message. WACTOR_OK: carry on. Any other value ends the actor abnormally (WACTOR_EXIT_ERROR, code
     * = the value, text "<name>: <wactor_strerror>"), as a trap ends a component: its supervisor restarts
     * it per the restart type. Required. */
    wactor_error (*receive)(wactor_host_ctx *ctx, const wactor_host_msg *msg);
    /* The actor is about to end with `reason` (see above); it may still send and reply. */
    void (*pre_stop)(wactor_host_ctx *ctx, const wactor_exit_reason *reason);
    /* The actor has ended with `reason`; `state` is its state as last set. No ctx: it is dead. Runs on a
     * scheduler thread, the blocking pool, or the thread that destroys the runtime. */
    void (*post_stop)(void *state, const wactor_exit_reason *reason);
} wactor_host_behaviour;

/* Spawns a host actor with `behaviour` (copied), initial state `state` (handed to the actor), and `opts`
 * (may be NULL): name (registered, copied), caps (what IT may do; copied), and the limits listed at the
 * top of this header. Runs pre_start and post_start, then returns the pid in *out.
 * Errors: WACTOR_EINVAL (behaviour or its receive NULL, out NULL, empty name), WACTOR_EEXIST (the name is
 * taken), WACTOR_ENOMEM, WACTOR_ESTATE (the runtime is being destroyed) — for these nothing ran and the
 * caller keeps `state`; WACTOR_ETRAP: pre_start failed (diag says how) or the actor was killed before it
 * was ready — post_stop has run with the state. Thread-safe. It waits for pre_start, so from a callback of
 * a non-blocking host actor it returns WACTOR_ESTATE (nothing ran); from a blocking one it is allowed (keep
 * the pool big enough: a blocking child's pre_start needs a free pool thread). */
WACTOR_API wactor_error wactor_host_spawn(wactor_runtime *rt, const wactor_host_behaviour *behaviour, void *state,
                                          const wactor_spawn_opts *opts, wactor_pid *out, wactor_diag *diag);

/* Registers `behaviour` (copied, and `name` copied) under the kind `name` (1..63 bytes), so that a
 * supervisor child spec with host_kind = name (a manifest child `host: NAME`) starts it, each instance
 * with state `arg`. Register before starting the tree. Errors: WACTOR_EINVAL, WACTOR_EEXIST (kind taken),
 * WACTOR_ENOMEM. Thread-safe. */
WACTOR_API wactor_error wactor_host_register_kind(wactor_runtime *rt, const char *name,
                                                  const wactor_host_behaviour *behaviour, void *arg);

/* ---------------------------------------------------------------- inside a callback
 * Every function below takes the ctx of the callback running now, on its thread; otherwise WACTOR_ESTATE.
 * "Refused" errors are counted in the actor's `refused` (wactor_info), dead targets in its `dead_letters`,
 * as for components. */

/* Its own pid; 0 for a ctx that is not current. */
WACTOR_API wactor_pid wactor_host_self(const wactor_host_ctx *ctx);
/* Its state, and replacing it (the new value is what later callbacks and post_stop see). */
WACTOR_API void *wactor_host_state(const wactor_host_ctx *ctx);
WACTOR_API void wactor_host_set_state(wactor_host_ctx *ctx, void *state);
/* The runtime it runs in (for wactor_whereis, wactor_info, ...). */
WACTOR_API wactor_runtime *wactor_host_runtime(const wactor_host_ctx *ctx);

/* Sends `len` bytes (copied) to `to`'s handle-message (a component) or receive (a host actor) as a
 * message from this actor. Needs a send grant covering `to` ("*", "#<pid>", or a name `to` holds now).
 * Errors: WACTOR_EPERM (not granted), WACTOR_ETOOBIG (over its or the receiver's max_message_bytes),
 * WACTOR_ENOENT (no such or dead actor), WACTOR_EFULL (the receiver's mailbox is full: nothing queued),
 * WACTOR_ENOMEM, WACTOR_ESTATE. */
WACTOR_API wactor_error wactor_host_send(wactor_host_ctx *ctx, wactor_pid to, const void *payload, size_t len);

/* Answers the request being handled (msg->kind == WACTOR_HOST_REQUEST) with `len` bytes (copied); at most
 * once. Needs no grant. Errors: WACTOR_ESTATE (not handling a request, or already answered),
 * WACTOR_ETOOBIG (over its max_message_bytes: the request stays open), WACTOR_ENOMEM. */
WACTOR_API wactor_error wactor_host_reply(wactor_host_ctx *ctx, const void *payload, size_t len);

/* Sends a request without waiting: the answer (or its absence) arrives later in receive as a
 * WACTOR_HOST_REPLY whose corr is *corr, after at most `timeout_ms` (<= 0: WACTOR_DEFAULT_REQUEST_TIMEOUT_MS)
 * — exactly one REPLY per request that returned WACTOR_OK. Needs a request grant covering `to`.
 * Errors: as wactor_host_send, and WACTOR_ELIMIT (max_requests outstanding). Works in both kinds. */
WACTOR_API wactor_error wactor_host_request(wactor_host_ctx *ctx, wactor_pid to, const void *payload, size_t len,
                                            int timeout_ms, uint64_t *corr);

/* Sends a request and waits for the answer up to `timeout_ms` (<= 0: WACTOR_DEFAULT_REQUEST_TIMEOUT_MS):
 * *reply (malloc'd, the caller frees) of *reply_len bytes. BLOCKING host actors only (it parks a pool
 * thread). Needs a request grant covering `to`. Errors: as wactor_host_send, WACTOR_ETIMEDOUT,
 * WACTOR_ENOHANDLER (it did not answer), WACTOR_ETRAP (it trapped), WACTOR_ESTATE (not a blocking actor). */
WACTOR_API wactor_error wactor_host_ask(wactor_host_ctx *ctx, wactor_pid to, const void *payload, size_t len,
                                        int timeout_ms, void **reply, size_t *reply_len);

/* Publishes to `topic` (NATS subject, no wildcards) as this actor; *delivered (may be NULL) gets the number
 * of subscribers reached. Needs a publish grant matching the topic. Errors: WACTOR_EINVAL (bad topic),
 * WACTOR_EPERM, WACTOR_ETOOBIG, WACTOR_ENOMEM, WACTOR_ESTATE. */
WACTOR_API wactor_error wactor_host_publish(wactor_host_ctx *ctx, const char *topic, const void *payload, size_t len,
                                            size_t *delivered);

/* Subscribes to / unsubscribes from `pattern` (NATS syntax); publications arrive as WACTOR_HOST_PUBLICATION.
 * Subscriptions end with the actor. Subscribing needs a subscribe grant covering the pattern.
 * Errors: WACTOR_EINVAL (bad pattern), WACTOR_EPERM, WACTOR_ELIMIT (max_subscriptions), WACTOR_EEXIST
 * (already subscribed so), WACTOR_ENOENT (unsubscribe: not subscribed so), WACTOR_ENOMEM, WACTOR_ESTATE. */
WACTOR_API wactor_error wactor_host_subscribe(wactor_host_ctx *ctx, const char *pattern);
WACTOR_API wactor_error wactor_host_unsubscribe(wactor_host_ctx *ctx, const char *pattern);

/* Monitors `target`: one WACTOR_HOST_DOWN when it ends (at once, reason NOPROC, if it is already gone);
 * *ref (may be NULL) names the monitor. Needs a send grant covering `target` (as a component's monitor).
 * Errors: WACTOR_EPERM, WACTOR_ELIMIT (max_monitors held), WACTOR_EINVAL (target 0), WACTOR_ENOMEM, ESTATE.
 * wactor_host_demonitor: no DOWN afterwards; WACTOR_ENOENT if not held (its DOWN already received). */
WACTOR_API wactor_error wactor_host_monitor(wactor_host_ctx *ctx, wactor_pid target, uint64_t *ref);
WACTOR_API wactor_error wactor_host_demonitor(wactor_host_ctx *ctx, uint64_t ref);

/* Links to `target` (Erlang's link/1): an abnormal exit of either ends the other too (or, trapping exits,
 * arrives as WACTOR_HOST_EXIT). Needs a send grant covering `target`. Errors: WACTOR_EPERM, WACTOR_ELIMIT
 * (max_links), WACTOR_EINVAL, WACTOR_ENOMEM, WACTOR_ESTATE. wactor_host_unlink removes it (no-op if none). */
WACTOR_API wactor_error wactor_host_link(wactor_host_ctx *ctx, wactor_pid target);
WACTOR_API wactor_error wactor_host_unlink(wactor_host_ctx *ctx, wactor_pid target);

/* Ends the actor with `reason` (NULL: normal) once the current callback returns: pre_stop runs (unless
 * this is pre_stop), then post_stop. An abnormal reason (kind WACTOR_EXIT_ERROR) makes its supervisor
 * restart it per its restart type, and propagates over links. Errors: WACTOR_ESTATE (not current). */
WACTOR_API wactor_error wactor_host_exit(wactor_host_ctx *ctx, const wactor_exit_reason *reason);

#ifdef __cplusplus
}
#endif
#endif /* WACTOR_HOST_H */
