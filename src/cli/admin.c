/*
 * admin.c — `wactor run --admin`: the admin console on stdin. A thin loop over the command layer
 * (src/admin/, the one the admin HTTP server shares): one command per line, one JSON answer per line on
 * stdout (docs/OPERATIONS.md lists them). `help`, `quit`, `exit` and the end of input end the session; a
 * line over ADMIN_MAX_LINE bytes is refused whole. Answers are encoded by jansson (JSON_ENSURE_ASCII), so
 * guest text in them is escaped, never pasted.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "cli/admin.h"

static pthread_mutex_t *out_lock;

static void print_answer(json_t *v) {
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(9) | JSON_ENCODE_ANY);
    pthread_mutex_lock(out_lock);
    fputs(text ? text : "{\"error\":\"out of memory\"}", stdout);
    putchar('\n');
    fflush(stdout);
    pthread_mutex_unlock(out_lock);
    free(text);
}

static void *console(void *arg) {
    wactor_runtime *rt = arg;
    admin_session s;
    admin_session_init(&s);
    size_t cap = 4096, len = 0;
    char *line = malloc(cap);
    bool end = false, skipping = false;
    int c = 0;
    while (line && !end && c != EOF) {
        /* read one line, up to ADMIN_MAX_LINE bytes; a longer one is answered with an error and skipped */
        len = 0;
        while ((c = getchar()) != EOF && c != '\n') {
            if (len >= ADMIN_MAX_LINE) {
                skipping = true;
                continue;
            }
            if (len + 1 >= cap) {
                char *bigger = realloc(line, cap * 2);
                if (!bigger) break;
                line = bigger;
                cap *= 2;
            }
            line[len++] = (char)c;
        }
        if (c == EOF && len == 0) break;
        admin_answer a = skipping ? admin_error(413, "line too long (over %u bytes)", ADMIN_MAX_LINE)
                                  : admin_command(rt, &s, line, len, &end);
        skipping = false;
        if (a.json) print_answer(a.json);
        json_decref(a.json);
    }
    free(line);
    return NULL;
}

int cli_admin_start(wactor_runtime *rt, pthread_mutex_t *lock) {
    out_lock = lock;
    pthread_t t;
    if (pthread_create(&t, NULL, console, rt) != 0) return -1;
    pthread_detach(t); /* it ends with its session, or with the process; stdin may never close */
    return 0;
}
