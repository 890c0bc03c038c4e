/*
 * engine.h — the C interface to the WebAssembly engine (wabt 1.0.32's interpreter, adapted by the C++ files
 * beside this header; internal.hpp has their map).
 *
 * The engine knows nothing of actors. It loads and validates modules, instantiates them with a memory cap,
 * calls exports with typed values — either to completion or in bounded slices of instructions that can be
 * suspended and resumed later (on any thread) — and resolves imports against host functions.
 *
 * Threading: an eng_module is immutable and may be shared by any threads. An eng_instance owns its own
 * store and may be used by one thread at a time (any thread; never two at once). Instances linked into one
 * store group (eng_instance_opts.share_store / links) are used by one thread at a time all together.
 *
 * Footprint per instance: a wabt Store holding its own copy of the module's small descriptions (types,
 * imports, exports, tables, globals, segments; the function descriptions and the compiled code are NOT
 * copied: they are read-only views of the module's one copy), wabt's per-function objects (~290 bytes per
 * function: a 100,000-function module costs ~28.5 MB per instance, a 1-function module ~11 KiB; measured
 * with tests/rss/engine_rss; host memory that no guest limit charges, so operators should size the
 * modules they deploy knowingly), the linear memory (a mapping as large as the memory's maximum, resident
 * only where the guest touched it), one host-function object per import, and a wabt Thread whose call stack
 * is reserved up front (40 bytes x max_call_depth frames: 40 KiB by default) and whose value stack starts at
 * 1024 values (16 KiB) and grows on demand. Instantiating a small module takes ~9 us (release build).
 */
#ifndef WACTOR_ENGINE_H
#define WACTOR_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wactor.h" /* wactor_value, wactor_valtype, wactor_trap_kind, wactor_diag */

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
#define ENG_STATIC_ASSERT static_assert
#else
#define ENG_STATIC_ASSERT _Static_assert
#endif

#define ENG_PAGE_SIZE 65536u
#define ENG_MAX_PARAMS 32 /* most parameters/results a signature may have to be callable through us */
ENG_STATIC_ASSERT(ENG_MAX_PARAMS == WACTOR_MAX_PARAMS, "eng_functype and wactor_functype must have the same room");

typedef struct eng_module eng_module;
typedef struct eng_instance eng_instance;
typedef struct eng_wasi eng_wasi; /* WASI preview1 configuration, defined below */

typedef struct eng_functype {
    uint32_t nparams, nresults;
    wactor_valtype params[ENG_MAX_PARAMS];
    wactor_valtype results[ENG_MAX_PARAMS];
} eng_functype;

/* Results of running guest code. */
typedef enum eng_status {
    ENG_DONE = 0,    /* the call returned; results are available */
    ENG_SUSPENDED,   /* the instruction budget ran out; call eng_resume() to continue */
    ENG_TRAPPED,     /* the guest trapped; the instance is dead and will refuse further calls (unless it was
                        made with keep_after_trap) */
    ENG_ERROR        /* the call could not start (unknown export, bad arguments, dead instance) */
} eng_status;

/* ------------------------------------------------------------------ modules */

/* Decodes and validates `len` bytes. Identical bytes return the same cached compiled module with its
 * reference count raised (content hash + byte compare). *out must be released with eng_module_release().
 * Returns 0, or -1 with diag->message saying what is wrong (e.g. "0000008: error: unable to read u32
 * leb128: version"). Custom sections are checked as the core spec says (5.5.3): a section size or name length
 * that is not a proper LEB128 u32 or runs past its end, or a name that is not well-formed UTF-8, is refused
 * ("000000b: error: custom section name is malformed UTF-8"); their contents are never interpreted, so a
 * custom section wabt would parse (linking, reloc.*, dylink.0, target_features, name) is accepted whatever
 * it holds. Thread-safe.
 * The first call also sets glibc's M_TOP_PAD to 1 MiB for the process (see "heap padding" in module.cpp). */
int eng_module_load(const void *bytes, size_t len, eng_module **out, wactor_diag *diag);
/* WebAssembly text -> binary: converts `len` bytes of the text format (core spec chapter 6; one module,
 * "(module ...)" or its fields alone) into a binary module for eng_module_load, with wabt's parser, name
 * resolution and validator (the same features eng_module_load accepts). `filename` (may be NULL) names the
 * text in messages. On success returns 0 and *out is a malloc'd buffer (free()) of *out_len bytes. Returns -1
 * with diag->message "FILE:LINE:COL: error: MESSAGE[ (and N more)]" for the first syntax or validation
 * error, "FILE:LINE:COL: error: parentheses nested deeper than 1000" (ENG_WAT_MAX_DEPTH, checked before
 * wabt's recursive parser sees the text), "out of memory", or "invalid argument". Thread-safe. */
#define ENG_WAT_MAX_DEPTH 1000
int eng_wat_to_wasm(const char *text, size_t len, const char *filename, uint8_t **out, size_t *out_len,
                    wactor_diag *diag);
void eng_module_retain(eng_module *m);
void eng_module_release(eng_module *m);

/* Number of entries in the module-cache (compiled modules alive). For tests and stats. */
size_t eng_module_cache_size(void);

/* The kinds of imports and exports; the same values as wactor_extern_kind (checked below), so the runtime can
 * hand them on unchanged. */
typedef enum eng_extern_kind {
    ENG_EXTERN_FUNC = WACTOR_EXTERN_FUNC,
    ENG_EXTERN_TABLE = WACTOR_EXTERN_TABLE,
    ENG_EXTERN_MEMORY = WACTOR_EXTERN_MEMORY,
    ENG_EXTERN_GLOBAL = WACTOR_EXTERN_GLOBAL
} eng_extern_kind;
ENG_STATIC_ASSERT((int)ENG_EXTERN_FUNC == (int)WACTOR_EXTERN_FUNC && (int)ENG_EXTERN_TABLE == (int)WACTOR_EXTERN_TABLE &&
                   (int)ENG_EXTERN_MEMORY == (int)WACTOR_EXTERN_MEMORY &&
                   (int)ENG_EXTERN_GLOBAL == (int)WACTOR_EXTERN_GLOBAL,
               "eng_extern_kind parallels wactor_extern_kind");

typedef struct eng_extern_info {
    eng_extern_kind kind;
    const char *module;     /* imports only; valid while the module lives */
    const char *name;
    eng_functype type;      /* for functions */
    uint32_t mem_min, mem_max; /* for memories, in pages; mem_max = UINT32_MAX when unbounded */
} eng_extern_info;

size_t eng_module_import_count(const eng_module *m);
size_t eng_module_export_count(const eng_module *m);
/* The content hash the module cache keys it by (hash_bytes of the module bytes: identical bytes, identical
 * hash; not a cryptographic digest). 0 for NULL. Any thread. */
uint64_t eng_module_hash(const eng_module *m);
/* Fills *info for import/export `i` (0-based). Returns 0, or -1 if out of range. */
int eng_module_import(const eng_module *m, size_t i, eng_extern_info *info);
int eng_module_export(const eng_module *m, size_t i, eng_extern_info *info);
/* Looks up a function export by name; fills *type if non-NULL. Returns true if present and callable through
 * this interface: exports whose signature uses other types than i32/i64/f32/f64 (v128, references) or more
 * than ENG_MAX_PARAMS parameters/results are reported as absent (eng_call refuses them). */
bool eng_module_has_func(const eng_module *m, const char *name, eng_functype *type);

/* ------------------------------------------------------------------ host functions */

typedef struct eng_call_ctx eng_call_ctx; /* the calling instance, during a host call */

/* A host function. `args` has the import's parameters, `results` room for its results.
 * Return 0 to continue, or -1 after eng_host_trap() to trap the calling guest. */
typedef int (*eng_host_fn)(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data);

typedef struct eng_host_func {
    const char *module;     /* import module, e.g. "wactor", "wasi_snapshot_preview1" */
    const char *name;
    eng_functype type;
    eng_host_fn fn;
    void *fn_data;          /* passed back as fn_data */
} eng_host_func;

/* The instance being called into, and its user data (eng_instance_opts.user). */
eng_instance *eng_ctx_instance(eng_call_ctx *ctx);
void *eng_ctx_user(eng_call_ctx *ctx);
const eng_wasi *eng_ctx_wasi(eng_call_ctx *ctx);

/* Bounds-checked view of the calling instance's linear memory: a pointer to `len` bytes at guest
 * address `ptr`, or NULL if [ptr, ptr+len) is outside memory (or there is no memory). The sum is computed in
 * 64 bits, so ptr+len cannot wrap. len == 0 is valid for any ptr <= the memory size. Valid only until the
 * host function returns (memory may move on grow). */
void *eng_ctx_mem(eng_call_ctx *ctx, uint32_t ptr, uint32_t len);

/* Makes the host function trap the guest with `kind` (WACTOR_TRAP_HOST, WACTOR_TRAP_EXIT, ...) and a
 * printf-style message (truncated to WACTOR_DIAG_MAX); the host function then returns -1. For
 * WACTOR_TRAP_EXIT, exit_code is kept (diag->exit_code). The first call wins; WACTOR_TRAP_NONE means HOST.
 * A host function that returns -1 without calling this traps with WACTOR_TRAP_HOST "host function M.N failed".
 * Host traps keep their kind: the memory-limit rule (see eng_call) does not apply to them. */
void eng_host_trap(eng_call_ctx *ctx, wactor_trap_kind kind, int exit_code, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* ------------------------------------------------------------------ instances */

/* Links an import module name to an instance: imports "module.NAME" of any kind (function, table, memory,
 * global) resolve to that instance's export NAME, the same wabt object, shared (WebAssembly core spec 4.5.4
 * "Instantiation", import matching as in 4.5.2 "Import Matching": types and limits are checked, a mismatch is
 * an instantiation error "incompatible import type ..."/wabt's message). */
typedef struct eng_link {
    const char *module;     /* the import module name, e.g. "spectest" */
    eng_instance *instance; /* must be in the new instance's store (see share_store) */
} eng_link;

#define ENG_DEFAULT_TABLE_ELEMS 100000u /* default table-element cap per table (8 bytes each on the host) */

typedef struct eng_instance_opts {
    uint32_t max_pages;               /* memory cap in pages; 0 = the module's own limit */
    const eng_host_func *imports;     /* resolution table: every module import must match one entry */
    size_t nimports;                  /*   (module, name and signature); the table must outlive the instance */
    const eng_wasi *wasi;             /* non-NULL: imports from "wasi_snapshot_preview1" not found in
                                         `imports` resolve to the built-in WASI functions, configured by
                                         this struct (must outlive the instance) */
    void *user;                       /* returned by eng_ctx_user() / eng_instance_user() */
    uint32_t max_call_depth;          /* 0 = default (1024 frames); counts wasm and host-function frames;
                                         at most 1<<20 (else eng_instance_new fails). Exceeding it is the trap
                                         WACTOR_TRAP_STACK_EXHAUSTED, never a host stack overflow (wabt keeps
                                         wasm frames on the heap) */
    const eng_link *links;            /* import modules resolved to other instances (functions not found in */
    size_t nlinks;                    /*   `imports` are looked up here, then in WASI); may be NULL */
    eng_instance *share_store;        /* non-NULL: the new instance lives in this instance's store group (the
                                         default with links: the first link's group); otherwise it gets a
                                         store of its own. Instances of one group may be used by only one
                                         thread at a time, all together; the group's store (and whatever any
                                         member allocated in it) is freed when its last member is freed */
    bool defer_start;                 /* true: do not run the start function; the caller runs it with
                                         eng_instance_start() (sliced, like any call) before other calls */
    bool keep_after_trap;             /* true: a trap ends the call, not the instance (the WebAssembly spec's
                                         semantics, for the spec testsuite); the next call starts on a fresh
                                         interpreter stack with memories, tables and globals as the trap left
                                         them. false (wactor's rule): a trapped instance is dead */
    uint32_t max_table_elems;         /* cap on each defined table's elements; 0 = ENG_DEFAULT_TABLE_ELEMS
                                         (100,000: 800 KB of host memory per table), UINT32_MAX = the spec's
                                         limit (2^32-1). The table's maximum becomes min(declared maximum,
                                         cap); table.grow past it returns -1 */
} eng_instance_opts;

/* Instantiates `m` (retained by the instance). Unless opts->defer_start, runs the module's start function,
 * if any, to completion (no instruction budget) on the instance's own interpreter thread: a start function
 * that never returns then never returns here either, so hosts of untrusted guests should defer it.
 * Memory: with max_pages != 0 the memory's maximum becomes min(module maximum, max_pages), and memory.grow
 * past it returns -1. A memory without a declared maximum and no cap may grow to 65536 pages (4 GiB): callers
 * hosting untrusted guests should always set a cap. A memory of 0 pages maximum has no storage at all.
 * Tables: likewise capped by max_table_elems (default ENG_DEFAULT_TABLE_ELEMS).
 * Imports resolve to opts->imports (functions), then opts->links (any kind), then WASI (functions); tables,
 * memories and globals can come only from links ("unknown import M.N (table imports come only from linked
 * instances)"). Caps apply to the instance's own memories and tables, not to imported ones.
 * Errors (returns -1, *out = NULL, diag filled): unresolved import ("unknown import wactor.foo"), import
 * signature mismatch ("import wactor.foo signature mismatch: module expects (i32) -> (), host provides
 * (i64) -> ()"), memory minimum above the cap ("memory minimum of 4 pages is above the cap of 2 pages"),
 * table minimum above the cap ("table minimum of 200000 elements is above the cap of 100000 elements"),
 * instantiation failure ("instantiation failed: out of bounds memory access: data segment ..."), or a trap in
 * the start function ("start function trapped: <wabt message>", diag->trap = the trap's kind). Elements and
 * data a failed instantiation wrote into imported tables and memories stay written (as the spec says). */
int eng_instance_new(eng_module *m, const eng_instance_opts *opts, eng_instance **out, wactor_diag *diag);
void eng_instance_free(eng_instance *inst);

void *eng_instance_user(eng_instance *inst);
const eng_module *eng_instance_module(eng_instance *inst);
/* True once the instance has trapped: it will never run again. */
bool eng_instance_dead(const eng_instance *inst);

/* Runs the start function of an instance made with opts->defer_start, for up to `budget` instructions
 * (0 = no bound), as an ordinary call: ENG_DONE (the start function returned; also at once, running
 * nothing, when there is no start function or it already returned, so calling this is always safe; the
 * instance is then ready for eng_call), ENG_SUSPENDED (continue with eng_resume(), or give up with
 * eng_abort()), ENG_TRAPPED (the instance is dead; diag as for eng_call, with the trap's own kind: the
 * caller decides whether to report a start failure). ENG_ERROR: "instance is dead", "a call is already in
 * progress". `executed` as for eng_call; the same memory-limit rule applies. Until the start function has
 * returned, eng_call refuses with "start function has not run" (WebAssembly core spec 4.5.4: the start
 * function completes instantiation). Thread-safety: as any call on the instance. */
eng_status eng_instance_start(eng_instance *inst, uint64_t budget, uint64_t *executed, wactor_diag *diag);

/* Reads exported global `name` into *out. Returns 0, or -1 if there is no such export, it is not a global, or
 * its type is not i32/i64/f32/f64. */
int eng_instance_global(eng_instance *inst, const char *name, wactor_value *out);

/* Linear memory (export "memory" or the first memory): the base pointer and its size in bytes. Valid until
 * the next guest call (grow moves it). Returns NULL when the instance has no memory. */
uint8_t *eng_instance_memory(eng_instance *inst, uint32_t *size_bytes);
/* Bounds-checked pointer into memory, as eng_ctx_mem(). */
void *eng_instance_mem(eng_instance *inst, uint32_t ptr, uint32_t len);

/* Starts a call to export `name` with `nargs` typed arguments (types must match exactly) and runs up to
 * `budget` instructions (0 = no bound).
 * ENG_DONE: results are ready (eng_call_results). ENG_SUSPENDED: call eng_resume(). ENG_TRAPPED: diag has
 * the trap kind and wabt's message; the instance is dead. ENG_ERROR: nothing ran (unknown export -> diag
 * "unknown export NAME", wrong arity "wrong number of arguments for NAME: expected 2, got 1", wrong type
 * "argument 2 of NAME: expected i32, got i64", "a call is already in progress", "instance is dead").
 * `executed` (may be NULL) receives the exact number of wasm instructions run (wabt's internal instruction
 * stream; a host-function call counts as one), so budgets add up: a call sliced into many budgets runs the
 * same total as one unbounded call.
 *
 * Memory-limit rule: wabt does not report that a memory.grow was refused, so with a cap set (max_pages != 0)
 * the engine watches the result of every memory.grow the call executes. A trap is reported as
 * WACTOR_TRAP_MEMORY_LIMIT exactly when (1) a cap was set, (2) a memory.grow earlier in this call (the
 * outermost eng_call/eng_instance_start and its eng_resume slices) returned -1, and (3) the trap is an
 * out-of-bounds memory access or `unreachable` (what a guest's allocator does after a refused grow: abort()
 * or a write through a bad pointer). diag->message still holds wabt's message. Every other trap keeps its
 * kind (call stack exhausted, undefined table index, ... even at the cap), and so does any trap in a call
 * without a refused grow. Host traps (HOST, EXIT) are never reclassified.
 *
 * Re-entry: called from inside a host function of the same instance (e.g. to run cabi_realloc), eng_call
 * runs the nested call to completion on the same interpreter stack; `budget` is ignored (the nested
 * instructions are not counted against the outer call's budget). If the nested call traps, the instance is
 * dead and the outer call traps with the same kind when the host function returns. eng_resume/eng_abort/
 * eng_instance_free must not be called from inside a host function of the same instance. */
eng_status eng_call(eng_instance *inst, const char *name, const wactor_value *args, size_t nargs,
                    uint64_t budget, uint64_t *executed, wactor_diag *diag);

/* Continues a suspended call for up to `budget` more instructions (0 = no bound). Same results. */
eng_status eng_resume(eng_instance *inst, uint64_t budget, uint64_t *executed, wactor_diag *diag);

/* Abandons a suspended call (e.g. fuel exhausted or shutdown); the instance becomes dead and its
 * interpreter stack is freed. `kind`/`message` are for the caller's records only (the engine keeps no
 * diagnosis). Also kills an idle instance. A no-op when called from inside a host function. */
void eng_abort(eng_instance *inst, wactor_trap_kind kind, const char *message);

/* After ENG_DONE: copies up to `cap` results and returns their count (which may exceed `cap`). Returns 0
 * after a trap or error. */
size_t eng_call_results(eng_instance *inst, wactor_value *results, size_t cap);

/* Convenience: eng_call() to completion with no budget. Returns the status (never ENG_SUSPENDED). */
eng_status eng_call_sync(eng_instance *inst, const char *name, const wactor_value *args, size_t nargs,
                         wactor_value *results, size_t cap, size_t *nresults, wactor_diag *diag);

/* Maps wabt's trap message to a kind ("integer divide by zero" -> WACTOR_TRAP_INT_DIV_BY_ZERO). Note: a
 * float->int conversion of NaN is "invalid conversion to integer" (WACTOR_TRAP_INVALID_CONVERSION), but an
 * out-of-range one is "integer overflow" (WACTOR_TRAP_INT_OVERFLOW), in wabt as in the spec test suite.
 * "undefined table index" (call_indirect past the table end) maps to WACTOR_TRAP_OOB_TABLE. Unknown or NULL
 * messages -> WACTOR_TRAP_OTHER. Thread-safe. */
wactor_trap_kind eng_trap_kind_from_message(const char *message);

/* ------------------------------------------------------------------ WASI preview1 (wasi*.c) */

/* Where a guest's stdout/stderr bytes go. Called with raw bytes (may contain partial lines; wasi-libc's
 * printf often writes a line and its "\n" as separate calls), on the thread running the guest. `fd` is the
 * stream (1 = stdout, 2 = stderr), whatever guest fd number it sits at after fd_renumber. */
typedef void (*eng_wasi_write_fn)(void *write_user, int fd, const uint8_t *bytes, size_t len);

/* Where a guest's stdin bytes come from (NULL: stdin is at end of file). Fills up to `len` bytes of `buf`
 * (len <= eng_wasi_limits.max_io_bytes) and returns how many (0 = end of file), or -1 for an I/O error
 * (WASI EIO). It may block the calling thread (fine for a command, not for a component on a scheduler). */
typedef long (*eng_wasi_read_fn)(void *read_user, uint8_t *buf, size_t len);

/* A host directory the guest sees at `guest_path` (e.g. "/data" or "."), as wasi-libc's preopens. */
typedef struct eng_wasi_preopen {
    const char *host_path;  /* opened once by eng_wasi_open(); everything the guest reaches is beneath it */
    const char *guest_path; /* the name reported by fd_prestat_dir_name; non-empty, at most 4096 bytes */
    bool read_only;         /* no write, create, remove, rename, link, symlink, set-size or set-times rights */
} eng_wasi_preopen;

/* Bounds on the host work one WASI call may cause. 0 in any field = the default named beside it. */
typedef struct eng_wasi_limits {
    uint32_t max_fds;             /* open fds per instance, stdio and preopens included (default 1024);
                                     path_open beyond it returns EMFILE */
    uint32_t max_io_bytes;        /* bytes one fd_read/fd_write/fd_pread/fd_pwrite moves (default 1 MiB):
                                     more is a short count, as POSIX allows; stdout/stderr included */
    uint32_t max_iovecs;          /* iovecs per read/write call (default 1024, POSIX IOV_MAX): more is EINVAL */
    uint32_t max_poll_subscriptions; /* subscriptions per poll_oneoff (default 64): more is EINVAL */
    uint32_t max_random_bytes;    /* bytes per random_get (default 1 MiB): more is EINVAL */
    uint32_t max_readdir_bytes;   /* buffer bytes per fd_readdir (default 64 KiB; wasi-libc uses 4 KiB):
                                     a larger buf_len is EINVAL (a shorter fill would read as the end) */
    uint32_t max_path_bytes;      /* bytes of a guest path (default 4096, PATH_MAX): more is ENAMETOOLONG */
    uint64_t max_poll_block_us;   /* longest one poll_oneoff blocks its thread, in us (default 10,000 =
                                     10 ms; UINT64_MAX = no bound, for commands; ENG_WASI_POLL_NEVER_BLOCKS
                                     = not at all, for guests on scheduler threads). A clock subscription
                                     later than that is reported as fired when the bound ends (an early
                                     wake-up: a sleep is cut short, never a hang of a scheduler thread) */
} eng_wasi_limits;

#define ENG_WASI_DEFAULT_MAX_FDS 1024u
#define ENG_WASI_DEFAULT_MAX_IO_BYTES (1u << 20)
#define ENG_WASI_DEFAULT_MAX_IOVECS 1024u
#define ENG_WASI_DEFAULT_MAX_POLL_SUBSCRIPTIONS 64u
#define ENG_WASI_DEFAULT_MAX_RANDOM_BYTES (1u << 20)
#define ENG_WASI_DEFAULT_MAX_READDIR_BYTES (64u << 10)
#define ENG_WASI_DEFAULT_MAX_PATH_BYTES 4096u
#define ENG_WASI_DEFAULT_MAX_POLL_BLOCK_US 10000u
#define ENG_WASI_POLL_NEVER_BLOCKS 1u /* max_poll_block_us: a clock not yet due fires at once */

typedef struct eng_wasi_fds eng_wasi_fds; /* per-instance fd table (wasi_fd.c), made by eng_wasi_open */

/* The WASI configuration of one instance (eng_instance_opts.wasi). Deny by default: a zeroed struct has no
 * arguments, no environment, no preopened directories, stdout/stderr dropped, stdin at end of file. The
 * struct and everything it points to must outlive the instance; it must not be shared by two live instances
 * once opened (the fd table is per instance). */
struct eng_wasi {
    eng_wasi_write_fn write;
    void *write_user;
    const char *const *argv;  /* argc strings (argv[0] is the program name, by convention); may be NULL */
    int argc;
    const char *const *environ; /* "K=V" strings, may be NULL */
    int nenviron;
    const eng_wasi_preopen *preopens; /* npreopens entries; guest fds 3, 4, ... in this order */
    size_t npreopens;
    eng_wasi_read_fn read;    /* stdin; NULL = end of file */
    void *read_user;
    eng_wasi_limits limits;
    eng_wasi_fds *fds;        /* private: set by eng_wasi_open(), freed by eng_wasi_close() */
};

/* Opens the preopened directories and builds the fd table (0 stdin, 1 stdout, 2 stderr, 3.. preopens) in
 * w->fds. Without it (w->fds == NULL) the guest has the three standard streams only, which it cannot
 * close or renumber. Each preopen is opened with O_DIRECTORY; a host_path that is missing or not a
 * directory is an error. Returns 0, or -1 with diag->message ("wasi: preopen /x: No such file or
 * directory", "wasi: preopen 2: empty guest path", "wasi: 1100 preopens exceed max_fds 1024",
 * "wasi: already open", "wasi: out of memory"); nothing stays open on error.
 * Call before eng_instance_new(); not thread-safe with calls into the instance. */
int eng_wasi_open(eng_wasi *w, wactor_diag *diag);

/* Closes every host fd of the table and frees it (w->fds = NULL). Call after eng_instance_free(). NULL and
 * never-opened structs are fine. */
void eng_wasi_close(eng_wasi *w);

/* All 46 WASI preview1 host functions (module "wasi_snapshot_preview1", WebAssembly/WASI
 * legacy/preview1/witx/wasi_snapshot_preview1.witx), so any preview1 module instantiates. Each reads its
 * configuration with eng_ctx_wasi(). Returns the static table and its length. Thread-safety: a call
 * touches only its own instance's eng_wasi.
 * Errno values are preview1's (EBADF 8, EFAULT 21, EINVAL 28, ENOSYS 52, ENOTSUP 58, ESPIPE 70,
 * ENOTCAPABLE 76, ...). A bad guest pointer returns EFAULT (the guest keeps running); every guest buffer is
 * checked before anything is read or written.
 * - Files: path_* and fd_* work beneath the preopened directories only. Every path is resolved by the
 *   kernel with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): "..", absolute paths and symlinks that
 *   lead out (also absolute symlinks inside, and races with renames) are ENOTCAPABLE; the last component
 *   of a non-following operation is never followed. Only regular files and directories can be opened
 *   (FIFOs and devices would block the thread): others are ENOTSUP. Rights are honoured (ENOTCAPABLE): a
 *   file's rights are those requested in path_open, masked by its directory's inheriting rights.
 * - stdout/stderr go to eng_wasi.write; stdin comes from eng_wasi.read. Clocks: realtime, monotonic (ns);
 *   the CPU-time clocks are EINVAL (an actor migrates between threads). random_get uses getrandom().
 * - poll_oneoff: clock subscriptions (relative and absolute) and fd subscriptions (files, directories and
 *   the standard streams are always ready); blocks at most max_poll_block_us.
 * - Not provided: sockets (sock_* on a valid fd: ENOTSOCK; else EBADF; no sockets can be preopened),
 *   fd_allocate (ENOTSUP, as wasmtime: it would reserve host disk space), proc_raise (ENOSYS).
 * - proc_exit(N) traps with WACTOR_TRAP_EXIT and exit code N. sched_yield is a no-op (the scheduler
 *   bounds slices already). */
const eng_host_func *eng_wasi_funcs(size_t *count);

#ifdef __cplusplus
}
#endif
#endif /* WACTOR_ENGINE_H */
