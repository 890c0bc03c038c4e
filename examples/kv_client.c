/* kv_client — drives the `kv` service with requests and correlates the answers.
 *
 * {"run":N} (optional "to":"<address>", default "kv"; "timeout_ms":T, default 1000) requests N puts
 * {"put":"k<i>","value":"v<i>"}, then N gets {"get":"k<i>"} and one get of a key never put. Requests do not
 * block: every answer arrives later at `handle-reply`, matched to its request by correlation id, and is
 * logged and checked ({"ok":true}, {"value":"v<i>"}, {"error":"not found"}). Failures are logged by status
 * (timed out, no such actor, not answered, ...). When every request is answered a summary is logged. A run
 * that arrives while one is in progress waits for it (up to QUEUE_MAX runs). Other messages are logged and
 * ignored. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

#define RUN_MAX 100000 /* requests per run: 2N + 1 */
#define QUEUE_MAX 8
#define ADDR_MAX 64

enum kind { PUT, GET, GET_MISSING };

typedef struct pending {
    int64_t corr;  /* 0 = free slot */
    uint8_t kind;  /* enum kind */
    uint8_t done;  /* answered */
    int32_t index; /* i of k<i> */
} pending;

typedef struct run_spec {
    int64_t n;
    int32_t timeout_ms;
    char to[ADDR_MAX];
} run_spec;

static run_spec queue[QUEUE_MAX];
static size_t queued;

static struct {
    int active;
    run_spec spec;
    uint64_t started_ns;
    pending *table; /* open addressing, `cap` slots (a power of two) */
    size_t cap;
    size_t total, answered, ok, unexpected, refused, timedout, failed;
} run;

static size_t slot_of(int64_t corr) {
    uint64_t h = (uint64_t)corr * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 32) & (run.cap - 1);
}

static void table_add(int64_t corr, enum kind kind, int32_t index) {
    size_t i = slot_of(corr);
    while (run.table[i].corr != 0)
        i = (i + 1) & (run.cap - 1);
    run.table[i] = (pending){.corr = corr, .kind = (uint8_t)kind, .index = index};
}

static pending *table_find(int64_t corr) {
    if (run.table == NULL)
        return NULL;
    for (size_t i = slot_of(corr); run.table[i].corr != 0; i = (i + 1) & (run.cap - 1))
        if (run.table[i].corr == corr)
            return &run.table[i];
    return NULL;
}

static void start_next(void);

/* Logs the summary once every request has an outcome, then starts the next queued run. */
static void maybe_finish(void) {
    if (!run.active || run.answered + run.refused < run.total)
        return;
    uint64_t us = (wactor_now() - run.started_ns) / 1000;
    wactor_logf(WACTOR_LOG_INFO,
                "kv_client: run of %lld against %s done in %llu us: %zu requests, %zu answered as expected, "
                "%zu unexpected answers, %zu timed out, %zu failed, %zu refused",
                (long long)run.spec.n, run.spec.to, (unsigned long long)us, run.total, run.ok, run.unexpected,
                run.timedout, run.failed, run.refused);
    free(run.table);
    run.table = NULL;
    run.active = 0;
    start_next();
}

static void send_request(const char *json, enum kind kind, int32_t index) {
    int64_t corr = wactor_request_json(run.spec.to, json, run.spec.timeout_ms);
    if (corr <= 0) {
        run.refused++;
        wactor_logf(WACTOR_LOG_ERROR, "kv_client: request %s to %s refused: %s (%lld)", json, run.spec.to,
                    wactor_error_name(corr), (long long)corr);
        return;
    }
    table_add(corr, kind, index);
}

static void start(const run_spec *spec) {
    size_t total = (size_t)spec->n * 2 + 1, cap = 16;
    while (cap < total * 2)
        cap *= 2;
    memset(&run, 0, sizeof run);
    run.table = (pending *)calloc(cap, sizeof *run.table);
    if (run.table == NULL) {
        wactor_logf(WACTOR_LOG_ERROR, "kv_client: no memory for a run of %lld", (long long)spec->n);
        return;
    }
    run.active = 1;
    run.spec = *spec;
    run.cap = cap;
    run.total = total;
    run.started_ns = wactor_now();
    wactor_logf(WACTOR_LOG_INFO, "kv_client: run of %lld: %zu requests to %s (timeout %d ms)", (long long)spec->n,
                total, spec->to, (int)spec->timeout_ms);
    char json[96];
    for (int32_t i = 0; i < (int32_t)spec->n; i++) {
        snprintf(json, sizeof json, "{\"put\":\"k%d\",\"value\":\"v%d\"}", (int)i, (int)i);
        send_request(json, PUT, i);
    }
    for (int32_t i = 0; i < (int32_t)spec->n; i++) {
        snprintf(json, sizeof json, "{\"get\":\"k%d\"}", (int)i);
        send_request(json, GET, i);
    }
    send_request("{\"get\":\"no-such-key\"}", GET_MISSING, -1);
    maybe_finish(); /* everything refused: done already */
}

static void start_next(void) {
    while (!run.active && queued > 0) {
        run_spec next = queue[0];
        memmove(queue, queue + 1, (queued - 1) * sizeof queue[0]);
        queued--;
        start(&next);
    }
}

static void on_run(const char *json, size_t len) {
    run_spec spec = {.timeout_ms = 1000};
    strcpy(spec.to, "kv");
    int64_t t;
    if (wactor_json_get_i64(json, len, "run", &spec.n) != 0 || spec.n < 0 || spec.n > (RUN_MAX - 1) / 2) {
        wactor_logf(WACTOR_LOG_WARN, "kv_client: \"run\" must be an integer in [0, %d]", (RUN_MAX - 1) / 2);
        return;
    }
    if (wactor_json_find(json, len, "timeout_ms") != 0) {
        if (wactor_json_get_i64(json, len, "timeout_ms", &t) != 0 || t <= 0 || t > INT32_MAX) {
            wactor_log_str(WACTOR_LOG_WARN, "kv_client: \"timeout_ms\" must be a positive integer");
            return;
        }
        spec.timeout_ms = (int32_t)t;
    }
    if (wactor_json_find(json, len, "to") != 0) {
        long n = wactor_json_get_string(json, len, "to", spec.to, sizeof spec.to);
        if (n <= 0 || n >= ADDR_MAX) {
            wactor_logf(WACTOR_LOG_WARN, "kv_client: \"to\" must be an address of 1..%d bytes", ADDR_MAX - 1);
            return;
        }
    }
    if (!run.active) {
        start(&spec);
    } else if (queued < QUEUE_MAX) {
        queue[queued++] = spec; /* not logged: whether a run has to wait depends on timing */
    } else {
        wactor_log_str(WACTOR_LOG_WARN, "kv_client: too many runs queued; dropped");
    }
}

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) != 0 || codec != WACTOR_CODEC_JSON) {
        wactor_logf(WACTOR_LOG_WARN, "kv_client: ignoring a non-JSON message from %.*s", (int)sender_len, sender);
        return;
    }
    const char *json = (const char *)body;
    if (wactor_json_find(json, blen, "run") != 0) {
        on_run(json, blen);
    } else {
        int shown = blen > 120 ? 120 : (int)blen;
        wactor_logf(WACTOR_LOG_WARN, "kv_client: ignoring a message from %.*s: %.*s", (int)sender_len, sender,
                    shown, json);
    }
}
WACTOR_HANDLE_MESSAGE(on_message)

/* Is `json` the answer expected for request `p`? */
static int as_expected(const pending *p, const char *json, size_t len) {
    char want[32];
    const char *raw;
    size_t rlen;
    switch (p->kind) {
    case PUT:
        return wactor_json_get_raw(json, len, "ok", &raw, &rlen) == 0 && rlen == 4 && memcmp(raw, "true", 4) == 0;
    case GET:
        snprintf(want, sizeof want, "v%d", (int)p->index);
        return wactor_json_str_is(json, len, "value", want);
    default:
        return wactor_json_str_is(json, len, "error", "not found");
    }
}

static void on_reply(int64_t corr, int32_t status, const uint8_t *payload, size_t len) {
    pending *p = table_find(corr);
    if (p == NULL || p->done) {
        wactor_logf(WACTOR_LOG_WARN, "kv_client: %s answer #%lld (status %d) ignored",
                    p == NULL ? "unknown" : "duplicate", (long long)corr, (int)status);
        return;
    }
    p->done = 1;
    run.answered++;
    char what[32];
    if (p->kind == GET_MISSING)
        snprintf(what, sizeof what, "get no-such-key");
    else
        snprintf(what, sizeof what, "%s k%d", p->kind == PUT ? "put" : "get", (int)p->index);
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    if (status != 0) {
        if (status == WACTOR_ERR_TIMEDOUT)
            run.timedout++;
        else
            run.failed++;
        wactor_logf(WACTOR_LOG_WARN, "kv_client: #%lld %s: %s (%d)", (long long)corr, what, wactor_error_name(status),
                    (int)status);
    } else if (wactor_payload_body(payload, len, &codec, &body, &blen) != 0 || codec != WACTOR_CODEC_JSON) {
        run.unexpected++;
        wactor_logf(WACTOR_LOG_WARN, "kv_client: #%lld %s: answer is not JSON (%zu bytes)", (long long)corr, what, len);
    } else {
        int good = as_expected(p, (const char *)body, blen);
        if (good)
            run.ok++;
        else
            run.unexpected++;
        int shown = blen > 120 ? 120 : (int)blen;
        wactor_logf(good ? WACTOR_LOG_INFO : WACTOR_LOG_WARN, "kv_client: #%lld %s -> %.*s%s", (long long)corr, what,
                    shown, (const char *)body, good ? "" : " (unexpected)");
    }
    maybe_finish();
}
WACTOR_HANDLE_REPLY(on_reply)
