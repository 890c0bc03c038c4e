/* messages.c — send, ask, publish (JSON-multicodec payloads), health and info, as answers. */
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"

static const char *const health_names[] = {"healthy", "degraded", "unhealthy"};

/* The JSON-multicodec payload (prefix 0x0200 as an unsigned varint: 0x80 0x04) of `message`'s compact
 * text, malloc'd; NULL on ENOMEM or a value jansson cannot encode. */
static uint8_t *payload_of(const json_t *message, size_t *len) {
    char *text = json_dumps(message, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) return NULL;
    size_t n = strlen(text);
    uint8_t *p = malloc(n + 2);
    if (p) {
        p[0] = 0x80, p[1] = 0x04;
        memcpy(p + 2, text, n);
        *len = n + 2;
    }
    free(text);
    return p;
}

/* Resolves a message's target, which must be a component (or host actor). The runtime itself refuses a
 * component's message to a supervisor (WACTOR_EINVAL: each kind of actor has its own message types,
 * docs/ABI.md "Kinds of actor"); checking here first gives the operator a 404 that names the target. */
static int target(wactor_runtime *rt, const char *to, wactor_pid *pid, admin_answer *err) {
    if (admin_resolve(rt, to, to ? strlen(to) : 0, pid, err)) return -1;
    wactor_actor_info info;
    if (wactor_info(rt, *pid, &info) != WACTOR_OK) {
        *err = admin_error(404, "%s is not a component (a supervisor, or an actor that has ended)", to);
        return -1;
    }
    return 0;
}

admin_answer admin_send(wactor_runtime *rt, const char *to, const json_t *message) {
    wactor_pid pid;
    admin_answer bad;
    if (target(rt, to, &pid, &bad)) return bad;
    if (!message) return admin_error(400, "send needs a JSON message");
    size_t len = 0;
    uint8_t *p = payload_of(message, &len);
    if (!p) return admin_error(500, "out of memory");
    wactor_error err = wactor_send(rt, pid, p, len);
    free(p);
    if (err == WACTOR_EFULL) return admin_error(503, "%s: its mailbox is full; nothing was sent", to);
    if (err) return admin_from_error(err);
    return (admin_answer){json_pack("{s:b}", "ok", 1), 200};
}

admin_answer admin_ask(wactor_runtime *rt, const char *to, const json_t *message, int timeout_ms) {
    wactor_pid pid;
    admin_answer bad;
    if (target(rt, to, &pid, &bad)) return bad;
    if (!message) return admin_error(400, "ask needs a JSON message");
    if (timeout_ms < 1 || timeout_ms > ADMIN_ASK_TIMEOUT_MAX)
        return admin_error(400, "timeout_ms must be 1 to %d", ADMIN_ASK_TIMEOUT_MAX);
    size_t len = 0;
    uint8_t *p = payload_of(message, &len);
    if (!p) return admin_error(500, "out of memory");
    void *answer = NULL;
    size_t alen = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_ask(rt, pid, p, len, timeout_ms, &answer, &alen, &d);
    free(p);
    if (err == WACTOR_ENOHANDLER)
        return admin_error(409, "%s did not reply: its handle-message returned without calling reply (or it "
                           "exports no handle-message)", to);
    if (err == WACTOR_ETIMEDOUT) return admin_error(504, "%s did not reply within %d ms", to, timeout_ms);
    if (err == WACTOR_ETRAP)
        return admin_error(500, "%s trapped handling the request: %s", to, d.message[0] ? d.message : wactor_trap_name(d.trap));
    if (err) return admin_from_error(err);
    const uint8_t *a = answer;
    json_t *body = NULL;
    /* the guest's reply is parsed, never pasted: it cannot break out of the answer object */
    if (alen >= 2 && a[0] == 0x80 && a[1] == 0x04)
        body = json_loadb((const char *)a + 2, alen - 2, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    free(answer);
    if (body) return (admin_answer){json_pack("{s:o}", "reply", body), 200};
    return (admin_answer){json_pack("{s:I}", "reply_bytes", (json_int_t)alen), 200};
}

admin_answer admin_publish(wactor_runtime *rt, const char *topic, const json_t *message) {
    if (!topic || !*topic) return admin_error(400, "publish needs a topic");
    if (!message) return admin_error(400, "publish needs a JSON message");
    size_t len = 0;
    uint8_t *p = payload_of(message, &len);
    if (!p) return admin_error(500, "out of memory");
    size_t n = 0;
    wactor_error err = wactor_publish(rt, topic, p, len, &n);
    free(p);
    if (err == WACTOR_EINVAL)
        return admin_error(400, "malformed topic: a NATS subject without wildcards (tokens separated by '.')");
    if (err) return admin_from_error(err);
    return (admin_answer){json_pack("{s:I}", "delivered", (json_int_t)n), 200};
}

admin_answer admin_health(wactor_runtime *rt, const char *address) {
    wactor_pid pid;
    admin_answer bad;
    if (target(rt, address, &pid, &bad)) return bad;
    wactor_health_status hs;
    char reason[256] = "";
    wactor_error err = wactor_health(rt, pid, 2000, &hs, reason, sizeof reason);
    if (err) return admin_from_error(err);
    json_t *r = json_stringn(reason, strnlen(reason, sizeof reason));
    return (admin_answer){json_pack("{s:s,s:o}", "status", health_names[hs % 3], "reason", r ? r : json_string("?")),
                          200};
}

admin_answer admin_info(wactor_runtime *rt, const char *address) {
    wactor_pid pid;
    admin_answer bad;
    if (target(rt, address, &pid, &bad)) return bad;
    json_t *c = admin_component_json(rt, pid);
    if (!c) return admin_from_error(WACTOR_ENOENT);
    /* the console has always begun with state and the three counters: keep that order */
    json_t *o = json_pack("{s:O,s:O,s:O,s:O}", "state", json_object_get(c, "state"), "messages",
                          json_object_get(c, "messages"), "refused", json_object_get(c, "refused"), "dead_letters",
                          json_object_get(c, "dead_letters"));
    if (o) json_object_update_missing(o, c);
    json_decref(c);
    return o ? (admin_answer){o, 200} : admin_error(500, "out of memory");
}
