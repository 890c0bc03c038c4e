/*
 * component.h — the component actor: one WebAssembly instance living inside one actor.
 *
 * Lifecycle (each step recorded in component_info with timestamps; docs/ABI.md "Start-up", "Exits"):
 *   Creating -> Starting (check the exports the host calls, instantiate, then the start section,
 *   `_initialize`, `_start`) -> Ready -> Stopping (`_cleanup`, bounded by a timeout) -> Terminated;
 *   any trap -> Failed (the instance is discarded and never entered again; the actor exits). WASI
 *   proc_exit(0) -> Terminated (a normal exit), proc_exit(N) -> Failed.
 * Guest code always runs in slices of `slice` instructions: when a slice ends the actor YIELDs to the
 * scheduler and is resumed later exactly where it stopped, so a component in an infinite loop cannot starve
 * the others. `fuel` bounds the instructions a single message/invocation may use (trap "fuel exhausted");
 * start-up as a whole is bounded by `start_fuel` (always set: default WACTOR_DEFAULT_START_FUEL).
 *
 * Messages the component actor understands (actor_msg.type), built with the helpers below:
 *   COMPONENT_MSG_START   check the exports, instantiate, run the start section, `_initialize` and `_start`;
 *                         the reply future completes with 0 or a negative errno value with a wactor_diag.
 *   COMPONENT_MSG_MESSAGE a payload for `handle-message(sender, payload)`.
 *   COMPONENT_MSG_PUBLICATION  the same, published on a topic: data is the topic, a NUL, then the payload
 *                         (one allocation; component_msg_split() takes it apart).
 *   COMPONENT_MSG_INVOKE  call an export with typed values or a multicodec-encoded argument list.
 *   COMPONENT_MSG_HEALTH  call `_health`.
 *   ACTOR_MSG_STOP        run `_cleanup` (payload: optional uint32 timeout in ms) and terminate: reason
 *                         `normal` when the host asked (from == 0), `shutdown` when an actor (its
 *                         supervisor) did, `killed` when `_cleanup` was still running at the timeout.
 * Replies: status 0 or a negative errno value, never a wactor_error (the embedding API converts once, with
 * wactor_error_from_errno; include/wactor_errors.h pairs them): -ENOTRECOVERABLE the guest trapped (the
 * diag has the trap kind), -ENOEXEC the module cannot be instantiated, -ENOSYS no handler / the request was
 * not answered, -ENOENT no such export, -EDOM wrong arity, -ERANGE wrong argument type, -EBADMSG (and the
 * codec's other errors) a malformed argument list, -EBUSY not running (or stopped while busy), -ENOMEM.
 * On error the data is a wactor_diag (malloc'd).
 *
 * Thread-safety: the functions here may be called from any thread. component_info is shared between the actor
 * and the host and read through component_info_get().
 */
#ifndef WACTOR_COMPONENT_H
#define WACTOR_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actor/actor.h"
#include "broker/broker.h"
#include "engine/engine.h"
#include "wactor.h"

/* The message types components (and host actors, which take the same messages: src/runtime/host_actor.c)
 * accept: their own range of behaviour types (actor.h, ACTOR_MSG_USER), disjoint from the supervisor's
 * (supervisor.h, SUP_MSG_FIRST..SUP_MSG_LAST), so that a component's message sent to a supervisor, or a
 * supervisor request sent to a component, is refused by actor_send with -EPROTOTYPE instead of being read
 * as one of the receiver's own. Components are spawned taking [COMPONENT_MSG_FIRST, COMPONENT_MSG_LAST] only (actor_spawn_opts). */
enum {
    COMPONENT_MSG_FIRST = 0x100,
    COMPONENT_MSG_START = COMPONENT_MSG_FIRST,
    COMPONENT_MSG_MESSAGE,
    COMPONENT_MSG_PUBLICATION,
    COMPONENT_MSG_INVOKE,
    COMPONENT_MSG_HEALTH,
    COMPONENT_MSG_LAST = 0x1ff,
};

/* Instructions per scheduling slice (internal: fairness, not a limit). Every other default is a
 * WACTOR_DEFAULT_* of include/wactor.h, shared with the runtime and the manifest. */
#define COMPONENT_DEFAULT_SLICE 20000u

/* Shared, reference-counted view of one component's lifecycle; outlives the actor (a tombstone). */
typedef struct component_info component_info;
void component_info_retain(component_info *info);
void component_info_release(component_info *info);
/* Copies a consistent snapshot. */
void component_info_get(component_info *info, wactor_actor_info *out);

/* A component's capabilities (docs/ABI.md, "Capabilities"): an immutable, reference-counted copy of a
 * wactor_caps, shared by every instance spawned with it (src/component/caps.c).
 * component_caps_new copies `caps` deeply (NULL: an object that grants nothing); NULL on ENOMEM. The
 * caller owns the reference it returns. _retain / _release may be called from any thread; NULL is a no-op
 * for both; the last release frees it. */
typedef struct component_caps component_caps;
component_caps *component_caps_new(const wactor_caps *caps);
void component_caps_retain(component_caps *caps);
void component_caps_release(component_caps *caps);

/* caps.c: capability checks (docs/ABI.md "Capabilities"). Pure reads of an immutable object: any thread.
 * Target lists: is the address `to` (to_len bytes, not NUL-terminated) that resolved to the live actor
 * `resolved` (0: host, or nothing alive) allowed? Yes for a "*" grant, a grant equal to `to` (full
 * length), a "#pid" grant of `resolved`, or a name grant that `resolved` holds right now. */
typedef enum component_grant { COMPONENT_GRANT_SEND, COMPONENT_GRANT_REQUEST } component_grant;
bool component_caps_allow_target(const component_caps *caps, component_grant which, actor_system *sys,
                                 const char *to, size_t to_len, actor_id resolved);
/* A publish to `topic` matches a publish grant (broker_subject_matches). */
bool component_caps_allow_publish(const component_caps *caps, const char *topic);
/* A subscription to `pattern` is covered by a subscribe grant (broker_pattern_covers). */
bool component_caps_allow_subscribe(const component_caps *caps, const char *pattern);
bool component_caps_allow_spawn(const component_caps *caps);
/* The rule a refused check ran into, for the debug log (docs/ABI.md "Capabilities"): `list` is "send",
 * "request", "publish", "subscribe" or "spawn"; writes e.g. "capabilities.send grants [pong, kv]",
 * "capabilities.publish grants nothing (deny by default)" or "capabilities.spawn is false" into buf (cap > 0
 * bytes, NUL-terminated; a long list ends with ", ...]"). Returns buf. Any thread. */
const char *component_caps_describe(const component_caps *caps, const char *list, char *buf, size_t cap);

/* A lifecycle record for an actor that is not a component (the runtime's host actors), read and counted
 * like a component's: component_info_new starts it in WACTOR_CREATING (created_ns now; the caller owns the
 * reference); component_info_set_state moves it (READY stamps started_ns; `failure`, may be NULL, is
 * recorded); component_info_add adds to its counters. Any thread (the record has its own lock). */
component_info *component_info_new(void);
void component_info_set_state(component_info *info, wactor_state state, const wactor_diag *failure);
void component_info_add(component_info *info, uint64_t messages, uint64_t refused, uint64_t dead_letters);

typedef struct component_config {
    eng_module *module;        /* retained by the component */
    const char *name;          /* registered name, also the display name in logs (copied); NULL: none,
                                  displayed as "#<pid>" */
    uint32_t memory_pages;     /* memory cap in pages; 0 = WACTOR_DEFAULT_MEMORY_PAGES (the module's own
                                  maximum applies when lower) */
    uint64_t fuel;             /* instructions per message/invocation; 0 = unlimited */
    uint32_t slice;            /* instructions per slice; 0 = COMPONENT_DEFAULT_SLICE */
    wactor_log_fn log;         /* where log lines go (required) */
    void *log_user;
    wactor_log_level log_level;/* the least level passed to `log` (wactor_config.log_level) */
    uint32_t log_diag_per_sec; /* the host's diagnostics about it per second; 0 = WACTOR_DEFAULT_LOG_DIAG_PER_SEC */
    actor_id link;             /* non-zero: spawn linked to this actor (a supervisor) */
    const wactor_caps *caps;   /* grants; NULL = none. Copied into a private component_caps at spawn
                                  (unless `grants` is set) */
    component_caps *grants;    /* shared grants (component_caps_new), retained by the component; preferred
                                  over `caps`: one object per declared component, no copy per spawn */
    broker *broker;            /* pub/sub index shared by the runtime (required for publish/subscribe) */
    uint32_t mailbox;          /* mailbox capacity in messages; 0 = WACTOR_DEFAULT_MAILBOX */
    uint32_t max_message_bytes;/* largest payload it may send or receive, in bytes;
                                  0 = WACTOR_DEFAULT_MAX_MESSAGE_BYTES */
    /* Per-component limits, named as in wactor_spawn_opts (docs/ABI.md, "Limits"); 0 = the default. */
    uint64_t mailbox_bytes;     /* bytes of queued payloads; 0 = WACTOR_DEFAULT_MAILBOX_BYTES */
    uint64_t start_fuel;        /* instructions for start-up (start section, `_initialize`, `_start`);
                                   0 = WACTOR_DEFAULT_START_FUEL */
    uint32_t table_elements;    /* elements over all tables; 0 = WACTOR_DEFAULT_TABLE_ELEMENTS */
    uint32_t max_spawned;       /* live instances it spawned; 0 = WACTOR_DEFAULT_MAX_SPAWNED */
    uint32_t max_requests;      /* outstanding requests; 0 = WACTOR_DEFAULT_MAX_REQUESTS */
    uint32_t max_subscriptions; /* subscriptions held; 0 = WACTOR_DEFAULT_MAX_SUBSCRIPTIONS */
    uint32_t max_monitors;      /* monitors held; 0 = WACTOR_DEFAULT_MAX_MONITORS */
    uint32_t max_links;         /* links held; 0 = WACTOR_DEFAULT_MAX_LINKS */
    uint32_t log_bytes_per_sec; /* log volume in bytes per second; 0 = WACTOR_DEFAULT_LOG_BYTES_PER_SEC */
    const wactor_wasi *wasi;    /* WASI args, env and directories (copied at spawn); NULL = none */
    /* guest `spawn`: starts a component declared under `name`; returns 0 with *out, or a negative errno
     * value (-ENOENT: nothing declared under `name`). NULL: spawning is unavailable. */
    int (*spawn)(void *spawn_user, const char *name, actor_id *out);
    void *spawn_user;
    _Atomic uint64_t *traps;        /* optional runtime-wide counters, incremented atomically */
    _Atomic uint64_t *dead_letters;
    _Atomic uint64_t *delivered;
    _Atomic uint64_t *refused;
} component_config;

/* Spawns a component actor in state Creating and queues its start. The start's outcome arrives on `started`
 * (retained by the component; may be NULL): 0, or a negative errno value with a wactor_diag as data.
 * Exit reasons (actor layer): a trap ends the actor with ACTOR_EXIT_ERROR, code = the wactor_trap_kind and
 * text = wactor_trap_name() of it ("integer divide by zero", "fuel exhausted", "start failure", ...); an
 * instantiation failure or a wrong export signature likewise with WACTOR_TRAP_START; proc_exit(0) ends it
 * normally and proc_exit(N) with text "exit N"; a stop request ends it normally or with `shutdown` (see
 * ACTOR_MSG_STOP), or `killed` when `_cleanup` overran its timeout. *info (may be NULL) receives a retained
 * reference to the component's info. Returns 0 or a negative errno (-ENOMEM, -ESHUTDOWN, -ENOENT: cfg->link
 * is dead, -EEXIST: the name is taken; nothing runs then). The name is registered before the actor can run,
 * so it is never seen without. */
int component_spawn(actor_system *sys, const component_config *cfg, actor_future *started,
                    actor_id *out, component_info **info);

/* A deep copy of `in` in one allocation (free() it), checked: at most WACTOR_WASI_MAX_STRINGS args, env
 * entries and dirs each, WACTOR_WASI_MAX_BYTES of strings, env entries "NAME=VALUE" with a non-empty
 * NAME, dirs with non-empty host and guest paths. NULL `in` copies to NULL with 0. Returns 0, -EINVAL
 * (diag, may be NULL, says which entry) or -ENOMEM. Thread-safe (src/component/wasi.c). */
int component_wasi_copy(const wactor_wasi *in, wactor_wasi **out, wactor_diag *diag);
/* The same checks without the copy (for a caller that only wants the error early): 0 or -EINVAL. */
int component_wasi_check(const wactor_wasi *in, wactor_diag *diag);

/* Message builders (NULL on ENOMEM). `reply` is retained by the message when non-NULL. */
actor_msg *component_msg_message(actor_id from, const void *payload, size_t len);
/* A publication: like a message, with its topic (copied) readable by the guest through wactor.topic. */
actor_msg *component_msg_publication(actor_id from, const char *topic, const void *payload, size_t len);
/* The payload of a MESSAGE or PUBLICATION (*payload, *len) and, for a publication, its topic (returned;
 * NUL-terminated, inside the message); NULL for a plain message. */
const char *component_msg_split(const actor_msg *m, const uint8_t **payload, size_t *len);
actor_msg *component_msg_invoke(const char *function, const void *args, size_t len, actor_future *reply);
actor_msg *component_msg_invoke_values(const char *function, const wactor_value *args, size_t nargs,
                                       actor_future *reply);
actor_msg *component_msg_health(actor_future *reply);
actor_msg *component_msg_stop(uint32_t cleanup_timeout_ms);

/* Reply data of a successful COMPONENT_MSG_HEALTH. */
typedef struct component_health {
    wactor_health_status status;
    char reason[256];
} component_health;

#endif /* WACTOR_COMPONENT_H */
