/*
 * manifest — the YAML description of a system: which components to start under which registered
 * names and limits, and which messages to send them first.
 *
 *     components:
 *       - name: ping                    # registered name (required, unique)
 *         module: ping.wasm             # relative to the manifest file's directory (required)
 *         limits: { memory_pages: 16, fuel: 1000000 }   # optional
 *     send:                             # optional; delivered in this order
 *       - to: ping
 *         json: {"count": 3}            # any YAML value, as compact JSON, prefixed 80 04 (JSON 0x0200)
 *       - to: pong
 *         text: "hello"                 # a JSON string, prefixed 80 04
 *       - to: pong
 *         cbor: a1 61 6e 01             # hex bytes (spaces allowed), prefixed 51 (CBOR 0x51)
 *       - to: pong
 *         borsh: 0300000000000000       # hex bytes, prefixed 81 0e (Borsh 0x0701)
 *
 * This layer only parses and validates; it starts nothing (the runtime turns a manifest into a
 * supervision tree). It has no global state: every function is thread-safe for distinct objects, and a
 * loaded manifest is immutable, so any number of threads may read it at once.
 */
#ifndef WACTOR_MANIFEST_H
#define WACTOR_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest `limits.memory_pages` accepted: the whole wasm32 address space (65536 x 64 KiB). */
#define MANIFEST_MAX_MEMORY_PAGES 65536u
/* Largest payload a `send:` entry may produce, prefix included (the runtime's maximum message size). */
#define MANIFEST_MAX_PAYLOAD (16u * 1024u * 1024u)

typedef struct manifest_component {
    char *name;            /* registered name: non-empty, no control characters, not "host", no leading '#' */
    char *module_path;     /* `module`, resolved against the manifest's directory (absolute paths kept) */
    uint32_t memory_pages; /* linear memory cap in 64 KiB pages; 0 = default (the module's own maximum) */
    uint64_t fuel;         /* instructions per message/invocation; 0 = unlimited */
    int line;              /* 1-based line of the entry in the manifest, for diagnostics */
} manifest_component;

typedef struct manifest_send {
    char *to;              /* the name of a component declared in the same manifest */
    uint8_t *payload;      /* multicodec-prefixed bytes (e.g. 80 04 then compact JSON text) */
    size_t len;            /* bytes in payload, prefix included */
    int line;              /* 1-based line of the entry */
} manifest_send;

typedef struct manifest {
    manifest_component *components; /* in file order */
    size_t ncomponents;             /* >= 1 */
    manifest_send *sends;           /* in file order; NULL when nsends == 0 */
    size_t nsends;
    char *path;                     /* copy of the path given to load/parse, or NULL if none was given */
} manifest;

/*
 * Reads the file at `path` and parses it as manifest_parse() does, with `path` as the name in
 * messages and the base directory for module paths.
 *
 * On success returns 0 and stores a new manifest in *out (owned by the caller: manifest_free()).
 * On failure returns -1, leaves *out NULL and writes a NUL-terminated message into `err` (truncated to
 * `errlen` bytes; `err` may be NULL or errlen 0 to discard it):
 *   - "PATH: cannot read: <reason>" when the file cannot be opened or read (or exceeds 64 MiB),
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
 *   - unknown keys ("unknown key 'modul' in component"; also at top level, in limits, in send entries),
 *   - missing required keys ('components', a component's 'name' / 'module', a send entry's 'to' and
 *     exactly one of 'json' / 'text' / 'cbor' / 'borsh'),
 *   - wrong types (a string where a list is wanted, a quoted or fractional number for a limit, ...),
 *   - a duplicate component name, a reserved name ("host", "#..."),
 *   - negative or overflowing limits (memory_pages > 65536, fuel > 2^64-1),
 *   - a `send.to` that names no declared component, bad hex in cbor/borsh, a `json:` value with no JSON
 *     form (.inf, .nan), a payload over 16 MiB.
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
