/*
 * admin.h — the operator's command layer: what the stdin console (`wactor run --admin`) and the admin HTTP
 * server (src/http/) do, as functions answering JSON (docs/OPERATIONS.md lists every answer's shape).
 *
 * It uses the public embedding API (include/wactor.h) and jansson only. Every function returns an
 * admin_answer: `json` is a new jansson reference the caller owns (json_decref), never NULL unless out of
 * memory; `status` is the HTTP status the answer stands for (200, or 400 / 404 / 409 / 413 / 500 / 503 / 504
 * with `json` = {"error":"TEXT"}). The console prints `json` and ignores `status`.
 *
 * Addresses (ADDRESS below) follow docs/ABI.md "Addresses": a registered name, or "#" and a pid in decimal
 * without sign or leading zero; anything else is a 400 error naming the text. Guest-controlled text (names,
 * reasons, replies) enters the answers as JSON strings built by jansson, never pasted.
 *
 * Thread-safety: every function may be called from any thread, concurrently, except from inside an
 * actor's handler (health, ask and the supervisor calls block the caller for up to their timeout).
 */
#ifndef WACTOR_ADMIN_H
#define WACTOR_ADMIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wactor.h"

typedef struct admin_answer {
    json_t *json;
    int status;
} admin_answer;

/* Bounds of what one command may make the host build. */
#define ADMIN_MAX_LINE        (64u << 10)   /* bytes of one console line / `command` */
#define ADMIN_MAX_CHILDREN    4096u         /* children listed per supervisor */
#define ADMIN_MAX_DEPTH       32u           /* nesting of supervisors walked by admin_tree */
#define ADMIN_MAX_COMPONENTS  100000u       /* components listed by admin_components / admin_ps */
#define ADMIN_ASK_TIMEOUT_MAX 60000         /* ms */

/* {"error": text} with `status`. */
admin_answer admin_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The answer for a wactor_error from the embedding API (its wactor_strerror text), with its HTTP status. */
admin_answer admin_from_error(wactor_error err);

/* Resolves ADDRESS (len bytes, not NUL-terminated) to a pid. Returns 0, or fills *err (400 malformed, 404 no
 * actor holds that name now) and returns -1. */
int admin_resolve(wactor_runtime *rt, const char *text, size_t len, wactor_pid *pid, admin_answer *err);

/* ----------------------------------------------------------------- what is there (query.c) */

/* The COMPONENT object of `pid` (docs/OPERATIONS.md); NULL on ENOENT/ENOMEM. */
json_t *admin_component_json(wactor_runtime *rt, wactor_pid pid);
/* {"components":[COMPONENT...]}: the live components in spawn order. */
admin_answer admin_components(wactor_runtime *rt);
/* One COMPONENT by ADDRESS (404 if unknown). */
admin_answer admin_component(wactor_runtime *rt, const char *address);
/* [{"pid","address","name","state","mailbox"}...]: the console's ps / list. */
admin_answer admin_ps(wactor_runtime *rt);
/* {"supervisors":[SUPERVISOR...]}: every top-level tree, nested children with their states. */
admin_answer admin_tree(wactor_runtime *rt);
/* The NODE object; `messages_per_second` is the caller's rate (it samples; negative: null). */
admin_answer admin_node(wactor_runtime *rt, double messages_per_second, double uptime_seconds);
/* {"actors","delivered","refused","dead_letters","traps"}: wactor_stats as the console has printed it. */
admin_answer admin_stats(wactor_runtime *rt);
/* The process's resident set in bytes (/proc/self/statm), 0 if unreadable. */
uint64_t admin_rss_bytes(void);
/* ISO-8601 UTC with milliseconds of `ns` since the epoch into buf (>= 32 bytes). */
void admin_iso_time(uint64_t ns, char *buf, size_t cap);

/* ----------------------------------------------------------------- supervisors (children.c) */

/* which_children of `sup` into *out (malloc'd, the caller frees; at most ADMIN_MAX_CHILDREN), their number
 * into *n. Errors: those of wactor_which_children, WACTOR_ENOMEM. */
wactor_error admin_children_of(wactor_runtime *rt, wactor_pid sup, wactor_child_info **out, size_t *n);
/* {"id","pid","supervisor","restart","restarts"} (+ "state" running/stopped when with_state). */
json_t *admin_child_json(const wactor_child_info *k, bool with_state);

admin_answer admin_which_children(wactor_runtime *rt, const char *sup);
admin_answer admin_count_children(wactor_runtime *rt, const char *sup);
/* simple_one_for_one only; another strategy is a 409 saying why. */
admin_answer admin_start_child(wactor_runtime *rt, const char *sup);
/* `id` is a child id, or "#pid" of a simple_one_for_one child. */
admin_answer admin_terminate_child(wactor_runtime *rt, const char *sup, const char *id);
admin_answer admin_restart_child(wactor_runtime *rt, const char *sup, const char *id);
admin_answer admin_delete_child(wactor_runtime *rt, const char *sup, const char *id);

/* ----------------------------------------------------------------- messages (messages.c) */

/* `message` (borrowed) is sent as a JSON-multicodec payload of its compact text. */
admin_answer admin_send(wactor_runtime *rt, const char *to, const json_t *message);
/* timeout_ms in 1..ADMIN_ASK_TIMEOUT_MAX (else 400); the guest's JSON reply is parsed, never pasted. */
admin_answer admin_ask(wactor_runtime *rt, const char *to, const json_t *message, int timeout_ms);
admin_answer admin_publish(wactor_runtime *rt, const char *topic, const json_t *message);
admin_answer admin_health(wactor_runtime *rt, const char *address);
/* {"state",...}: the COMPONENT members of ADDRESS (live or ended recently). */
admin_answer admin_info(wactor_runtime *rt, const char *address);

/* ----------------------------------------------------------------- the console (command.c) */

/* Per-session state of a console: when `node` was last asked (for its messages/s). */
typedef struct admin_session {
    uint64_t last_ns, last_delivered, started_ns;
    bool sampled;   /* last_delivered holds a sample (the first `node` has no rate yet: null) */
} admin_session;
void admin_session_init(admin_session *s);

/* Runs one console line (`len` bytes, trailing newline allowed): the commands of docs/OPERATIONS.md.
 * *end becomes true for help, quit, exit. An empty line answers json = NULL, status 200 (print nothing). */
admin_answer admin_command(wactor_runtime *rt, admin_session *s, const char *line, size_t len, bool *end);

#endif
