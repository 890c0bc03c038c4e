/*
 * wactor — WebAssembly components hosted as supervised actors.
 *
 * The public embedding API. Everything the `wactor` CLI does goes through these functions.
 *
 * Conventions
 *  - Every fallible function returns a wactor_error (WACTOR_OK == 0); wactor_strerror() names it.
 *  - Functions taking a `wactor_diag *diag` fill it (when non-NULL) with a readable message and, for
 *    traps, the trap kind. The caller owns the struct.
 *  - Handles (wactor_runtime, wactor_module) are opaque. Actors are named by wactor_pid, a 64-bit id that is
 *    never reused within a runtime: using the pid of a stopped actor is an error (WACTOR_ENOENT), not a crash.
 *  - Unless a function says otherwise it is thread-safe: any thread may call it concurrently, except
 *    wactor_runtime_destroy(), which must be the last call on its runtime. Never call a blocking function
 *    (invoke, health, stop, wait_idle) from inside a native actor's handler.
 *  - Calls that wait for a component's answer (wactor_spawn's start, wactor_invoke*, wactor_ask,
 *    wactor_health, wactor_stop) run the component's turn on the calling thread when it is idle, as a
 *    scheduler thread would: at most one slice of guest code (20,000 instructions by default) plus a
 *    few queued messages, after which a still-busy component continues on the scheduler threads. This saves
 *    two thread hand-offs per call (docs/ARCHITECTURE.md, "Synchronous callers run the turn themselves").
 *  - Times are in milliseconds unless the name says _us (microseconds) or _ns (nanoseconds).
 */
#ifndef WACTOR_H
#define WACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wactor_errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version, visibility */

#define WACTOR_VERSION_MAJOR 0
#define WACTOR_VERSION_MINOR 9
#define WACTOR_VERSION_PATCH 0
/* The version as one comparable number: major * 10000 + minor * 100 + patch. */
#define WACTOR_VERSION (WACTOR_VERSION_MAJOR * 10000 + WACTOR_VERSION_MINOR * 100 + WACTOR_VERSION_PATCH)

/* Marks the functions libwactor exports; everything else in the library is hidden. */
#if defined(WACTOR_BUILDING_LIBRARY) && defined(__GNUC__)
#define WACTOR_API __attribute__((visibility("default")))
#else
#define WACTOR_API
#endif

/* The version of the library actually linked ("0.9.0"), which may differ from the header's
 * WACTOR_VERSION_* when linked dynamically. Static string; thread-safe. */
WACTOR_API const char *wactor_version(void);

/* ---------------------------------------------------------------- errors */

typedef enum wactor_error {
    WACTOR_OK = 0,
#define WACTOR_ERROR_ENUM_(name, value, errno_name, text) WACTOR_E##name = value,
    WACTOR_ERROR_LIST(WACTOR_ERROR_ENUM_)   /* include/wactor_errors.h: values, meanings */
#undef WACTOR_ERROR_ENUM_
} wactor_error;

/* A static, human-readable name for an error code ("no such actor, name, export or file", ...). */
WACTOR_API const char *wactor_strerror(wactor_error err);

/* Trap kinds a guest can hit (WebAssembly core spec §4.4 "Traps", plus host-imposed limits). */
typedef enum wactor_trap_kind {
    WACTOR_TRAP_NONE = 0,
    WACTOR_TRAP_UNREACHABLE,          /* `unreachable` executed */
    WACTOR_TRAP_INT_DIV_BY_ZERO,      /* integer divide by zero */
    WACTOR_TRAP_INT_OVERFLOW,         /* integer overflow (INT_MIN / -1) */
    WACTOR_TRAP_INVALID_CONVERSION,   /* float -> int conversion of NaN or out of range */
    WACTOR_TRAP_OOB_MEMORY,           /* out-of-bounds memory access */
    WACTOR_TRAP_OOB_TABLE,            /* out-of-bounds table access / undefined element */
    WACTOR_TRAP_UNINITIALIZED_ELEMENT,/* call_indirect through a null table element */
    WACTOR_TRAP_INDIRECT_CALL_TYPE,   /* call_indirect signature mismatch */
    WACTOR_TRAP_STACK_EXHAUSTED,      /* call stack exhausted (deep recursion) */
    WACTOR_TRAP_FUEL_EXHAUSTED,       /* the per-call instruction budget ran out */
    WACTOR_TRAP_MEMORY_LIMIT,         /* the guest trapped after memory.grow was refused at its limit */
    WACTOR_TRAP_HOST,                 /* a host function failed (bad pointer from the guest, ...) */
    WACTOR_TRAP_EXIT,                 /* the guest called WASI proc_exit; diag->exit_code has the code */
    WACTOR_TRAP_START,                /* `_initialize` / `_start` failed */
    WACTOR_TRAP_OTHER                 /* any other trap the engine reports; the message says which */
} wactor_trap_kind;

/* A static short name for a trap kind, e.g. "integer divide by zero", "out of bounds memory access". */
WACTOR_API const char *wactor_trap_name(wactor_trap_kind kind);

#define WACTOR_DIAG_MAX 256
typedef struct wactor_diag {
    wactor_trap_kind trap;          /* WACTOR_TRAP_NONE unless the error is WACTOR_ETRAP */
    int exit_code;                  /* for WACTOR_TRAP_EXIT */
    char message[WACTOR_DIAG_MAX];  /* NUL-terminated; the engine's own words for traps */
} wactor_diag;

/* ---------------------------------------------------------------- values */

/* WebAssembly number types (core spec §2.3.1). */
typedef enum wactor_valtype { WACTOR_I32, WACTOR_I64, WACTOR_F32, WACTOR_F64 } wactor_valtype;

typedef struct wactor_value {
    wactor_valtype type;
    union { int32_t i32; int64_t i64; float f32; double f64; } of;
} wactor_value;

/* Multicodec codes (multiformats multicodec table) for payload prefixes. */
#define WACTOR_CODEC_CBOR  0x51u
#define WACTOR_CODEC_JSON  0x0200u
#define WACTOR_CODEC_BORSH 0x0701u

/* ---------------------------------------------------------------- runtime */

typedef struct wactor_runtime wactor_runtime;
typedef struct wactor_module wactor_module;
typedef uint64_t wactor_pid; /* 0 is never a valid pid */

/* ---------------------------------------------------------------- logs */

/* The level of a log record, least severe first. The numbers are the guest ABI's (docs/ABI.md, "The log":
 * `wactor.log(level, ...)` passes them as they are; trace is -1 so the original 0..3 kept their meaning);
 * a sink may compare them (`level >= WACTOR_LOG_WARN`). */
typedef enum wactor_log_level {
    WACTOR_LOG_TRACE = -1,
    WACTOR_LOG_DEBUG = 0,
    WACTOR_LOG_INFO = 1,
    WACTOR_LOG_WARN = 2,
    WACTOR_LOG_ERROR = 3
} wactor_log_level;

/* "trace", "debug", "info", "warn", "error" for the levels above, "unknown" for any other value (a static
 * string). Thread-safe. */
WACTOR_API const char *wactor_log_level_name(wactor_log_level level);

/* Parses a level's name as wactor_log_level_name writes it (exact, lower case) into *out.
 * Errors: WACTOR_EINVAL (text or out NULL, or an unknown name; *out untouched). Thread-safe. */
WACTOR_API wactor_error wactor_log_level_parse(const char *text, wactor_log_level *out);

/* Diagnostics per second (wactor_config.log_diag_per_sec) when 0 is given. */
#define WACTOR_DEFAULT_LOG_DIAG_PER_SEC 20u

/* A log record: a component's log line (`wactor.log`, WASI fd 1/2 output) or one of the runtime's own
 * diagnostics about it (trap, restart, refused send, dead letter; docs/ARCHITECTURE.md, "Logs"), at
 * `level`. `name` is the component's registered name (or "#<pid>"; for diagnostics of the runtime
 * itself, e.g. a supervisor's, its name), NUL-terminated; `line` is one line without its newline, `len`
 * bytes, not NUL-terminated, exactly as the guest wrote it: any bytes, NULs, control characters and
 * invalid UTF-8 included — a sink that prints it must escape it (the default one does) and must not pass
 * `len` through an int. Records below wactor_config.log_level are never formatted nor passed. Called from
 * scheduler threads, possibly concurrently for different components; must not block for long. */
typedef void (*wactor_log_fn)(void *user, wactor_log_level level, const char *name, const char *line, size_t len);

typedef struct wactor_config {
    unsigned threads;          /* scheduler threads; 0 = number of online cores */
    wactor_log_fn log;         /* NULL = log lines go to stderr as "level [name] line" (e.g. "info [calc] hi": the
                                  lower-case level name, no time stamp; the CLI's own sink adds one), name and line escaped
                                  (control characters, ESC, NUL, invalid UTF-8 as \n, \x1b, ...) */
    void *log_user;
    wactor_log_level log_level; /* the least level passed to `log`; records below it cost a comparison.
                                  0 (zero-initialised) = WACTOR_LOG_DEBUG: everything but trace */
    uint32_t log_diag_per_sec; /* the runtime's own diagnostics (refusals, dead letters, restarts, ...):
                                  at most this many records per second per component, and as many for
                                  the supervisors together; the rest are counted and reported as one
                                  "N diagnostics suppressed" record. 0 = WACTOR_DEFAULT_LOG_DIAG_PER_SEC */
    unsigned blocking_threads; /* host actors (include/wactor_host.h): threads of the pool that runs blocking
                                  host actors' callbacks, started with the first one; 0 = 4
                                  (WACTOR_DEFAULT_BLOCKING_THREADS), at most 256 */
} wactor_config;

/* Creates a runtime and starts its scheduler threads. `config` may be NULL (defaults).
 * *out is owned by the caller and freed with wactor_runtime_destroy().
 * Errors: WACTOR_ENOMEM, WACTOR_EINVAL (out == NULL, blocking_threads over 256). */
WACTOR_API wactor_error wactor_runtime_create(const wactor_config *config, wactor_runtime **out);

/* Stops every actor (components get `_cleanup`, in reverse spawn order, 1 s each), joins the scheduler
 * threads and frees the runtime. Modules still held by the caller stay valid until released. NULL is a no-op. */
WACTOR_API void wactor_runtime_destroy(wactor_runtime *rt);

/* ---------------------------------------------------------------- modules */

/* Validates and compiles a WebAssembly module from `len` bytes (copied; the caller keeps `bytes`).
 * Identical bytes share one compiled module (cached by content hash). The module is reference-counted:
 * release it with wactor_module_release(); actors spawned from it keep their own reference.
 * Errors: WACTOR_EMODULE (malformed or invalid; diag says what and where; a Component-Model binary — magic,
 * then a version with layer 1, e.g. 0d 00 01 00 — is "this is a WebAssembly component (...); wactor runs
 * core modules"), WACTOR_ENOMEM, WACTOR_EINVAL. */
WACTOR_API wactor_error wactor_module_load(wactor_runtime *rt, const void *bytes, size_t len,
                                wactor_module **out, wactor_diag *diag);

/* Reads `path` and loads it as above; a path ending in ".wat" is WebAssembly text (core spec chapter 6),
 * converted first (wabt's parser and validator; an error is WACTOR_EMODULE "PATH:LINE:COL: error: ...").
 * Errors: also WACTOR_ENOENT / WACTOR_EIO for the file, diag "cannot open PATH: <strerror>" (or "cannot
 * read"). Other messages start with PATH. */
WACTOR_API wactor_error wactor_module_load_file(wactor_runtime *rt, const char *path,
                                     wactor_module **out, wactor_diag *diag);

/* Drops the caller's reference. NULL is a no-op. */
WACTOR_API void wactor_module_release(wactor_module *module);

/* Module introspection (what `wactor inspect` prints). Strings point into the module and stay valid
 * while the caller holds its reference. */
#define WACTOR_MAX_PARAMS 32
typedef struct wactor_functype {
    uint32_t nparams, nresults;
    wactor_valtype params[WACTOR_MAX_PARAMS];
    wactor_valtype results[WACTOR_MAX_PARAMS];
} wactor_functype;

typedef enum wactor_extern_kind {
    WACTOR_EXTERN_FUNC, WACTOR_EXTERN_TABLE, WACTOR_EXTERN_MEMORY, WACTOR_EXTERN_GLOBAL
} wactor_extern_kind;

typedef struct wactor_extern {
    wactor_extern_kind kind;
    const char *module;        /* imports only (NULL for exports) */
    const char *name;
    wactor_functype type;      /* functions */
    uint32_t mem_min, mem_max; /* memories, in 64 KiB pages; mem_max == UINT32_MAX: no maximum */
} wactor_extern;

WACTOR_API size_t wactor_module_import_count(const wactor_module *module);
WACTOR_API size_t wactor_module_export_count(const wactor_module *module);
/* Describes import/export `i` (0-based). Errors: WACTOR_ENOENT (i out of range). */
WACTOR_API wactor_error wactor_module_import(const wactor_module *module, size_t i, wactor_extern *out);
WACTOR_API wactor_error wactor_module_export(const wactor_module *module, size_t i, wactor_extern *out);
/* The signature of function export `name`. Errors: WACTOR_ENOENT (no such function export). */
WACTOR_API wactor_error wactor_module_func(const wactor_module *module, const char *name, wactor_functype *out);

/* ---------------------------------------------------------------- actors */

/* What a component may do (docs/ABI.md, "Capabilities"). Deny by default: a component spawned without
 * capabilities can only reply to requests and log. Patterns are copied at spawn. */
typedef struct wactor_caps {
    const char *const *send;      /* targets of send/monitor/link: registered names, "#pid", or "*" */
    size_t nsend;
    const char *const *request;   /* targets of request */
    size_t nrequest;
    const char *const *publish;   /* NATS patterns of topics it may publish to ("chat.>") */
    size_t npublish;
    const char *const *subscribe; /* NATS patterns covering what it may subscribe to */
    size_t nsubscribe;
    bool spawn;                   /* may spawn components declared with wactor_declare() */
} wactor_caps;

/* ---------------------------------------------------------------- defaults
 * Every default, defined here once and used by the runtime, the manifest and the supervisors. A field or
 * manifest key left at 0 / absent takes the default below (docs/ABI.md, "Limits", lists the same table). */
#define WACTOR_DEFAULT_MAILBOX            1024u        /* messages queued per component */
#define WACTOR_DEFAULT_MAILBOX_BYTES      (64u << 20)  /* bytes of queued payloads per component: 64 MiB */
#define WACTOR_DEFAULT_MAX_MESSAGE_BYTES  (16u << 20)  /* largest message or reply: 16 MiB */
#define WACTOR_DEFAULT_MEMORY_PAGES       1024u        /* linear memory cap: 64 MiB */
#define WACTOR_DEFAULT_TABLE_ELEMENTS     100000u      /* elements over all of an instance's tables */
#define WACTOR_DEFAULT_START_FUEL         100000000u   /* instructions for start-up (start section,
                                                          `_initialize`, `_start`) */
#define WACTOR_DEFAULT_MAX_SPAWNED        64u          /* live instances a component may have spawned */
#define WACTOR_DEFAULT_MAX_REQUESTS       1024u        /* its requests awaiting an answer */
#define WACTOR_DEFAULT_MAX_SUBSCRIPTIONS  256u         /* topic subscriptions it holds */
#define WACTOR_DEFAULT_MAX_MONITORS       1024u        /* monitors it holds */
#define WACTOR_DEFAULT_MAX_LINKS          1024u        /* links it holds */
#define WACTOR_DEFAULT_LOG_LINE_BYTES     4096u        /* a longer log line is cut, marked "[truncated]" */
#define WACTOR_DEFAULT_LOG_BYTES_PER_SEC  (1u << 20)   /* log volume; beyond it lines are dropped and counted */
#define WACTOR_DEFAULT_STOP_MS            1000         /* wactor_stop(): `_cleanup` budget */
#define WACTOR_DEFAULT_REQUEST_TIMEOUT_MS 5000         /* a guest request without a timeout */
#define WACTOR_DEFAULT_SHUTDOWN_MS        5000         /* a worker child's shutdown (OTP's default) */
#define WACTOR_DEFAULT_INTENSITY          1u           /* OTP's default */
#define WACTOR_DEFAULT_PERIOD_MS          5000u        /* OTP's default (5 s) */
#define WACTOR_DEFAULT_HEALTH_TIMEOUT_MS  1000u
#define WACTOR_DEFAULT_HEALTH_THRESHOLD   3u

/* WASI preview1 for a component (docs/ABI.md, "WASI"). Deny by default: no wactor_wasi (NULL) or a zeroed
 * one gives no arguments, an empty environment and no directories. Copied at spawn (and kept for restarts). */
typedef struct wactor_wasi_dir {
    const char *host;         /* a host directory, opened at every (re)start; a missing one fails the start */
    const char *guest;        /* where the guest sees it, e.g. "/data" or "." (wasi-libc maps paths onto it) */
    bool read_only;           /* no writing, creating, removing, renaming or linking below it */
} wactor_wasi_dir;

#define WACTOR_WASI_MAX_STRINGS 4096u  /* args, env entries and dirs, each */
#define WACTOR_WASI_MAX_BYTES   (1u << 20) /* bytes of all args + env strings */

typedef struct wactor_wasi {
    const char *const *args;  /* argv as the guest sees it: args[0] is the program name by convention */
    size_t nargs;
    const char *const *env;   /* "NAME=VALUE" strings (NAME non-empty, without '=') */
    size_t nenv;
    const wactor_wasi_dir *dirs;
    size_t ndirs;
    bool inherit_stdio;       /* for commands (`wactor run MODULE.wasm`): fd 1/2 go unprefixed to the process's
                                 stdout/stderr, fd 0 reads its stdin, and poll_oneoff may block as long as the
                                 guest asks. Otherwise fd 1/2 are log lines, stdin is empty and poll_oneoff
                                 never blocks the scheduler thread (a clock not yet due fires at once) */
} wactor_wasi;

typedef struct wactor_spawn_opts {
    const char *name;         /* registered name, or NULL; copied */
    const wactor_caps *caps;  /* NULL: no grants */
    uint32_t mailbox;         /* mailbox capacity in messages; 0 = WACTOR_DEFAULT_MAILBOX. A full mailbox
                                 refuses sends (EFULL) */
    uint32_t max_message_bytes; /* largest payload it may send or receive, replies included;
                                   0 = WACTOR_DEFAULT_MAX_MESSAGE_BYTES */
    uint32_t memory_pages;    /* linear memory cap in 64 KiB pages; 0 = WACTOR_DEFAULT_MEMORY_PAGES, or the
                                 module's own maximum if lower */
    uint64_t fuel;            /* instructions allowed per message/invocation; 0 = unlimited */
    /* Limits on what the component can make the host spend (docs/ABI.md, "Limits"); 0 = the default. */
    uint64_t mailbox_bytes;     /* bytes of queued payloads; 0 = WACTOR_DEFAULT_MAILBOX_BYTES */
    uint64_t start_fuel;        /* instructions for start-up; 0 = WACTOR_DEFAULT_START_FUEL */
    uint32_t table_elements;    /* table elements; 0 = WACTOR_DEFAULT_TABLE_ELEMENTS */
    uint32_t max_spawned;       /* live instances it spawned; 0 = WACTOR_DEFAULT_MAX_SPAWNED */
    uint32_t max_requests;      /* outstanding requests; 0 = WACTOR_DEFAULT_MAX_REQUESTS */
    uint32_t max_subscriptions; /* subscriptions; 0 = WACTOR_DEFAULT_MAX_SUBSCRIPTIONS */
    uint32_t max_monitors;      /* monitors held; 0 = WACTOR_DEFAULT_MAX_MONITORS */
    uint32_t max_links;         /* links held; 0 = WACTOR_DEFAULT_MAX_LINKS */
    uint32_t log_bytes_per_sec; /* log volume; 0 = WACTOR_DEFAULT_LOG_BYTES_PER_SEC */
    const wactor_wasi *wasi;    /* WASI arguments, environment and directories; NULL = none (deny) */
} wactor_spawn_opts;

/* Spawns a component actor from `module`: it instantiates, calls `_initialize` (WASI reactor) then
 * `_start` if exported, and becomes Ready. Spawning returns once the actor is Ready (or failed).
 * `opts` may be NULL. On success *out is the new pid.
 * Errors: WACTOR_EEXIST (name taken), WACTOR_EMODULE (instantiation failed: unknown import, memory over
 * the cap), WACTOR_ETRAP (`_initialize`/`_start` trapped; diag has the kind), WACTOR_ENOMEM, WACTOR_EINVAL. */
WACTOR_API wactor_error wactor_spawn(wactor_runtime *rt, wactor_module *module, const wactor_spawn_opts *opts,
                          wactor_pid *out, wactor_diag *diag);

/* Registers `name` (copied) for `pid`. Names are released when the actor stops.
 * Errors: WACTOR_EEXIST, WACTOR_ENOENT (no such actor), WACTOR_EINVAL. */
WACTOR_API wactor_error wactor_register(wactor_runtime *rt, wactor_pid pid, const char *name);

/* Removes a registration. Errors: WACTOR_ENOENT. */
WACTOR_API wactor_error wactor_unregister(wactor_runtime *rt, const char *name);

/* The pid registered under `name`, or 0. O(1). */
WACTOR_API wactor_pid wactor_whereis(wactor_runtime *rt, const char *name);

/* Sends `len` bytes (copied) to `to`'s `handle-message`, with the sender given as "host". The payload
 * should begin with a multicodec varint. Asynchronous: returns once queued, in per-sender FIFO order.
 * Errors: WACTOR_ENOENT (no such or dead actor), WACTOR_ETOOBIG (over 16 MiB), WACTOR_EFULL (its mailbox
 * is full: nothing was queued), WACTOR_ENOMEM. */
WACTOR_API wactor_error wactor_send(wactor_runtime *rt, wactor_pid to, const void *payload, size_t len);

/* Publishes `len` bytes (copied; should begin with a multicodec prefix) to `topic`, a NATS subject without
 * wildcards: every component subscribed with a matching pattern gets it in `handle-message`, once, with the
 * sender "host". Returns the number of subscribers reached in *delivered (may be NULL).
 * Errors: WACTOR_EINVAL (bad topic), WACTOR_ETOOBIG, WACTOR_ENOMEM. */
WACTOR_API wactor_error wactor_publish(wactor_runtime *rt, const char *topic, const void *payload, size_t len,
                            size_t *delivered);

/* A publication received by the embedding program: `topic` (NUL-terminated), the publisher's pid (0 for the
 * host) and the payload (`len` bytes, valid during the call only). Called on a scheduler thread, one
 * publication at a time per subscription; must not block for long nor call blocking wactor functions. */
typedef void (*wactor_message_fn)(void *user, const char *topic, wactor_pid from, const void *payload, size_t len);

/* Subscribes the embedding program to `pattern` (NATS syntax: `*` one token, `>` the rest): a native actor
 * is spawned that calls `fn` for each matching publication. *out receives its pid; wactor_stop() on it
 * ends the subscription. Errors: WACTOR_EINVAL (bad pattern, fn NULL), WACTOR_ENOMEM. */
WACTOR_API wactor_error wactor_subscribe(wactor_runtime *rt, const char *pattern, wactor_message_fn fn, void *user,
                              wactor_pid *out);

/* Request/reply: sends `len` bytes to `pid`'s `handle-message` as a request and waits up to `timeout_ms`
 * (<= 0: forever) for the guest's `reply`: *reply (malloc'd, the caller frees) of *reply_len bytes.
 * Blocks the calling thread only. Errors: WACTOR_ENOENT (no such actor, or it died before answering),
 * WACTOR_ETIMEDOUT, WACTOR_ENOHANDLER (it returned without replying, or has no handle-message),
 * WACTOR_ETRAP (it trapped handling the request), WACTOR_EFULL (its mailbox is full). */
WACTOR_API wactor_error wactor_ask(wactor_runtime *rt, wactor_pid pid, const void *payload, size_t len, int timeout_ms,
                        void **reply, size_t *reply_len, wactor_diag *diag);

/* Declares a component that guests with the `spawn` capability may start by `name` (wactor.spawn): each
 * spawn starts a new unnamed instance of `module` with `opts` (its name ignored; caps and limits kept).
 * The runtime keeps a reference to the module and copies opts. Errors: WACTOR_EEXIST, WACTOR_EINVAL,
 * WACTOR_ENOMEM. */
WACTOR_API wactor_error wactor_declare(wactor_runtime *rt, const char *name, wactor_module *module,
                            const wactor_spawn_opts *opts);

/* Calls export `function` of actor `pid` with a multicodec-encoded argument list (a JSON array, a CBOR
 * array, or Borsh-packed little-endian values, each after its multicodec prefix) and waits up to
 * `timeout_ms` (<= 0: wait forever) for the results, encoded in the same codec: *result (malloc'd, the
 * caller frees) of *result_len bytes, prefixed like the arguments.
 * Errors: WACTOR_ENOENT (no actor / no such export), WACTOR_ECODEC, WACTOR_EARITY, WACTOR_ETYPE,
 * WACTOR_ETRAP (the actor has failed and will not run again), WACTOR_ETIMEDOUT, WACTOR_ESTATE. */
WACTOR_API wactor_error wactor_invoke(wactor_runtime *rt, wactor_pid pid, const char *function,
                           const void *args, size_t args_len, int timeout_ms,
                           void **result, size_t *result_len, wactor_diag *diag);

/* Like wactor_invoke() with already-typed values: `args` must match the export's parameters exactly;
 * up to `results_cap` results are written to `results` and their count to *nresults.
 * Errors: as wactor_invoke(); WACTOR_EFULL if the export has more than `results_cap` results. */
WACTOR_API wactor_error wactor_invoke_values(wactor_runtime *rt, wactor_pid pid, const char *function,
                                  const wactor_value *args, size_t nargs, wactor_value *results,
                                  size_t results_cap, size_t *nresults, int timeout_ms, wactor_diag *diag);

typedef enum wactor_health_status {
    WACTOR_HEALTHY = 0, WACTOR_DEGRADED = 1, WACTOR_UNHEALTHY = 2
} wactor_health_status;

/* Asks the component for its health through its `_health` export (no export: healthy). `reason` (may be
 * NULL) receives the guest's reason, NUL-terminated, truncated to `reason_len` bytes.
 * A trapping `_health` fails the actor. Errors: WACTOR_ENOENT, WACTOR_ETIMEDOUT, WACTOR_ETRAP. */
WACTOR_API wactor_error wactor_health(wactor_runtime *rt, wactor_pid pid, int timeout_ms,
                           wactor_health_status *status, char *reason, size_t reason_len);

/* Component lifecycle (see docs/ARCHITECTURE.md). */
typedef enum wactor_state {
    WACTOR_CREATING, WACTOR_STARTING, WACTOR_READY, WACTOR_STOPPING, WACTOR_TERMINATED, WACTOR_FAILED
} wactor_state;
WACTOR_API const char *wactor_state_name(wactor_state state);

typedef struct wactor_actor_info {
    wactor_state state;
    uint64_t created_ns;       /* CLOCK_REALTIME, ns since the epoch */
    uint64_t started_ns;       /* 0 until Ready */
    uint64_t messages;         /* messages delivered: handler calls (handle-message/-reply/-down) that returned */
    uint64_t refused;          /* its own sends refused: capability denied, too big, target mailbox full */
    uint64_t dead_letters;     /* messages lost: sent by it to a dead or unknown target, or sent to it without
                                  a handler for them */
    wactor_diag failure;       /* trap that failed it, when state == WACTOR_FAILED */
    /* Observability (docs/OPERATIONS.md); wactor_totals sums the counters over the name's instances. */
    uint64_t fuel_used;        /* instructions its guest code executed (start-up, handlers, invocations,
                                  health, cleanup) */
    uint64_t handler_ns;       /* wall time (CLOCK_MONOTONIC) spent in its guest code, ns */
    uint32_t memory_pages;     /* its linear memory now, in 64 KiB pages (the last value after it ended);
                                  wactor_totals: of the newest instance */
    uint32_t mailbox;          /* messages queued for it now (0 once it ended); wactor_totals: the live
                                  instances' summed */
    uint64_t module_hash;      /* content hash of its module (identical bytes, identical hash; not a
                                  cryptographic digest) */
    uint64_t instances;        /* wactor_info: 1; wactor_totals: instances ever started under the name */
    uint64_t traps;            /* instances that ended by a trap (wactor_info: 0 or 1) */
    uint32_t traps_by_kind[WACTOR_TRAP_OTHER + 1]; /* the same by wactor_trap_kind */
} wactor_actor_info;

/* A snapshot of the actor's lifecycle: of a live component, or of one among the 4096 that ended most
 * recently (its tombstone: state terminated or failed, and why). Errors: WACTOR_ENOENT (no component had
 * that pid, or it ended longer ago and was reaped). O(1). */
WACTOR_API wactor_error wactor_info(wactor_runtime *rt, wactor_pid pid, wactor_actor_info *info);

/* Totals over every instance ever started under registered name `name` (restarts included, also the
 * reaped ones: their counters are folded into the name when they end): messages,
 * refused and dead_letters summed; state, started_ns and failure of the newest instance; created_ns of the
 * first. Errors: WACTOR_ENOENT (no component was ever registered under that name). */
WACTOR_API wactor_error wactor_totals(wactor_runtime *rt, const char *name, wactor_actor_info *out);

/* Stops the actor: queued messages are handled first, then `_cleanup` runs for at most `timeout_ms`
 * (<= 0: 1000 ms), the instance is freed and the name released. Waits until it has terminated.
 * Errors: WACTOR_ENOENT. */
WACTOR_API wactor_error wactor_stop(wactor_runtime *rt, wactor_pid pid, int timeout_ms);

/* Waits until every mailbox is empty and no actor is running (`timeout_ms` <= 0: forever). Pending timers
 * count as work (a request timeout, a restart's backoff), except the supervisors' health-probe timers: a
 * system whose only remaining activity is periodic health checks is idle (a probe in flight is work).
 * Errors: WACTOR_ETIMEDOUT. */
WACTOR_API wactor_error wactor_wait_idle(wactor_runtime *rt, int timeout_ms);

typedef struct wactor_stats {
    uint64_t actors;           /* live actors: components, host actors, supervisors, host subscriptions (not the
                                  runtime's own bookkeeping actor) */
    uint64_t delivered;        /* messages handed to a handler that returned */
    uint64_t refused;          /* sends refused by a capability, the size limit, or a full mailbox */
    uint64_t dead_letters;     /* messages with no taker: dead target, no handler, dropped at exit */
    uint64_t traps;            /* instances failed by a trap */
    /* Observability (docs/OPERATIONS.md) */
    uint64_t components;       /* live components */
    uint32_t threads;          /* scheduler threads */
    uint32_t threads_idle;     /* of them, waiting for work now (the others run a turn) */
    uint64_t run_queue;        /* actors runnable now, waiting for a scheduler thread */
} wactor_stats;

/* Runtime-wide counters. Never fails for a valid runtime. */
WACTOR_API void wactor_stats_get(wactor_runtime *rt, wactor_stats *stats);

/* ---------------------------------------------------------------- supervision
 * OTP supervisors (Erlang/OTP design principles, "Supervisor Behaviour"; supervisor module reference).
 * A supervisor is an actor that starts its children in order, restarts them according to its strategy and
 * their restart type, gives up after more than `intensity` restarts within `period_ms` (then stops all
 * children in reverse start order and exits with reason `shutdown`, which its own supervisor handles), and
 * stops children in reverse start order. Restarts build a fresh instance from the cached compiled module. */

typedef enum wactor_strategy {
    WACTOR_ONE_FOR_ONE, WACTOR_ONE_FOR_ALL, WACTOR_REST_FOR_ONE, WACTOR_SIMPLE_ONE_FOR_ONE
} wactor_strategy;
typedef enum wactor_restart { WACTOR_PERMANENT, WACTOR_TRANSIENT, WACTOR_TEMPORARY } wactor_restart;

#define WACTOR_BRUTAL_KILL (-1)   /* shutdown_ms: kill at once, no `_cleanup` */
#define WACTOR_INFINITY    (-2)   /* shutdown_ms: wait for the child however long it takes */

/* wactor_sup_spec.intensity asking for zero restarts (0 there means the default). */
#define WACTOR_INTENSITY_ZERO UINT32_MAX

typedef struct wactor_sup_spec wactor_sup_spec;

typedef struct wactor_child_spec {
    const char *id;               /* unique within the supervisor; NULL = spawn.name (components) or the
                                     nested supervisor's name */
    wactor_module *module;        /* a component child: its module (the spec keeps a reference) ... */
    wactor_spawn_opts spawn;      /*   ... and its options (name registered at every (re)start) */
    const wactor_sup_spec *supervisor; /* ... or a nested supervisor (module == NULL) */
    wactor_restart restart;
    int shutdown_ms;              /* 0 = default (5000 for components, WACTOR_INFINITY for supervisors),
                                     > 0 = `_cleanup` gets this long, then the child is killed;
                                     WACTOR_BRUTAL_KILL; WACTOR_INFINITY */
    uint32_t health_interval_ms;  /* 0 = no health monitoring; else `_health` is asked this often ... */
    uint32_t health_timeout_ms;   /*   ... an answer later than this (0 = 1000) counts as unhealthy ... */
    uint32_t health_threshold;    /*   ... and this many unhealthy in a row (0 = 3) terminate the child with
                                         reason `health`, so its restart type decides. Degraded: reported only. */
    /* ... or a host actor (include/wactor_host.h; module and supervisor NULL): its behaviour (copied), each
     * instance starting with state host_arg, and `spawn` for its name, caps and limits. Or host_kind: a kind
     * registered with wactor_host_register_kind (then host and host_arg are the kind's; copied at start). */
    const struct wactor_host_behaviour *host;
    void *host_arg;
    const char *host_kind;
} wactor_child_spec;

struct wactor_sup_spec {
    const char *name;             /* registered name of the supervisor, and its name in events; may be NULL */
    wactor_strategy strategy;
    uint32_t intensity;           /* max restarts within period_ms; 0 = OTP's default (WACTOR_DEFAULT_INTENSITY,
                                     1); WACTOR_INTENSITY_ZERO = OTP's intensity 0: no restart at all, the
                                     first exit that would be restarted shuts the supervisor down */
    uint32_t period_ms;           /* 0 = OTP's default, WACTOR_DEFAULT_PERIOD_MS (5000) */
    uint32_t backoff_initial_ms;  /* 0 = restart at once (OTP); else delay the n-th consecutive restart of a */
    double backoff_multiplier;    /*   child by initial * multiplier^(n-1), at most backoff_max_ms */
    uint32_t backoff_max_ms;
    const wactor_child_spec *children; /* simple_one_for_one: exactly one, the template (not started) */
    size_t nchildren;
};

/* Supervisor events, one JSON object per call (no newline), in order per supervisor, e.g.
 * {"event":"child_exited","supervisor":"root","child":"worker","pid":9,"reason":"integer divide by zero"}.
 * Events: child_started, child_exited, supervisor_shutdown, start_failed, health. Reasons: normal, shutdown,
 * killed, health, and each trap kind's wactor_trap_name(). Called on scheduler threads; must not block. */
typedef void (*wactor_event_fn)(void *user, const char *json);

/* Where the runtime's supervisors send their events (NULL: nowhere). Set before starting supervisors. */
WACTOR_API void wactor_set_event_handler(wactor_runtime *rt, wactor_event_fn fn, void *user);

/* Starts a supervision tree and waits until every child has started (in order).
 * Errors: WACTOR_EINVAL (bad spec: duplicate ids, simple_one_for_one without exactly one child, a child with
 * not exactly one of module, supervisor and host/host_kind, an unregistered host_kind), WACTOR_EEXIST (a
 * name is taken), WACTOR_ETRAP / WACTOR_EMODULE (a child failed to start; the ones started before it were
 * stopped again), WACTOR_ENOMEM. */
WACTOR_API wactor_error wactor_supervisor_start(wactor_runtime *rt, const wactor_sup_spec *spec, wactor_pid *out,
                                     wactor_diag *diag);

typedef struct wactor_child_info {
    char id[64];                  /* "" for simple_one_for_one children */
    wactor_pid pid;               /* 0 when not running */
    bool is_supervisor;
    wactor_restart restart;
    uint32_t restarts;
} wactor_child_info;

/* which_children: up to `cap` children in start order into `out`, their number into *n (may exceed cap).
 * Errors: WACTOR_ENOENT (no such supervisor), WACTOR_ETIMEDOUT (5 s). */
WACTOR_API wactor_error wactor_which_children(wactor_runtime *rt, wactor_pid sup, wactor_child_info *out, size_t cap, size_t *n);

typedef struct wactor_child_counts { uint32_t specs, active, supervisors, workers; } wactor_child_counts;
WACTOR_API wactor_error wactor_count_children(wactor_runtime *rt, wactor_pid sup, wactor_child_counts *out);

/* Adds and starts a child; for a simple_one_for_one supervisor `spec` must be NULL and a new instance of its
 * template starts. *out (may be NULL) gets the child's pid. Errors: WACTOR_EEXIST (id taken), WACTOR_EINVAL,
 * WACTOR_ETRAP / WACTOR_EMODULE (it failed to start), WACTOR_ENOENT (no such supervisor). */
WACTOR_API wactor_error wactor_start_child(wactor_runtime *rt, wactor_pid sup, const wactor_child_spec *spec, wactor_pid *out);
/* Stops child `id` (simple_one_for_one: the child `pid`) per its shutdown; its spec stays. Errors: WACTOR_ENOENT. */
WACTOR_API wactor_error wactor_terminate_child(wactor_runtime *rt, wactor_pid sup, const char *id, wactor_pid pid);
/* Starts a terminated child again. Errors: WACTOR_ENOENT, WACTOR_ESTATE (it is running). */
WACTOR_API wactor_error wactor_restart_child(wactor_runtime *rt, wactor_pid sup, const char *id);
/* Forgets a terminated child's spec. Errors: WACTOR_ENOENT, WACTOR_ESTATE (it is running). */
WACTOR_API wactor_error wactor_delete_child(wactor_runtime *rt, wactor_pid sup, const char *id);

/* Kinds of actor (docs/ABI.md, "Kinds of actor"). Supervisors and components take each other's messages
 * never: the supervisor calls above on a pid that is not a supervisor (a component, a host actor, a
 * subscriber) return WACTOR_EINVAL and leave it untouched; wactor_send, wactor_ask, wactor_invoke,
 * wactor_invoke_values and wactor_health to a supervisor return WACTOR_EINVAL (diag, where there is one:
 * "not a component or host actor") — nothing is queued, nothing answered. A dead pid stays WACTOR_ENOENT. */

/* ---------------------------------------------------------------- observability
 * What an operator's view of a node reads (the admin console, the admin HTTP server: docs/OPERATIONS.md).
 * All thread-safe, never blocking on an actor: snapshots of the runtime's bookkeeping. */

/* The live components' pids in spawn order: up to `cap` into `out` (may be NULL when cap is 0), their
 * number into *n (may exceed cap; read again with a larger array). O(live components).
 * Errors: WACTOR_EINVAL (rt or n NULL). */
WACTOR_API wactor_error wactor_components(wactor_runtime *rt, wactor_pid *out, size_t cap, size_t *n);

/* The top-level supervisors (wactor_supervisor_start) still alive, in start order; as wactor_components. */
WACTOR_API wactor_error wactor_supervisors(wactor_runtime *rt, wactor_pid *out, size_t cap, size_t *n);

/* The name of `pid` into `buf` (NUL-terminated, truncated to cap bytes): the name registered for it now,
 * else, for a component (live or among the 4096 latest ended), the name it was spawned under.
 * Errors: WACTOR_ENOENT (no name: an unnamed or unknown actor; buf is ""), WACTOR_EINVAL. */
WACTOR_API wactor_error wactor_name_of(wactor_runtime *rt, wactor_pid pid, char *buf, size_t cap);

/* Adds an event handler beside the one of wactor_set_event_handler: every supervisor event goes to each
 * (in the order added), on scheduler threads; `fn` must not block nor call add/remove. At most
 * WACTOR_MAX_EVENT_HANDLERS. Errors: WACTOR_EFULL (that many already), WACTOR_EINVAL (fn NULL). */
#define WACTOR_MAX_EVENT_HANDLERS 8
WACTOR_API wactor_error wactor_add_event_handler(wactor_runtime *rt, wactor_event_fn fn, void *user);
/* Removes the handler added with the same fn and user; once it returns, `fn` is not running and will not be
 * called again. Errors: WACTOR_ENOENT (not added). */
WACTOR_API wactor_error wactor_remove_event_handler(wactor_runtime *rt, wactor_event_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif /* WACTOR_H */
