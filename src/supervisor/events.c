/*
 * events.c — supervisor events as JSON lines (jansson does the escaping).
 *
 * Every event has "event", "supervisor" (the registered name, or null), "child" (id, or null) and "reason"
 * (text, or null); some add fields ("pid", "restart", "delay_ms", "status"). Emitted synchronously from the
 * supervisor's own handler, so they arrive in order per supervisor.
 */
#include "supervisor/internal.h"

#include <stdlib.h>
#include <string.h>

/* A JSON string of `s`; bytes that are not valid UTF-8 (a guest's trap text may be anything) become '?'. */
static json_t *str_or_null(const char *s) {
    if (!s) return json_null();
    json_t *j = json_string(s);
    if (j) return j;
    char *copy = strdup(s);
    if (!copy) return json_null();
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80) *p = '?';
    j = json_string(copy);
    free(copy);
    return j ? j : json_null();
}

json_t *sup_event_new(const sup_state *s, const char *event, const sup_child *c, const char *reason) {
    json_t *ev = json_object();
    if (!ev) return NULL;
    json_object_set_new(ev, "event", json_string(event));
    json_object_set_new(ev, "supervisor", str_or_null(s->name));
    json_object_set_new(ev, "child", str_or_null(c ? c->id : NULL));
    json_object_set_new(ev, "reason", str_or_null(reason));
    return ev;
}

void sup_event_emit(const sup_state *s, json_t *ev) {
    if (!ev) return;
    if (s->event) {
        char *line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (line) s->event(s->event_user, line);
        free(line);
    }
    json_decref(ev);
}

void sup_emit_child(const sup_state *s, const char *event, const sup_child *c, actor_id pid, const char *reason) {
    if (!s->event) return;
    json_t *ev = sup_event_new(s, event, c, reason);
    if (ev && pid) json_object_set_new(ev, "pid", json_integer((json_int_t)pid));
    sup_event_emit(s, ev);
}
