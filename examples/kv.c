/* kv — a key-value service answering requests (wactor_request from another component):
 *   {"put":"k","value":V}  stores V (any JSON value, kept verbatim) under k  -> {"ok":true}
 *   {"get":"k"}            -> {"value":V}, or {"error":"not found"}
 * anything else            -> {"error":"..."}
 * A plain message (a `send`, not a request) has nowhere to send an answer: it is logged and ignored.
 * Keys are compared after JSON unescaping ("k\u0031" is "k1"). Up to KV_MAX entries. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

#define KV_MAX 4096 /* a power of two, at most 32768 (uint16_t index) */
#define KEY_MAX 256
#define VALUE_MAX 4096

typedef struct entry {
    char *key;   /* NUL-terminated */
    char *value; /* raw JSON text, NUL-terminated */
} entry;

static entry table[KV_MAX];
static size_t used;
static uint64_t answered;
/* Open-addressing index over `table`: slot -> entry index + 1 (0 = empty). Never more than half full. */
static uint16_t index_slots[2 * KV_MAX];

static size_t key_hash(const char *key) { /* FNV-1a */
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h & (2 * KV_MAX - 1);
}

/* The slot holding `key`, or the empty slot where it would go. */
static uint16_t *find_slot(const char *key) {
    size_t i = key_hash(key);
    while (index_slots[i] != 0 && strcmp(table[index_slots[i] - 1].key, key) != 0)
        i = (i + 1) & (2 * KV_MAX - 1);
    return &index_slots[i];
}

static entry *lookup(const char *key) {
    uint16_t *slot = find_slot(key);
    return *slot != 0 ? &table[*slot - 1] : NULL;
}

static void answer(const char *json) {
    int32_t rc = wactor_reply_json(json);
    if (rc != 0)
        wactor_logf(WACTOR_LOG_WARN, "kv: reply failed: %s (%d)", wactor_error_name(rc), (int)rc);
    else
        answered++;
}

static void on_put(const char *key, const char *json, size_t len) {
    const char *raw;
    size_t rlen;
    if (wactor_json_get_raw(json, len, "value", &raw, &rlen) != 0) {
        answer("{\"error\":\"put needs a \\\"value\\\"\"}");
        return;
    }
    if (rlen > VALUE_MAX) {
        answer("{\"error\":\"value too big\"}");
        return;
    }
    entry *e = lookup(key);
    char *v = (char *)malloc(rlen + 1);
    char *k = e == NULL ? strdup(key) : NULL;
    if (v == NULL || (e == NULL && (k == NULL || used == KV_MAX))) {
        free(v);
        free(k);
        answer(used == KV_MAX ? "{\"error\":\"store full\"}" : "{\"error\":\"out of memory\"}");
        return;
    }
    memcpy(v, raw, rlen);
    v[rlen] = '\0';
    if (e == NULL) {
        *find_slot(k) = (uint16_t)(used + 1);
        e = &table[used++];
        e->key = k;
    } else {
        free(e->value);
    }
    e->value = v;
    answer("{\"ok\":true}");
}

static void on_get(const char *key) {
    entry *e = lookup(key);
    if (e == NULL) {
        answer("{\"error\":\"not found\"}");
        return;
    }
    size_t n = strlen(e->value) + sizeof "{\"value\":}";
    char *out = (char *)malloc(n);
    if (out == NULL) {
        answer("{\"error\":\"out of memory\"}");
        return;
    }
    snprintf(out, n, "{\"value\":%s}", e->value);
    answer(out);
    free(out);
}

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    int json_ok = wactor_payload_body(payload, len, &codec, &body, &blen) == 0 && codec == WACTOR_CODEC_JSON;
    const char *json = json_ok ? (const char *)body : "";
    int shown = !json_ok ? 0 : blen > 120 ? 120 : (int)blen;
    if (!wactor_is_request()) {
        wactor_logf(WACTOR_LOG_WARN, "kv: ignoring a plain message from %.*s (not a request): %.*s",
                    (int)sender_len, sender, shown, json);
        return;
    }
    if (!json_ok) {
        wactor_logf(WACTOR_LOG_WARN, "kv: non-JSON request from %.*s", (int)sender_len, sender);
        answer("{\"error\":\"expected JSON\"}");
        return;
    }
    char key[KEY_MAX];
    long kl;
    if ((kl = wactor_json_get_string(json, blen, "put", key, sizeof key)) >= 0) {
        if (kl >= KEY_MAX)
            answer("{\"error\":\"key too long\"}");
        else
            on_put(key, json, blen);
    } else if ((kl = wactor_json_get_string(json, blen, "get", key, sizeof key)) >= 0) {
        if (kl >= KEY_MAX)
            answer("{\"error\":\"key too long\"}");
        else
            on_get(key);
    } else {
        wactor_logf(WACTOR_LOG_WARN, "kv: bad request from %.*s: %.*s", (int)sender_len, sender, shown, json);
        answer("{\"error\":\"expected {\\\"put\\\":\\\"k\\\",\\\"value\\\":v} or {\\\"get\\\":\\\"k\\\"}\"}");
    }
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("size") int32_t kv_size(void);
int32_t kv_size(void) { return (int32_t)used; }

WACTOR_EXPORT("_cleanup") void kv_cleanup(void);
void kv_cleanup(void) {
    wactor_logf(WACTOR_LOG_INFO, "kv: stopping with %zu keys after %llu answers", used,
                (unsigned long long)answered);
}
