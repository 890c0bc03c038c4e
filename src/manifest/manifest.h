/*
 * manifest — the YAML description of a system: which components to start under which registered
 * names and limits, and which messages to send them first.
 *
 *     version: 1                        # optional: the manifest format (only 1 exists; absent = 1)
 *     components:
 *       - name: ping                    # registered name (required, unique)
 *         module: ping.wasm             # relative to the manifest file's directory (required)
 *         limits:                       # optional; 0 / absent = WACTOR_DEFAULT_* (include/wactor.h)
 *           memory_pages: 16            # linear memory cap, 64 KiB pages (0..65536)
 *           fuel: 1000000               # instructions per message / invocation (0 = unlimited)
 *           start_fuel: 100000000       # instructions for start-up (_initialize, _start)
 *           mailbox_bytes: 67108864     # bytes of queued payloads
 *           table_elements: 100000      # elements over all its tables
 *           max_spawned: 64             # live instances it may have spawned
 *           max_requests: 1024          # its requests awaiting an answer
 *           max_subscriptions: 256      # topic subscriptions
 *           max_monitors: 1024          # monitors it holds
 *           max_links: 1024             # links it holds
 *           log_bytes_per_sec: 1048576  # log volume
 *                                       # (same names as wactor_spawn_opts; u32 keys to 2^32-1, u64 to 2^64-1)
 *         capabilities:                 # optional; deny by default: absent = no grants (docs/ABI.md)
 *           send: [pong, "#12", "*"]    # targets of send / monitor / link: names, "#pid" or "*" (any)
 *           request: [kv]               # targets of request (same forms)
 *           publish: ["chat.>"]         # NATS subject patterns (wildcards allowed)
 *           subscribe: ["chat.*"]       # NATS subject patterns
 *           spawn: true                 # true | false (default false)
 *         mailbox: 1000                 # optional: mailbox capacity in messages (default 1024)
 *         max_message_bytes: 65536      # optional: largest message accepted, in bytes (default 16 MiB)
 *         wasi:                         # optional; deny by default: no args, no environment, no directories
 *           args: [ping, --verbose]     # argv, as given (scalars; numbers kept as written)
 *           env: { LANG: C, LEVEL: 3 }  # stored as "NAME=VALUE"
 *           dirs:                       # preopened directories; host paths relative to the manifest file
 *             - "data::/data"           # HOST::GUEST (split at the first "::"), read-write
 *             - { host: cache, guest: /cache, read_only: true }
 *     send:                             # optional; delivered in this order
 *       - to: ping
 *         json: {"count": 3}            # any YAML value, as compact JSON, prefixed 80 04 (JSON 0x0200)
 *       - to: pong
 *         text: "hello"                 # a JSON string, prefixed 80 04
 *       - to: pong
 *         cbor: a1 61 6e 01             # hex bytes (spaces allowed), prefixed 51 (CBOR 0x51)
 *       - to: pong
 *         borsh: 0300000000000000       # hex bytes, prefixed 81 0e (Borsh 0x0701)
 *     publish:                          # optional; published in this order, after all `send:` entries
 *       - topic: chat.room1             # NATS subject without wildcards
 *         json: {"text": "hello"}       # the same payload forms as in `send:` (json / text / cbor / borsh)
 *     supervisor:                       # optional: the root of the supervision tree
 *       name: root                      # required; registered name (unique among components and supervisors)
 *       strategy: one_for_one           # one_for_one | one_for_all | rest_for_one | simple_one_for_one
 *       intensity: 3                    # max restarts within period (default 1; 0..1000000; 0 = never
 *                                       # restart, as in OTP, and distinct from absent: intensity_given)
 *       period_ms: 5000                 # (default 5000; 1..86400000)
 *       backoff: { initial_ms: 10, multiplier: 2.0, max_ms: 1000 }   # optional (default: no backoff)
 *       children:                       # required (may be [] except for simple_one_for_one); start order
 *         - component: ping             # a name from `components:`; each component placed at most once
 *           restart: permanent          # permanent | transient | temporary (default permanent)
 *           shutdown_ms: 1000           # or `shutdown: brutal_kill | infinity | <ms>`
 *           health: { interval_ms: 200, timeout_ms: 100, threshold: 3 }   # optional
 *         - supervisor: { name: inner, strategy: rest_for_one, children: [ ... ] }
 *           restart: permanent          # restart / shutdown of a supervisor child sit beside `supervisor:`
 *     log:                              # optional: how `wactor run` writes log records (to stderr)
 *       level: info                     # trace | debug | info | warn | error (default info)
 *       format: text                    # text | json (default text); --log-level / --log-format override
 *
 * Components that the tree does not place (in_tree == false) are not supervised; the runtime decides
 * how to run them (today: started on their own, as without a tree).
 *
 * The text is hostile input. It is parsed with libyaml (src/manifest/document.c says why not libfyaml),
 * and bounded: MANIFEST_MAX_BYTES of text, MANIFEST_MAX_DEPTH levels of nesting, MANIFEST_MAX_NODES nodes
 * and MANIFEST_MAX_EXPANDED_BYTES scalar bytes with every alias counted as a copy of what it names (so an
 * alias bomb is refused, never expanded), one document, no duplicate keys; names at most
 * MANIFEST_MAX_NAME bytes, other strings MANIFEST_MAX_STRING, no NUL or control characters in names.
 * Every problem is a "FILE:LINE:COL: message" with the user's text escaped; nothing crashes or hangs.
 *
 * This layer only parses and validates; it starts nothing (the runtime turns a manifest into a
 * supervision tree). It has no global state: every function is thread-safe for distinct objects, and a
 * loaded manifest is immutable, so any number of threads may read it at once.
 */
#ifndef WACTOR_MANIFEST_H
#define WACTOR_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The public enums (wactor_strategy, wactor_restart, WACTOR_BRUTAL_KILL, WACTOR_INFINITY) and every
 * default (WACTOR_DEFAULT_*): the manifest layer sees no supervisor header. */
#include "wactor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest `limits.memory_pages` accepted: the whole wasm32 address space (65536 x 64 KiB). */
#define MANIFEST_MAX_MEMORY_PAGES 65536u
/* Largest payload a `send:` / `publish:` entry may produce, prefix included (the runtime's maximum
 * message size). */
#define MANIFEST_MAX_PAYLOAD (16u * 1024u * 1024u)

/* Largest `mailbox` (messages; default WACTOR_DEFAULT_MAILBOX). `max_message_bytes` is
 * 1..MANIFEST_MAX_PAYLOAD (default WACTOR_DEFAULT_MAX_MESSAGE_BYTES). */
#define MANIFEST_MAX_MAILBOX     10000000u
/* Longest `send` / `request` target accepted (the longest address the runtime resolves; REGISTRY_NAME_MAX). */
#define MANIFEST_MAX_TARGET 255u
/* Longest component or supervisor name (a registered name: REGISTRY_NAME_MAX), and longest other string
 * (module path, WASI argument, environment entry, directory). */
#define MANIFEST_MAX_NAME   255u
#define MANIFEST_MAX_STRING 4096u

/*
 * What a component may do (docs/ABI.md, "Capabilities"). Deny by default: a component without
 * `capabilities:` (or with an empty one) has every list empty and spawn false. The lists keep the
 * manifest's order and spelling (duplicates are kept); each array is NULL when its count is 0 (an empty
 * list or no value, `send:`, grants nothing).
 *   send, request    targets: a name (any non-empty text without control characters, at most
 *                    MANIFEST_MAX_TARGET bytes, not starting with '#'; not checked against the declared
 *                    components, since it may name anything registered later), "#<pid>" (decimal,
 *                    1..2^64-1, no sign or leading zeros, so it compares equal to a sender address as
 *                    text), or "*" (any target). `send` also governs monitor and link.
 *   publish,         NATS subject patterns, valid per broker_subject_valid(p, true): '*' one token,
 *   subscribe        '>' the remaining tokens ("chat.*", "chat.>", ">").
 *   spawn            may call `spawn`.
 */
typedef struct manifest_caps {
    char **send;
    size_t nsend;
    char **request;
    size_t nrequest;
    char **publish;
    size_t npublish;
    char **subscribe;
    size_t nsubscribe;
    bool spawn;
} manifest_caps;

/* A preopened directory (WASI preview1 `fd_prestat_get` / `path_open`): the host directory `host` appears to
 * the guest as `guest`. */
typedef struct manifest_dir {
    char *host;      /* resolved against the manifest's directory like `module` (absolute paths kept) */
    char *guest;     /* as written: non-empty, unique within the component */
    bool read_only;   /* default false */
    int line;        /* 1-based line of the entry */
} manifest_dir;

/* What WASI shows a component (docs/ABI.md, "WASI"). Deny by default: without `wasi:` there are no
 * arguments (argv is empty), no environment and no directories. Each array is NULL when its count is 0.
 * Every string is at most MANIFEST_MAX_STRING bytes and has no NUL byte. */
typedef struct manifest_wasi {
    char **args;          /* argv, in order (argv[0] included if given: nothing is added) */
    size_t nargs;         /* <= MANIFEST_MAX_WASI_ARGS */
    char **env;           /* "NAME=VALUE" (WASI `environ_get` form), in file order; NAME non-empty, no '=' */
    size_t nenv;          /* <= MANIFEST_MAX_WASI_ENV */
    manifest_dir *dirs;   /* in file order */
    size_t ndirs;         /* <= MANIFEST_MAX_WASI_DIRS */
} manifest_wasi;

#define MANIFEST_MAX_WASI_ARGS 1024u
#define MANIFEST_MAX_WASI_ENV  1024u
#define MANIFEST_MAX_WASI_DIRS 64u

typedef struct manifest_component {
    char *name;            /* registered name: non-empty, no control characters, not "host", no leading '#' */
    char *module_path;     /* `module`, resolved against the manifest's directory (absolute paths kept) */
    uint32_t memory_pages; /* linear memory cap in 64 KiB pages; 0 = default (the module's own maximum) */
    uint64_t fuel;         /* instructions per message/invocation; 0 = unlimited */
    int line;              /* 1-based line of the entry in the manifest, for diagnostics */
    bool in_tree;          /* placed in the supervision tree (as a child or a simple_one_for_one template) */
    manifest_caps caps;    /* grants; all empty / false without `capabilities:` */
    uint32_t mailbox;      /* mailbox capacity in messages, 1..MANIFEST_MAX_MAILBOX;
                              0 = not given (use WACTOR_DEFAULT_MAILBOX) */
    uint32_t max_message_bytes; /* largest message accepted, 1..MANIFEST_MAX_PAYLOAD;
                              0 = not given (use WACTOR_DEFAULT_MAX_MESSAGE_BYTES) */
    /* The other limits of wactor_spawn_opts, same names and meaning; 0 = not given (WACTOR_DEFAULT_*). */
    uint64_t mailbox_bytes;      /* bytes of queued payloads */
    uint64_t start_fuel;         /* instructions for start-up */
    uint32_t table_elements;     /* table elements */
    uint32_t max_spawned;        /* live instances it spawned */
    uint32_t max_requests;       /* outstanding requests */
    uint32_t max_subscriptions;  /* subscriptions */
    uint32_t max_monitors;       /* monitors held */
    uint32_t max_links;          /* links held */
    uint32_t log_bytes_per_sec;  /* log volume */
    manifest_wasi wasi;          /* all empty without `wasi:` */
} manifest_component;

/* An initial message: a `send:` entry (to a component) or a `publish:` entry (to a topic), delivered in file
 * order, sends first. */
typedef struct manifest_message {
    char *target;          /* send: the name of a component declared in the same manifest;
                              publish: a NATS subject without wildcards (broker_subject_valid(target, false)) */
    uint8_t *payload;      /* multicodec-prefixed bytes (e.g. 80 04 then compact JSON text) */
    size_t len;            /* bytes in payload, prefix included */
    int line;              /* 1-based line of the entry */
} manifest_message;

/* Bounds on the YAML itself (a manifest is hostile input: src/manifest/document.c). Aliases count
 * as copies of what they name, so a "billion laughs" file of a few hundred bytes is refused, not expanded. */
#define MANIFEST_MAX_BYTES          (64u * 1024u * 1024u) /* manifest text (a file or a string) */
#define MANIFEST_MAX_DEPTH          64                    /* nested collections (the root mapping is 1) */
#define MANIFEST_MAX_NODES          1000000u              /* scalars + collections, aliases expanded */
#define MANIFEST_MAX_EXPANDED_BYTES (64u * 1024u * 1024u) /* scalar bytes, aliases expanded */

/* Range limits of the supervision-tree fields (inclusive). */
#define MANIFEST_MAX_INTENSITY  1000000u
#define MANIFEST_MAX_MS         86400000u   /* one day: period, backoff, shutdown_ms, health times */
#define MANIFEST_MAX_MULTIPLIER 1000.0
#define MANIFEST_MAX_THRESHOLD  1000000u
#define MANIFEST_MAX_TREE_DEPTH 16          /* nested supervisors, root = depth 1 (YAML nesting is capped at 64) */

/* Defaults filled in by the parser: WACTOR_DEFAULT_INTENSITY, _PERIOD_MS, _SHUTDOWN_MS (workers;
 * supervisors get WACTOR_INFINITY), _HEALTH_TIMEOUT_MS (lowered to interval_ms), _HEALTH_THRESHOLD, and
 * these two, which only the manifest has: */
#define MANIFEST_DEFAULT_BACKOFF_MULT      2.0       /* when `backoff:` is given without `multiplier` */
#define MANIFEST_DEFAULT_BACKOFF_MAX_MS    30000u    /* ... without `max_ms` (raised to initial_ms if lower) */

typedef struct manifest_supervisor manifest_supervisor;

/* One entry of a supervisor's `children:` list: a component (worker), a nested supervisor, or a host actor
 * (`host: KIND`, a worker whose behaviour the embedding program registered under KIND with
 * wactor_host_register_kind; include/wactor_host.h). */
typedef struct manifest_child {
    bool is_supervisor;
    char *host_kind;                 /* a host actor child: its kind (owned); else NULL */
    char *host_name;                 /* ... its registered name (`name:`, owned; default: the kind) */
    manifest_caps host_caps;         /* ... its grants (`capabilities:`; default: none) */
    size_t component;                /* !is_supervisor: index into manifest.components */
    manifest_supervisor *supervisor; /* is_supervisor: the nested supervisor (owned); else NULL */
    wactor_restart restart;          /* default WACTOR_PERMANENT */
    int shutdown_ms;                 /* > 0 ms, WACTOR_BRUTAL_KILL or WACTOR_INFINITY; default
                                        WACTOR_DEFAULT_SHUTDOWN_MS (component), WACTOR_INFINITY (supervisor) */
    uint32_t health_interval_ms;     /* 0 = no health monitoring (always 0 for supervisor children) */
    uint32_t health_timeout_ms;      /* 0 when health_interval_ms == 0 */
    uint32_t health_threshold;       /* 0 when health_interval_ms == 0, else >= 1 */
    int line;                        /* 1-based line of the child entry */
} manifest_child;

struct manifest_supervisor {
    char *name;                      /* unique among supervisors and components; same rules as component names */
    wactor_strategy strategy;        /* default WACTOR_ONE_FOR_ONE */
    uint32_t intensity;              /* as given, 0 included (OTP: 0 = never restart, the first exit that
                                        would restart shuts the supervisor down); WACTOR_DEFAULT_INTENSITY
                                        (1) when absent. */
    bool intensity_given;            /* `intensity:` was written (so 0 is an explicit zero) */
    uint32_t period_ms;              /* default 5000, >= 1 */
    uint32_t backoff_initial_ms;     /* 0 = no backoff (no `backoff:`); else >= 1 */
    double backoff_multiplier;       /* 1.0 without backoff; else finite, 1 <= m <= 1000 */
    uint32_t backoff_max_ms;         /* 0 without backoff; else >= backoff_initial_ms */
    manifest_child *children;        /* in start order; NULL when nchildren == 0. For simple_one_for_one:
                                        exactly one, a component: the template (not started initially) */
    size_t nchildren;
    int line;                        /* 1-based line of the supervisor's mapping (its first key) */
};

/* The `http:` section: the admin HTTP server (docs/OPERATIONS.md; include/wactor_http.h).
 *     http:
 *       listen: 127.0.0.1:9100      # IPv4 HOST:PORT (required in the section; port 0 = any free port)
 *       token_file: admin.token     # optional; relative to the manifest's directory
 *       max_body_bytes: 65536       # optional (default 64 KiB; 1..16 MiB)
 *       max_connections: 32         # optional (default 32; 1..1024)
 * `wactor run --http` overrides listen; --http-token-file overrides token_file. */
typedef struct manifest_http {
    bool present;                   /* the section was given */
    char *host;                     /* "127.0.0.1" */
    uint16_t port;
    char *token_file;               /* resolved path, or NULL */
    uint32_t max_body_bytes, max_connections; /* 0 = the default */
    int line;
} manifest_http;

/* Splits "HOST:PORT" (IPv4 dotted quad or a name without ':'; port 0..65535 in decimal) into a malloc'd
 * *host and *port. Returns 0, or -1 (malformed, or ENOMEM). Pure, thread-safe (src/manifest/http.c). */
int manifest_split_listen(const char *text, char **host, uint16_t *port);
/* The `log:` section: the least level `wactor run` writes and how. Without it: info, text. */
typedef enum manifest_log_format { MANIFEST_LOG_TEXT, MANIFEST_LOG_JSON } manifest_log_format;
typedef struct manifest_log {
    wactor_log_level level;          /* default WACTOR_LOG_INFO */
    manifest_log_format format;      /* default MANIFEST_LOG_TEXT */
    bool level_given, format_given;  /* the key was written */
} manifest_log;
/* The manifest format version this parser reads: `version: 1` (absent = 1); any other is an error. */
#define MANIFEST_VERSION 1

/* Warnings kept per manifest; later ones are only counted (manifest.warnings_dropped). */
#define MANIFEST_MAX_WARNINGS 100u

/* Something the manifest allows but that is almost certainly a mistake: today, a `send` / `request`
 * capability target that names no component, supervisor or host actor child of the manifest (a typo such as
 * `request: [stroe]` would deny every request). `message` is "FILE:LINE:COL: warning: ..." (user text
 * escaped as in errors), with "; did you mean 'NAME'?" when a declared name is within edit distance 1
 * (names of up to 4 bytes) or 2. */
typedef struct manifest_warning {
    char *message;                  /* NUL-terminated, owned by the manifest */
    int line, col;                  /* 1-based */
} manifest_warning;

typedef struct manifest {
    int version;                    /* `version:`, MANIFEST_VERSION (absent = 1) */
    manifest_warning *warnings;     /* in the order found (capability targets: file order); NULL if none.
                                       The caller prints them (the CLI: to stderr) */
    size_t nwarnings;               /* <= MANIFEST_MAX_WARNINGS */
    size_t warnings_dropped;        /* warnings beyond MANIFEST_MAX_WARNINGS, not kept */
    size_t warnings_cap;            /* (allocation of `warnings`) */
    manifest_component *components; /* in file order */
    size_t ncomponents;             /* >= 1 */
    manifest_message *sends;           /* in file order; NULL when nsends == 0 */
    size_t nsends;
    manifest_message *publishes;    /* in file order, delivered after all sends; NULL when npublishes == 0 */
    size_t npublishes;
    char *path;                     /* copy of the path given to load/parse, or NULL if none was given */
    manifest_supervisor *supervisor; /* root of the supervision tree; NULL without `supervisor:` */
    manifest_http http;             /* the `http:` section (http.present) */
    manifest_log log;               /* `log:`; the defaults without it */
} manifest;

/*
 * Reads the file at `path` and parses it as manifest_parse() does, with `path` as the name in
 * messages and the base directory for module paths.
 *
 * On success returns 0 and stores a new manifest in *out (owned by the caller: manifest_free()).
 * On failure returns -1, leaves *out NULL and writes a NUL-terminated message into `err` (truncated to
 * `errlen` bytes; `err` may be NULL or errlen 0 to discard it):
 *   - "PATH: cannot read: <reason>" when the file cannot be opened or read (or exceeds MANIFEST_MAX_BYTES),
 *   - otherwise the "PATH:LINE:COL: message" errors of manifest_parse().
 * Thread-safe.
 */
int manifest_load(const char *path, manifest **out, char *err, size_t errlen);

/*
 * Parses `len` bytes of YAML `text` (need not be NUL-terminated; not retained).
 *
 * `path_for_errors_and_base_dir` names the source in messages and gives the directory that relative
 * `module:` paths are resolved against (its part before the last '/'; none: paths are kept as written,
 * i.e. relative to the current directory). It may be NULL: messages then say "<string>".
 *
 * On success returns 0 and stores a new manifest in *out (owned by the caller: manifest_free()).
 * On failure returns -1, leaves *out NULL and writes "FILE:LINE:COL: message" (1-based line and
 * column) into `err` (truncated to `errlen`; may be NULL). The first problem found is reported:
 *   - YAML syntax errors, with the YAML parser's own message and position (also duplicate mapping keys),
 *   - an empty document or a root that is not a mapping,
 *   - unknown keys ("unknown key 'modul' in component"; also at top level, in limits, capabilities, send
 *     and publish entries),
 *   - missing required keys ('components', a component's 'name' / 'module', a send entry's 'to' and
 *     exactly one of 'json' / 'text' / 'cbor' / 'borsh'),
 *   - wrong types (a string where a list is wanted, a quoted or fractional number for a limit, ...),
 *   - a duplicate component name, a reserved name ("host", "#..."),
 *   - negative, fractional, quoted or overflowing limits (memory_pages > 65536, a u32 limit > 2^32-1, a u64
 *     one > 2^64-1),
 *   - input that is not UTF-8 or has control characters, directives other than %YAML / %TAG, a second
 *     document, an unknown alias, more than MANIFEST_MAX_BYTES, MANIFEST_MAX_DEPTH, MANIFEST_MAX_NODES or
 *     MANIFEST_MAX_EXPANDED_BYTES (aliases expanded), a name over MANIFEST_MAX_NAME bytes or another
 *     string over MANIFEST_MAX_STRING,
 *   - in `wasi:`: unknown keys, args not a list of scalars, env not a mapping, a name with '=' or control
 *     characters, a NUL in a value, a dirs entry that is neither "HOST::GUEST" nor {host, guest,
 *     read_only}, a guest directory given twice, more than MANIFEST_MAX_WASI_ARGS / _ENV / _DIRS entries,
 *   - a `send.to` that names no declared component, bad hex in cbor/borsh, a `json:` value with no JSON
 *     form (.inf, .nan), a payload over 16 MiB,
 *   - in `capabilities:`: unknown keys, a grant that is not a list (or, for 'spawn', not true/false),
 *     an entry that is not a string, empty, has control characters or is too long, a '#' target that
 *     is not a canonical pid ("#12"), a publish / subscribe pattern that is not a valid NATS pattern,
 *   - a `mailbox` outside 1..10000000, a `max_message_bytes` outside 1..16777216,
 *   - in `publish:` entries: the same as in send entries with 'topic' for 'to' (unknown keys, missing
 *     'topic' or payload, two payloads, bad payloads), and a topic that is not a NATS subject or has
 *     wildcards,
 *   - a `version:` other than the plain integer 1 ("unsupported manifest version"),
 *   - in `supervisor:`: unknown keys (also in children, backoff, health), a missing 'name' / 'children',
 *     a child with neither or both of 'component' / 'supervisor', a child component that names no
 *     declared component or is placed a second time, a duplicate supervisor name or one that clashes
 *     with a component name, an unknown strategy / restart / shutdown value, both 'shutdown' and
 *     'shutdown_ms', 'health' on a supervisor child, simple_one_for_one without exactly one child or
 *     with a supervisor as its child, values out of range (intensity, period_ms, backoff, shutdown_ms,
 *     health), a backoff multiplier below 1 (or not a finite number), backoff max_ms < initial_ms,
 *     supervisors nested more than MANIFEST_MAX_TREE_DEPTH deep.
 *   - in `log:`: not a mapping, unknown keys, a level other than trace / debug / info / warn / error, a
 *     format other than text / json.
 * A manifest that parses may still carry warnings (manifest.warnings, see manifest_warning): they never
 * make the parse fail.
 * Thread-safe. Returns -1 with "invalid argument" if text or out is NULL.
 */
int manifest_parse(const char *text, size_t len, const char *path_for_errors_and_base_dir,
                   manifest **out, char *err, size_t errlen);

/* Frees a manifest and everything it owns. NULL is a no-op. Not concurrently with readers of `m`. */
void manifest_free(manifest *m);

#ifdef __cplusplus
}
#endif
#endif /* WACTOR_MANIFEST_H */
