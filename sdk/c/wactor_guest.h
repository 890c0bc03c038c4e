/*
 * wactor_guest.h — the guest side of the wactor ABI (docs/ABI.md, sdk/wactor.wit), for components written
 * in C.
 *
 * One file of the component defines WACTOR_GUEST_IMPLEMENTATION before including this header (the stb
 * convention); every other file includes it plain. That file gets the definition of `cabi_realloc` (the
 * allocator the host uses to place messages in guest memory); the rest are declarations and static inline
 * functions, usable from any number of files. Forgetting the define fails the link with
 *     wasm-ld: error: x.o: undefined symbol: wactor_define_WACTOR_GUEST_IMPLEMENTATION_in_one_file
 * (the handler macros reference it), defining it in two files with `duplicate symbol: cabi_realloc`.
 * (WACTOR_GUEST_NO_REALLOC, which other files had to define before, is no longer needed and has no
 * effect.)
 *
 *     #define WACTOR_GUEST_IMPLEMENTATION
 *     #include "wactor_guest.h"
 *     static void on_message(const char *sender, size_t sender_len,
 *                            const uint8_t *payload, size_t payload_len) {
 *         wactor_logf(WACTOR_LOG_INFO, "%zu bytes from %.*s", payload_len, (int)sender_len, sender);
 *     }
 *     WACTOR_HANDLE_MESSAGE(on_message)
 *
 * Build flags (clang 14 with Debian's wasi-libc and libclang-rt-14-dev-wasm32, as the build does):
 *     clang --target=wasm32-wasi -mexec-model=reactor -O2 -I sdk/c -I include -o x.wasm x.c [y.c ...]
 *   --target=wasm32-wasi    required: wasm32 with wasi-libc (WASI preview1 imports)
 *   -mexec-model=reactor    required for a component: no `main`; the module exports `_initialize`, which the
 *                           host calls before `_start` (-mexec-model=command for `wactor run MODULE.wasm`
 *                           programs with a `main`)
 *   -I sdk/c -I include     this header and include/wactor_errors.h (installed: both in one directory,
 *                           `pkg-config --variable=guestincludedir wactor`)
 *   -Wl,--strip-all         optional: drops the name section and wasi-libc's debug info (a small component
 *                           goes from ~140 KB to ~33 KB and loads faster); wactor does not read names
 *   -mmultivalue -Xclang -target-abi -Xclang experimental-mv
 *                           only if an export returns a struct of scalars as several results (e.g.
 *                           `divmod -> (i32, i32)`, examples/calc.c); every import of this header and every
 *                           handler is single-result, so nothing else needs it
 * Not needed: -Wl,--export=cabi_realloc or -Wl,--export=NAME (WACTOR_EXPORT marks exports in the source)
 * and -Wl,--no-entry (the reactor model implies it).
 *
 * Messaging beyond `send` (docs/ABI.md): topics (wactor_publish / wactor_subscribe, wactor_current_topic
 * inside the handler), request/reply (wactor_request, answered by the target with wactor_reply; answers
 * arrive at the export WACTOR_HANDLE_REPLY defines), monitors and links (wactor_monitor, wactor_link;
 * notices arrive at the export WACTOR_HANDLE_DOWN defines) and wactor_spawn. Each of these needs a grant
 * in the component's `capabilities:`; without one the host answers WACTOR_ERR_PERM.
 *
 * Everything here is single-threaded (an actor runs one message at a time) and uses only wasi-libc.
 * Strings passed to the host are UTF-8 pointer/length pairs, never NUL-terminated on the wire.
 */
#ifndef WACTOR_GUEST_H
#define WACTOR_GUEST_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wactor_errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ attributes */

/* Exports the following function under `name`, a string literal ("get", "handle-message", "_start").
 * The C symbol name is free, so exporting "div" from `calc_div` avoids clashing with libc. */
#define WACTOR_EXPORT(name) __attribute__((export_name(name), used))

#define WACTOR_IMPORT_(name) __attribute__((import_module("wactor"), import_name(name)))

/* ------------------------------------------------------------------ constants */

/* Log levels for wactor_log(), least severe first (docs/ABI.md, "The log"; the same values as
 * wactor_log_level in include/wactor.h, which defines them as an enum when included first). */
#ifndef WACTOR_H
#define WACTOR_LOG_TRACE (-1)
#define WACTOR_LOG_DEBUG 0
#define WACTOR_LOG_INFO  1
#define WACTOR_LOG_WARN  2
#define WACTOR_LOG_ERROR 3
#endif

/* Multicodec codes that prefix every payload (same values as include/wactor.h). */
#ifndef WACTOR_CODEC_CBOR
#define WACTOR_CODEC_CBOR  0x51u
#define WACTOR_CODEC_JSON  0x0200u
#define WACTOR_CODEC_BORSH 0x0701u
#endif

/* Results of host calls: the negated codes of include/wactor_errors.h (docs/ABI.md, "Results"), one
 * list shared with the host, so the two cannot drift: WACTOR_ERR_INVAL (-1) a malformed address or
 * argument, _NOMEM (-2; the SDK's own allocation failures too), _NOENT (-3) no such actor / not subscribed
 * / no such monitor, _EXIST (-4) already registered or subscribed, _MODULE (-5), _TRAP (-6) the target
 * trapped handling a request, _TIMEDOUT (-7), _CODEC (-8), _ARITY (-9), _TYPE (-10), _STATE (-11) not
 * an unanswered request, _FULL (-12) the target's mailbox is full, _TOOBIG (-13), _IO (-14), _NOHANDLER
 * (-15) the target returned without answering, _PERM (-16) not permitted by the capabilities, _LIMIT (-17)
 * a per-component limit (docs/ABI.md, "Limits") was reached. */
enum {
    WACTOR_ERR_OK = 0,
#define WACTOR_ERR_ENUM_(name, value, errno_name, text) WACTOR_ERR_##name = -(value),
    WACTOR_ERROR_LIST(WACTOR_ERR_ENUM_)
#undef WACTOR_ERR_ENUM_
};

/* Return values of the `_health` export. */
#define WACTOR_HEALTH_OK        0
#define WACTOR_HEALTH_DEGRADED  1
#define WACTOR_HEALTH_UNHEALTHY 2

/* ------------------------------------------------------------------ host imports (module "wactor") */

/* Queues a copy of `payload` (which should start with a multicodec prefix) for the `handle-message`
 * of the actor addressed by `to`: a registered name ("pong"), "#" + pid in decimal ("#17"), or "host".
 * Returns 0 or WACTOR_ERR_INVAL / _NOENT / _FULL / _TOOBIG. */
WACTOR_IMPORT_("send")
int32_t wactor_send(const char *to, size_t to_len, const void *payload, size_t payload_len);

/* This actor's pid (never 0). */
WACTOR_IMPORT_("self")
uint64_t wactor_self(void);

/* The pid registered under `name`, or 0 if none. */
WACTOR_IMPORT_("whereis")
uint64_t wactor_whereis(const char *name, size_t name_len);

/* Writes one line (`len` bytes, no newline needed) to the component's log at `level` (WACTOR_LOG_*). */
WACTOR_IMPORT_("log")
void wactor_log(int32_t level, const char *msg, size_t len);

/* Monotonic clock in nanoseconds. */
WACTOR_IMPORT_("now")
uint64_t wactor_now(void);

/* Only inside the `_health` export: attaches a reason to the status (UTF-8; the host keeps up to
 * 255 bytes). */
WACTOR_IMPORT_("health_reason")
void wactor_health_reason(const char *reason, size_t len);

/* ---- topics (publish / subscribe) */

/* Publishes a copy of `payload` (multicodec-prefixed) to `topic`, a NATS subject without wildcards
 * ("chat.room1"). Every component subscribed with a matching pattern gets it at `handle-message`.
 * Returns the number of subscribers it was delivered to (>= 0, possibly 0), or a negative error
 * (WACTOR_ERR_PERM without a `publish` grant covering the topic). */
WACTOR_IMPORT_("publish")
int32_t wactor_publish(const char *topic, size_t topic_len, const void *payload, size_t payload_len);

/* Subscribes to `pattern`, which may use NATS wildcards: `*` one token, `>` the rest ("orders.*",
 * "chat.>"). Publications to matching topics arrive at `handle-message`; wactor_topic() /
 * wactor_current_topic() tell which topic. Returns 0 or a negative error (WACTOR_ERR_PERM unless a
 * `subscribe` grant covers the pattern). */
WACTOR_IMPORT_("subscribe")
int32_t wactor_subscribe(const char *pattern, size_t pattern_len);

/* Ends the subscription made with exactly `pattern`. Returns 0, or WACTOR_ERR_NOENT if there is none.
 * All subscriptions end anyway when the component stops. */
WACTOR_IMPORT_("unsubscribe")
int32_t wactor_unsubscribe(const char *pattern, size_t pattern_len);

/* Only inside `handle-message`: writes the topic of the publication being handled to buf[0..cap)
 * (truncated, not NUL-terminated) and returns its full length; returns 0 if the message is a direct
 * send or a request. See wactor_current_topic() for a NUL-terminated copy. */
WACTOR_IMPORT_("topic")
int32_t wactor_topic(char *buf, size_t cap);

/* ---- request / reply */

/* Sends `payload` (multicodec-prefixed) to `to` as a request and returns at once with its correlation
 * id (> 0), or a negative error. The target's `handle-message` answers with wactor_reply(); the answer,
 * or a failure (WACTOR_ERR_TIMEDOUT after `timeout_ms`, WACTOR_ERR_NOENT the target died or does not
 * exist, WACTOR_ERR_NOHANDLER it did not answer), arrives later at this component's `handle-reply`
 * export (WACTOR_HANDLE_REPLY) with the same id. Needs a `request` grant for `to`. */
WACTOR_IMPORT_("request")
int64_t wactor_request(const char *to, size_t to_len, const void *payload, size_t payload_len,
                       int32_t timeout_ms);

/* Only inside `handle-message` of a request: answers it with `payload` (multicodec-prefixed), at most
 * once. Returns 0, or WACTOR_ERR_STATE if the message being handled is not an unanswered request. A
 * request the handler returns from without answering is answered with WACTOR_ERR_NOHANDLER. Needs no
 * grant. */
WACTOR_IMPORT_("reply")
int32_t wactor_reply(const void *payload, size_t payload_len);

/* Only inside `handle-message`: the correlation id (> 0) if the message being handled is a request,
 * else 0. */
WACTOR_IMPORT_("request_id")
int64_t wactor_request_id(void);

/* ---- monitors, links, spawn */

/* Monitors the actor addressed by `to` (name, "#pid"). Returns a monitor reference (> 0) or a negative
 * error. When the actor ends — or at once if it is already gone, with reason "noproc" — this
 * component's `handle-down` export (WACTOR_HANDLE_DOWN) is called with the reference. Monitoring a name
 * watches the actor registered under it now, not a later (restarted) holder of the name. Needs a
 * `send` grant for `to`. */
WACTOR_IMPORT_("monitor")
int64_t wactor_monitor(const char *to, size_t to_len);

/* Cancels a monitor. Returns 0, or WACTOR_ERR_NOENT if there is no such monitor or its notice was
 * already delivered. */
WACTOR_IMPORT_("demonitor")
int32_t wactor_demonitor(int64_t ref);

/* Links this component with the actor addressed by `to` (Erlang link): if either ends abnormally, the
 * other ends too with the same reason. Returns 0 or a negative error. Needs a `send` grant for `to`. */
WACTOR_IMPORT_("link")
int32_t wactor_link(const char *to, size_t to_len);

/* Starts a new, unnamed instance of the component the manifest declares under `name`. Returns its pid
 * (address it as "#<pid>") or a negative error. Needs `spawn: true`. */
WACTOR_IMPORT_("spawn")
int64_t wactor_spawn(const char *name, size_t name_len);

/* ------------------------------------------------------------------ cabi_realloc + handle-message */

/* The canonical-ABI allocator the host uses for its message buffer in guest memory (the "inbox", which
 * it keeps and grows for the instance's life; handlers borrow it), and for results it hands back.
 * new_size 0 frees `old_ptr` and returns a non-NULL, aligned, zero-byte pointer (`align`) that must
 * not be freed. Out of memory traps (the host reports it as a trap of this guest). Defined in the file
 * that defines WACTOR_GUEST_IMPLEMENTATION. */
WACTOR_EXPORT("cabi_realloc")
void *cabi_realloc(void *old_ptr, size_t old_size, size_t align, size_t new_size);

/* Defined with cabi_realloc; the handler macros refer to it so that a component without
 * WACTOR_GUEST_IMPLEMENTATION fails to link, naming the fix, instead of failing to start. */
extern const char wactor_define_WACTOR_GUEST_IMPLEMENTATION_in_one_file;
#define WACTOR_GUEST_NEEDS_IMPLEMENTATION_(tag)                                                     \
    __attribute__((constructor)) static void wactor_guest_needs_implementation_##tag##_(void) {     \
        __asm__ volatile("" : : "r"(&wactor_define_WACTOR_GUEST_IMPLEMENTATION_in_one_file));       \
    }

#ifdef WACTOR_GUEST_IMPLEMENTATION
const char wactor_define_WACTOR_GUEST_IMPLEMENTATION_in_one_file = 1;

void *cabi_realloc(void *old_ptr, size_t old_size, size_t align, size_t new_size) {
    if (align == 0 || (align & (align - 1)) != 0)
        align = 1;
    if (new_size == 0) {
        if (old_ptr != NULL && old_size != 0)
            free(old_ptr);
        return (void *)(uintptr_t)align;
    }
    if (old_size == 0)
        old_ptr = NULL; /* a zero-byte pointer from above is not a heap block */
    void *p;
    if (align <= _Alignof(max_align_t)) {
        p = realloc(old_ptr, new_size);
    } else {
        p = aligned_alloc(align, (new_size + align - 1) & ~(align - 1));
        if (p != NULL && old_ptr != NULL) {
            memcpy(p, old_ptr, old_size < new_size ? old_size : new_size);
            free(old_ptr);
        }
    }
    if (p == NULL)
        abort();
    return p;
}
#endif /* WACTOR_GUEST_IMPLEMENTATION */

/* Defines the `handle-message` export: calls
 *     void fn(const char *sender, size_t sender_len, const uint8_t *payload, size_t payload_len)
 * (sender is not NUL-terminated). Both buffers are borrowed from the host's inbox: valid until `fn`
 * returns, overwritten by the next message — copy what you keep, never free them. */
#define WACTOR_HANDLE_MESSAGE(fn)                                                                   \
    WACTOR_GUEST_NEEDS_IMPLEMENTATION_(message)                                                     \
    WACTOR_EXPORT("handle-message")                                                                 \
    void wactor_guest_handle_message_(char *sender, size_t sender_len, uint8_t *payload,            \
                                      size_t payload_len);                                          \
    void wactor_guest_handle_message_(char *sender, size_t sender_len, uint8_t *payload,            \
                                      size_t payload_len) {                                         \
        fn(sender, sender_len, payload, payload_len);                                               \
    }

/* Defines the `handle-reply` export: calls
 *     void fn(int64_t corr, int32_t status, const uint8_t *payload, size_t payload_len)
 * for the answer to request `corr` (a wactor_request() result): status 0 with the reply payload, or a
 * negative error (WACTOR_ERR_TIMEDOUT, _NOENT, _NOHANDLER) with an empty payload. The payload is
 * borrowed, as in WACTOR_HANDLE_MESSAGE: valid until `fn` returns. */
#define WACTOR_HANDLE_REPLY(fn)                                                                     \
    WACTOR_GUEST_NEEDS_IMPLEMENTATION_(reply)                                                       \
    WACTOR_EXPORT("handle-reply")                                                                   \
    void wactor_guest_handle_reply_(int64_t corr, int32_t status, uint8_t *payload,                 \
                                    size_t payload_len);                                            \
    void wactor_guest_handle_reply_(int64_t corr, int32_t status, uint8_t *payload,                 \
                                    size_t payload_len) {                                           \
        fn(corr, status, payload, payload_len);                                                     \
    }

/* Defines the `handle-down` export: calls
 *     void fn(int64_t ref, uint64_t pid, const char *reason, size_t reason_len)
 * when monitor `ref` (a wactor_monitor() result) fires: actor `pid` ended with `reason` ("normal",
 * "shutdown", "killed", "noproc", a trap kind such as "integer divide by zero", "health"; not
 * NUL-terminated). The reason is borrowed, valid until `fn` returns. */
#define WACTOR_HANDLE_DOWN(fn)                                                                      \
    WACTOR_GUEST_NEEDS_IMPLEMENTATION_(down)                                                        \
    WACTOR_EXPORT("handle-down")                                                                    \
    void wactor_guest_handle_down_(int64_t ref, uint64_t pid, char *reason, size_t reason_len);     \
    void wactor_guest_handle_down_(int64_t ref, uint64_t pid, char *reason, size_t reason_len) {    \
        fn(ref, pid, reason, reason_len);                                                           \
    }

/* ------------------------------------------------------------------ multicodec varint */

/* Writes `value` as an unsigned LEB128 varint into `out` (at least 10 bytes); returns the length. */
static inline size_t wactor_varint_encode(uint64_t value, uint8_t out[10]) {
    size_t n = 0;
    do {
        uint8_t b = (uint8_t)(value & 0x7f);
        value >>= 7;
        out[n++] = (uint8_t)(b | (value ? 0x80 : 0));
    } while (value);
    return n;
}

/* Reads a multiformats unsigned varint (at most 9 bytes, minimally encoded) from `buf`.
 * Returns the number of bytes consumed, or 0 if it is truncated, overlong or not minimal. */
static inline size_t wactor_varint_decode(const uint8_t *buf, size_t len, uint64_t *value) {
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < 9; i++) {
        v |= (uint64_t)(buf[i] & 0x7f) << (7 * i);
        if ((buf[i] & 0x80) == 0) {
            if (i > 0 && buf[i] == 0)
                return 0; /* not minimal */
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

/* Splits a payload into its multicodec code and body. Returns 0, or -1 if the prefix is missing or
 * malformed (outputs untouched). `body` points into `payload`. */
static inline int wactor_payload_body(const uint8_t *payload, size_t len, uint64_t *codec,
                                      const uint8_t **body, size_t *body_len) {
    uint64_t c;
    size_t n = payload ? wactor_varint_decode(payload, len, &c) : 0;
    if (n == 0)
        return -1;
    *codec = c;
    *body = payload + n;
    *body_len = len - n;
    return 0;
}

/* ------------------------------------------------------------------ logging */

/* Logs a NUL-terminated string. */
static inline void wactor_log_str(int32_t level, const char *s) {
    wactor_log(level, s, strlen(s));
}

/* printf-style logging through a 512-byte stack buffer; longer lines are formatted on the heap (or
 * truncated if that fails). */
__attribute__((format(printf, 2, 3)))
static inline void wactor_logf(int32_t level, const char *fmt, ...) {
    char buf[512];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof buf) {
        wactor_log(level, buf, (size_t)n);
    } else {
        char *big = (char *)malloc((size_t)n + 1);
        if (big != NULL) {
            vsnprintf(big, (size_t)n + 1, fmt, ap2);
            wactor_log(level, big, (size_t)n);
            free(big);
        } else {
            wactor_log(level, buf, sizeof buf - 1);
        }
    }
    va_end(ap2);
}

/* ------------------------------------------------------------------ sending */

/* The payload helpers below put the multicodec prefix for `codec` in front of `body`: in `stackbuf`
 * (256 bytes) if it fits, else on the heap (release with wactor_payload_free_). Returns the payload,
 * or NULL (out of memory, or too big). */
static inline uint8_t *wactor_payload_make_(uint64_t codec, const void *body, size_t body_len,
                                            uint8_t stackbuf[256], size_t *out_len) {
    uint8_t prefix[10], *buf = stackbuf;
    size_t np = wactor_varint_encode(codec, prefix);
    if (body_len > SIZE_MAX - np)
        return NULL;
    if (np + body_len > 256 && (buf = (uint8_t *)malloc(np + body_len)) == NULL)
        return NULL;
    memcpy(buf, prefix, np);
    if (body_len)
        memcpy(buf + np, body, body_len);
    *out_len = np + body_len;
    return buf;
}
static inline void wactor_payload_free_(uint8_t *buf, const uint8_t stackbuf[256]) {
    if (buf != stackbuf)
        free(buf);
}

/* Sends `body` to `to` with the multicodec prefix for `codec` in front. Returns wactor_send()'s
 * result, or WACTOR_ERR_NOMEM. */
static inline int32_t wactor_send_codec(const char *to, size_t to_len, uint64_t codec,
                                        const void *body, size_t body_len) {
    uint8_t stackbuf[256];
    size_t n;
    uint8_t *buf = wactor_payload_make_(codec, body, body_len, stackbuf, &n);
    if (buf == NULL)
        return WACTOR_ERR_NOMEM;
    int32_t rc = wactor_send(to, to_len, buf, n);
    wactor_payload_free_(buf, stackbuf);
    return rc;
}

/* Sends NUL-terminated JSON text (not checked) to the NUL-terminated address `to`. */
static inline int32_t wactor_send_json(const char *to, const char *json) {
    return wactor_send_codec(to, strlen(to), WACTOR_CODEC_JSON, json, strlen(json));
}

/* Writes s[0..len) as a quoted, escaped JSON string ("a\"b") into out[0..cap), NUL-terminated and
 * truncated to cap - 1 bytes, and returns the full length it needs, like snprintf (a result >= cap
 * means truncated; call with cap 0 to measure). `"`, `\`, control characters and DEL are escaped
 * (\n \r \t \b \f, else \u00XX — as the manifest writes `text:` entries); other bytes (UTF-8) are
 * copied as they are. */
static inline size_t wactor_json_escape(char *out, size_t cap, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
#define WACTOR_JSON_PUT_(ch) do { if (n + 1 < cap) out[n] = (ch); n++; } while (0)
    WACTOR_JSON_PUT_('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
        if (esc != NULL) {
            WACTOR_JSON_PUT_(esc[0]);
            WACTOR_JSON_PUT_(esc[1]);
        } else if (c < 0x20 || c == 0x7f) {
            WACTOR_JSON_PUT_('\\');
            WACTOR_JSON_PUT_('u');
            WACTOR_JSON_PUT_('0');
            WACTOR_JSON_PUT_('0');
            WACTOR_JSON_PUT_(hex[c >> 4]);
            WACTOR_JSON_PUT_(hex[c & 15]);
        } else {
            WACTOR_JSON_PUT_((char)c);
        }
    }
    WACTOR_JSON_PUT_('"');
#undef WACTOR_JSON_PUT_
    if (cap != 0)
        out[n < cap ? n : cap - 1] = '\0';
    return n;
}

/* Sends `text` as a JSON string (quoted and escaped), e.g. hello -> "hello" with the JSON prefix —
 * the same bytes as a manifest's `text:` entry. */
static inline int32_t wactor_send_text(const char *to, const char *text) {
    size_t len = strlen(text), n = wactor_json_escape(NULL, 0, text, len);
    char *out = n < SIZE_MAX ? (char *)malloc(n + 1) : NULL;
    if (out == NULL)
        return WACTOR_ERR_NOMEM;
    wactor_json_escape(out, n + 1, text, len);
    int32_t rc = wactor_send_codec(to, strlen(to), WACTOR_CODEC_JSON, out, n);
    free(out);
    return rc;
}

/* True if a handler's `sender` is the host (embedding API or manifest) rather than an actor. */
static inline int wactor_sender_is_host(const char *sender, size_t sender_len) {
    return sender_len == 4 && memcmp(sender, "host", 4) == 0;
}

/* Sends an already-prefixed payload back to a handler's `sender` (any sender form is a valid address). */
static inline int32_t wactor_send_to_sender(const char *sender, size_t sender_len,
                                            const void *payload, size_t payload_len) {
    return wactor_send(sender, sender_len, payload, payload_len);
}

/* Sends NUL-terminated JSON text back to a handler's `sender` as a plain message (arriving at its
 * `handle-message`). To answer a request, use wactor_reply_json() instead. */
static inline int32_t wactor_send_to_sender_json(const char *sender, size_t sender_len, const char *json) {
    return wactor_send_codec(sender, sender_len, WACTOR_CODEC_JSON, json, strlen(json));
}

/* ------------------------------------------------------------------ topics */

/* Publishes `body` to `topic` with the multicodec prefix for `codec` in front. Returns wactor_publish()'s
 * result (the number of subscribers reached, or a negative error), or WACTOR_ERR_NOMEM. */
static inline int32_t wactor_publish_codec(const char *topic, size_t topic_len, uint64_t codec,
                                           const void *body, size_t body_len) {
    uint8_t stackbuf[256];
    size_t n;
    uint8_t *buf = wactor_payload_make_(codec, body, body_len, stackbuf, &n);
    if (buf == NULL)
        return WACTOR_ERR_NOMEM;
    int32_t rc = wactor_publish(topic, topic_len, buf, n);
    wactor_payload_free_(buf, stackbuf);
    return rc;
}

/* Publishes NUL-terminated JSON text (not checked) to the NUL-terminated `topic`. */
static inline int32_t wactor_publish_json(const char *topic, const char *json) {
    return wactor_publish_codec(topic, strlen(topic), WACTOR_CODEC_JSON, json, strlen(json));
}

/* Only inside `handle-message`: copies the topic of the publication being handled into buf[0..cap) as a
 * NUL-terminated string (truncated to cap - 1 bytes) and returns its full length, like snprintf — so
 * a result >= cap means truncated. Returns 0 (and buf = "") for a direct send or a request. */
static inline int32_t wactor_current_topic(char *buf, size_t cap) {
    if (cap == 0)
        return wactor_topic(buf, 0);
    int32_t n = wactor_topic(buf, cap - 1);
    if (n < 0)
        n = 0;
    buf[(size_t)n < cap - 1 ? (size_t)n : cap - 1] = '\0';
    return n;
}

/* ------------------------------------------------------------------ request / reply */

/* Sends `body` with the multicodec prefix for `codec` as a request (see wactor_request). Returns the
 * correlation id (> 0) or a negative error (also WACTOR_ERR_NOMEM). */
static inline int64_t wactor_request_codec(const char *to, size_t to_len, uint64_t codec, const void *body,
                                           size_t body_len, int32_t timeout_ms) {
    uint8_t stackbuf[256];
    size_t n;
    uint8_t *buf = wactor_payload_make_(codec, body, body_len, stackbuf, &n);
    if (buf == NULL)
        return WACTOR_ERR_NOMEM;
    int64_t rc = wactor_request(to, to_len, buf, n, timeout_ms);
    wactor_payload_free_(buf, stackbuf);
    return rc;
}

/* Requests with NUL-terminated JSON text (not checked) from the NUL-terminated address `to`; the answer
 * arrives at `handle-reply` with the returned correlation id (> 0), or the result is a negative error. */
static inline int64_t wactor_request_json(const char *to, const char *json, int32_t timeout_ms) {
    return wactor_request_codec(to, strlen(to), WACTOR_CODEC_JSON, json, strlen(json), timeout_ms);
}

/* True inside `handle-message` when the message being handled is a request (answer it with
 * wactor_reply / wactor_reply_json). */
static inline int wactor_is_request(void) {
    return wactor_request_id() != 0;
}

/* Answers the request being handled with `body` and the multicodec prefix for `codec`. Returns
 * wactor_reply()'s result (WACTOR_ERR_STATE if there is no unanswered request), or WACTOR_ERR_NOMEM. */
static inline int32_t wactor_reply_codec(uint64_t codec, const void *body, size_t body_len) {
    uint8_t stackbuf[256];
    size_t n;
    uint8_t *buf = wactor_payload_make_(codec, body, body_len, stackbuf, &n);
    if (buf == NULL)
        return WACTOR_ERR_NOMEM;
    int32_t rc = wactor_reply(buf, n);
    wactor_payload_free_(buf, stackbuf);
    return rc;
}

/* Answers the request being handled with NUL-terminated JSON text (not checked). Returns 0 or
 * WACTOR_ERR_STATE (not a request, or already answered). Plain messages have no reply channel: use
 * wactor_send_to_sender_json() for those. */
static inline int32_t wactor_reply_json(const char *json) {
    return wactor_reply_codec(WACTOR_CODEC_JSON, json, strlen(json));
}

/* A short name for a host-call result or a handle-reply status ("ok", "no such actor", ...). Takes
 * int64_t so that wactor_request / wactor_monitor / wactor_spawn results can be passed as they are. */
static inline const char *wactor_error_name(int64_t rc) {
    switch (rc) {
    case WACTOR_ERR_OK: return "ok";
#define WACTOR_ERR_NAME_(name, value, errno_name, text) case -(value): return text;
    WACTOR_ERROR_LIST(WACTOR_ERR_NAME_)
#undef WACTOR_ERR_NAME_
    default: return rc > 0 ? "ok" : "unknown error";
    }
}

/* ------------------------------------------------------------------ tiny JSON reader */
/* Just enough to read top-level members of small messages like {"count":3} or {"numbers":[1,2,3]}.
 * Never reads past `len`, never recurses deeper than 32 levels, and fails (-1) on malformed input. */

#define WACTOR_JSON_MAX_DEPTH 32

static inline size_t wactor_json_ws_(const char *s, size_t len, size_t i) {
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* Skips one string starting at s[i] == '"'; returns the index after the closing quote, or 0. */
static inline size_t wactor_json_skip_string_(const char *s, size_t len, size_t i) {
    for (i++; i < len; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
        else if ((unsigned char)s[i] < 0x20)
            return 0;
    }
    return 0;
}

/* Skips one value starting at s[i] (after whitespace); returns the index after it, or 0. */
static inline size_t wactor_json_skip_value_(const char *s, size_t len, size_t i, int depth) {
    i = wactor_json_ws_(s, len, i);
    if (i >= len || depth > WACTOR_JSON_MAX_DEPTH)
        return 0;
    if (s[i] == '"')
        return wactor_json_skip_string_(s, len, i);
    if (s[i] == '{' || s[i] == '[') {
        char close = s[i] == '{' ? '}' : ']';
        i = wactor_json_ws_(s, len, i + 1);
        if (i < len && s[i] == close)
            return i + 1;
        for (;;) {
            if (close == '}') {
                if (i >= len || s[i] != '"' || (i = wactor_json_skip_string_(s, len, i)) == 0)
                    return 0;
                i = wactor_json_ws_(s, len, i);
                if (i >= len || s[i] != ':')
                    return 0;
                i++;
            }
            if ((i = wactor_json_skip_value_(s, len, i, depth + 1)) == 0)
                return 0;
            i = wactor_json_ws_(s, len, i);
            if (i < len && s[i] == ',') {
                i = wactor_json_ws_(s, len, i + 1);
                continue;
            }
            return i < len && s[i] == close ? i + 1 : 0;
        }
    }
    size_t start = i; /* number or literal */
    while (i < len && (s[i] == '-' || s[i] == '+' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
                       (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
        i++;
    return i > start ? i : 0;
}

/* Parses a JSON integer at s[i] (after whitespace) into *out; returns the index after it, or 0 if
 * it is not an integer (fraction, exponent, overflow, garbage). */
static inline size_t wactor_json_int_at_(const char *s, size_t len, size_t i, int64_t *out) {
    i = wactor_json_ws_(s, len, i);
    int neg = 0;
    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    if (i >= len || s[i] < '0' || s[i] > '9')
        return 0;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    size_t start = i;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (i - start > 1 && s[start] == '0')
        return 0;
    if (i < len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
        return 0;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return i;
}

/* Finds member `key` of the top-level JSON object in s[0..len); returns the index where its value
 * starts, or 0 if absent or the text is not a well-formed object up to that point. */
static inline size_t wactor_json_find(const char *s, size_t len, const char *key) {
    size_t klen = strlen(key);
    size_t i = wactor_json_ws_(s, len, 0);
    if (i >= len || s[i] != '{')
        return 0;
    i = wactor_json_ws_(s, len, i + 1);
    if (i < len && s[i] == '}')
        return 0;
    for (;;) {
        if (i >= len || s[i] != '"')
            return 0;
        size_t kstart = i + 1, kend = wactor_json_skip_string_(s, len, i);
        if (kend == 0)
            return 0;
        int match = kend - 1 - kstart == klen && memcmp(s + kstart, key, klen) == 0;
        i = wactor_json_ws_(s, len, kend);
        if (i >= len || s[i] != ':')
            return 0;
        i = wactor_json_ws_(s, len, i + 1);
        if (match)
            return i < len ? i : 0;
        if ((i = wactor_json_skip_value_(s, len, i, 1)) == 0)
            return 0;
        i = wactor_json_ws_(s, len, i);
        if (i >= len || s[i] != ',')
            return 0;
        i = wactor_json_ws_(s, len, i + 1);
    }
}

/* Reads integer member `key` of a top-level JSON object. Returns 0, or -1 if missing / not an integer. */
static inline int wactor_json_get_i64(const char *s, size_t len, const char *key, int64_t *out) {
    size_t i = wactor_json_find(s, len, key);
    return i != 0 && wactor_json_int_at_(s, len, i, out) != 0 ? 0 : -1;
}

/* Reads string member `key` of a top-level JSON object: *out points at its raw text between the quotes
 * (inside `s`; escape sequences are NOT decoded) and *out_len is its length. Returns 0, or -1 if missing
 * or not a string. Compare with wactor_json_str_is() for plain ASCII words. */
static inline int wactor_json_get_str(const char *s, size_t len, const char *key, const char **out,
                                      size_t *out_len) {
    size_t i = wactor_json_find(s, len, key), end;
    if (i == 0 || s[i] != '"' || (end = wactor_json_skip_string_(s, len, i)) == 0)
        return -1;
    *out = s + i + 1;
    *out_len = end - i - 2;
    return 0;
}

/* True if string member `key` exists and its raw text equals the NUL-terminated `word`. */
static inline int wactor_json_str_is(const char *s, size_t len, const char *key, const char *word) {
    const char *v;
    size_t vlen;
    return wactor_json_get_str(s, len, key, &v, &vlen) == 0 && vlen == strlen(word) &&
           memcmp(v, word, vlen) == 0;
}

/* Reads member `key` of a top-level JSON object as raw text: *out points at its value inside `s` (an
 * object, array, string with its quotes, number or literal) and *out_len is its length, so it can be
 * stored or forwarded verbatim. Returns 0, or -1 if missing or malformed. */
static inline int wactor_json_get_raw(const char *s, size_t len, const char *key, const char **out,
                                      size_t *out_len) {
    size_t i = wactor_json_find(s, len, key), end;
    if (i == 0 || (end = wactor_json_skip_value_(s, len, i, 1)) == 0)
        return -1;
    *out = s + i;
    *out_len = end - i;
    return 0;
}

/* Appends code point `cp` as UTF-8 to buf[0..cap) at *n (counting bytes that do not fit). */
static inline void wactor_utf8_put_(char *buf, size_t cap, size_t *n, uint32_t cp) {
    unsigned char b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp, k = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | (cp >> 6)), b[1] = (unsigned char)(0x80 | (cp & 0x3f)), k = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | (cp >> 12)), b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f)), k = 3;
    } else {
        b[0] = (unsigned char)(0xf0 | (cp >> 18)), b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (unsigned char)(0x80 | (cp & 0x3f)), k = 4;
    }
    for (size_t j = 0; j < k; j++, (*n)++)
        if (*n + 1 < cap)
            buf[*n] = (char)b[j];
}

/* Reads 4 hex digits at s[i..i+4); returns the value, or -1. */
static inline long wactor_json_hex4_(const char *s, size_t len, size_t i) {
    if (i + 4 > len)
        return -1;
    long v = 0;
    for (size_t j = i; j < i + 4; j++) {
        char c = s[j];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Reads string member `key` of a top-level JSON object, escape sequences decoded (\uXXXX, surrogate
 * pairs included, to UTF-8), into buf[0..cap) NUL-terminated and truncated to cap - 1 bytes. Returns the
 * full decoded length, like snprintf (>= cap means truncated), or -1 if missing, not a string, or
 * malformed (a bad escape, a lone surrogate, or \u0000, which a C string cannot hold). */
static inline long wactor_json_get_string(const char *s, size_t len, const char *key, char *buf,
                                          size_t cap) {
    const char *v;
    size_t vlen, n = 0;
    if (wactor_json_get_str(s, len, key, &v, &vlen) != 0)
        return -1;
    for (size_t i = 0; i < vlen; i++) {
        if (v[i] != '\\') {
            if (n + 1 < cap)
                buf[n] = v[i];
            n++;
            continue;
        }
        if (++i >= vlen)
            return -1;
        char e = v[i], d;
        switch (e) {
        case '"': case '\\': case '/': d = e; break;
        case 'b': d = '\b'; break;
        case 'f': d = '\f'; break;
        case 'n': d = '\n'; break;
        case 'r': d = '\r'; break;
        case 't': d = '\t'; break;
        default: d = 0; break;
        }
        if (d != 0) {
            if (n + 1 < cap)
                buf[n] = d;
            n++;
        } else if (e == 'u') {
            long cp = wactor_json_hex4_(v, vlen, i + 1);
            if (cp < 0)
                return -1;
            i += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) { /* high surrogate: a low one must follow */
                long lo = i + 2 < vlen && v[i + 1] == '\\' && v[i + 2] == 'u' ? wactor_json_hex4_(v, vlen, i + 3) : -1;
                if (lo < 0xdc00 || lo > 0xdfff)
                    return -1;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            } else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
                return -1;
            }
            wactor_utf8_put_(buf, cap, &n, (uint32_t)cp);
        } else {
            return -1;
        }
    }
    if (cap != 0)
        buf[n < cap ? n : cap - 1] = '\0';
    return n > (size_t)LONG_MAX ? -1 : (long)n;
}

/* Reads integer array member `key` (e.g. "numbers":[1,2,3]) into out[0..cap). Returns the number of
 * elements (which may exceed `cap`; only `cap` are stored), or -1 if missing or malformed. */
static inline long wactor_json_get_i64_array(const char *s, size_t len, const char *key,
                                             int64_t *out, size_t cap) {
    size_t i = wactor_json_find(s, len, key);
    if (i == 0 || s[i] != '[')
        return -1;
    long n = 0;
    i = wactor_json_ws_(s, len, i + 1);
    if (i < len && s[i] == ']')
        return 0;
    for (;;) {
        int64_t v;
        if ((i = wactor_json_int_at_(s, len, i, &v)) == 0 || n == LONG_MAX)
            return -1;
        if ((size_t)n < cap)
            out[n] = v;
        n++;
        i = wactor_json_ws_(s, len, i);
        if (i < len && s[i] == ',') {
            i++;
            continue;
        }
        return i < len && s[i] == ']' ? n : -1;
    }
}

#ifdef __cplusplus
}
#endif
#endif /* WACTOR_GUEST_H */
