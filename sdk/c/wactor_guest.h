/*
 * wactor_guest.h — the guest side of the wactor ABI (docs/ABI.md), for components written in C.
 *
 * Build a component with
 *     clang --target=wasm32-wasi -O2 -mexec-model=reactor -I sdk/c -Wl,--export=cabi_realloc x.c
 * and include this header in exactly ONE translation unit of the component (it defines
 * `cabi_realloc` and, through WACTOR_HANDLE_MESSAGE, the `handle-message` export). Other translation
 * units define WACTOR_GUEST_NO_REALLOC before including it.
 *
 *     #include "wactor_guest.h"
 *     static void on_message(const char *sender, size_t sender_len,
 *                            const uint8_t *payload, size_t payload_len) {
 *         wactor_logf(WACTOR_LOG_INFO, "%zu bytes from %.*s", payload_len, (int)sender_len, sender);
 *     }
 *     WACTOR_HANDLE_MESSAGE(on_message)
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

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ attributes */

/* Exports the following function under `name`, a string literal ("get", "handle-message", "_start").
 * The C symbol name is free, so exporting "div" from `calc_div` avoids clashing with libc. */
#define WACTOR_EXPORT(name) __attribute__((export_name(name), used))

#define WACTOR_IMPORT_(name) __attribute__((import_module("wactor"), import_name(name)))

/* ------------------------------------------------------------------ constants */

/* Log levels for wactor_log(). */
#define WACTOR_LOG_DEBUG 0
#define WACTOR_LOG_INFO  1
#define WACTOR_LOG_WARN  2
#define WACTOR_LOG_ERROR 3

/* Multicodec codes that prefix every payload (same values as include/wactor.h). */
#ifndef WACTOR_CODEC_CBOR
#define WACTOR_CODEC_CBOR  0x51u
#define WACTOR_CODEC_JSON  0x0200u
#define WACTOR_CODEC_BORSH 0x0701u
#endif

/* Results of host calls: negated wactor_error values (docs/ABI.md). */
#define WACTOR_ERR_OK      0
#define WACTOR_ERR_INVAL  (-1)  /* the address text is empty or malformed */
#define WACTOR_ERR_NOMEM  (-2)  /* the SDK could not allocate a buffer (never returned by the host) */
#define WACTOR_ERR_NOENT  (-3)  /* no actor has that name or pid (or it is dead) */
#define WACTOR_ERR_FULL   (-12) /* the target's mailbox is full */
#define WACTOR_ERR_TOOBIG (-13) /* the payload exceeds the maximum message size (16 MiB) */

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

/* ------------------------------------------------------------------ cabi_realloc + handle-message */

#ifndef WACTOR_GUEST_NO_REALLOC
/* The canonical-ABI allocator the host uses to place sender names and payloads in guest memory.
 * new_size 0 frees `old_ptr` and returns a non-NULL, aligned, zero-byte pointer (`align`) that must
 * not be freed. Out of memory traps (the host reports it as a trap of this guest). */
WACTOR_EXPORT("cabi_realloc")
void *cabi_realloc(void *old_ptr, size_t old_size, size_t align, size_t new_size);
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
#endif

/* How WACTOR_HANDLE_MESSAGE releases the host-allocated buffers after the handler returns. A guest
 * with its own cabi_realloc (WACTOR_GUEST_NO_REALLOC) may define this before including the header. */
#ifndef WACTOR_GUEST_FREE
#define WACTOR_GUEST_FREE(ptr, len) do { if ((len) != 0) free((void *)(ptr)); } while (0)
#endif

/* Defines the `handle-message` export: calls
 *     void fn(const char *sender, size_t sender_len, const uint8_t *payload, size_t payload_len)
 * (sender is not NUL-terminated) and frees both buffers afterwards — do not keep pointers into them. */
#define WACTOR_HANDLE_MESSAGE(fn)                                                                   \
    WACTOR_EXPORT("handle-message")                                                                 \
    void wactor_guest_handle_message_(char *sender, size_t sender_len, uint8_t *payload,            \
                                      size_t payload_len);                                          \
    void wactor_guest_handle_message_(char *sender, size_t sender_len, uint8_t *payload,            \
                                      size_t payload_len) {                                         \
        fn(sender, sender_len, payload, payload_len);                                               \
        WACTOR_GUEST_FREE(sender, sender_len);                                                      \
        WACTOR_GUEST_FREE(payload, payload_len);                                                    \
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

/* Sends `body` to `to` with the multicodec prefix for `codec` in front. Returns wactor_send()'s
 * result, or WACTOR_ERR_NOMEM. */
static inline int32_t wactor_send_codec(const char *to, size_t to_len, uint64_t codec,
                                        const void *body, size_t body_len) {
    uint8_t stackbuf[256], *buf = stackbuf;
    uint8_t prefix[10];
    size_t np = wactor_varint_encode(codec, prefix);
    if (body_len > SIZE_MAX - np)
        return WACTOR_ERR_TOOBIG;
    if (np + body_len > sizeof stackbuf && (buf = (uint8_t *)malloc(np + body_len)) == NULL)
        return WACTOR_ERR_NOMEM;
    memcpy(buf, prefix, np);
    if (body_len)
        memcpy(buf + np, body, body_len);
    int32_t rc = wactor_send(to, to_len, buf, np + body_len);
    if (buf != stackbuf)
        free(buf);
    return rc;
}

/* Sends NUL-terminated JSON text (not checked) to the NUL-terminated address `to`. */
static inline int32_t wactor_send_json(const char *to, const char *json) {
    return wactor_send_codec(to, strlen(to), WACTOR_CODEC_JSON, json, strlen(json));
}

/* Sends `text` as a JSON string (quoted and escaped), e.g. hello -> "hello" with the JSON prefix —
 * the same bytes as a manifest's `text:` entry. */
static inline int32_t wactor_send_text(const char *to, const char *text) {
    size_t len = strlen(text), cap = len * 6 + 3, n = 0;
    char *out = (char *)malloc(cap);
    if (out == NULL)
        return WACTOR_ERR_NOMEM;
    out[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            out[n++] = '\\';
            out[n++] = (char)*p;
        } else if (*p < 0x20) {
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", *p);
        } else {
            out[n++] = (char)*p;
        }
    }
    out[n++] = '"';
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

/* Replies to a handler's `sender` with NUL-terminated JSON text. */
static inline int32_t wactor_reply_json(const char *sender, size_t sender_len, const char *json) {
    return wactor_send_codec(sender, sender_len, WACTOR_CODEC_JSON, json, strlen(json));
}

/* A short name for a host-call result ("ok", "no such actor", ...). */
static inline const char *wactor_error_name(int32_t rc) {
    switch (rc) {
    case WACTOR_ERR_OK: return "ok";
    case WACTOR_ERR_INVAL: return "malformed address";
    case WACTOR_ERR_NOMEM: return "out of memory";
    case WACTOR_ERR_NOENT: return "no such actor";
    case WACTOR_ERR_FULL: return "mailbox full";
    case WACTOR_ERR_TOOBIG: return "message too big";
    default: return "error";
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
