/* run.c — `wactor run MANIFEST.yaml [--until-idle] [--fail-on-trap] ...`: start the declared components,
 * deliver the initial messages, write every log record to stderr (cli/log.h: text or JSON, --log-level / the
 * manifest's `log:`), and run until SIGINT/SIGTERM or, with
 * --until-idle, until every mailbox is empty and no component is running (pending health probes do not
 * count: see actor_send_after_background). Then stop the components in reverse start order (each gets
 * `_cleanup`) and print a summary with the number of restarts (supervisor child_started events with
 * "restart": true). With --fail-on-trap the exit status is 1 if any instance trapped. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/admin.h"
#include "cli/log.h"
#include "cli/tree.h"
#include "common/escape.h"
#include "manifest/manifest.h"
#include "wactor_http.h"

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static atomic_ullong restarts; /* child_started events of restarts */

/* Every supervisor event: counted when it is a restart; with --events FILE (user non-NULL), one JSON
 * object per line, flushed as it happens. A restart is {"event":"child_started",...,"restart":true,...}
 * (src/supervisor/children.c, jansson's compact form): inside a JSON string that text would be escaped
 * ("restart\":true), so a child's name or a reason cannot fake it. */
static void on_event(void *user, const char *json) {
    static const char started[] = "{\"event\":\"child_started\",";
    if (strncmp(json, started, sizeof started - 1) == 0 && strstr(json, "\"restart\":true"))
        atomic_fetch_add(&restarts, 1);
    FILE *out = user;
    if (!out) return;
    pthread_mutex_lock(&out_lock);
    fprintf(out, "%s\n", json);
    fflush(out);
    pthread_mutex_unlock(&out_lock);
}

/* A component or supervisor that could not start: the load error (`loading`), the start-up trap, or the
 * spawn's own message, which says what failed ("wasi: preopen data: No such file or directory"). */
static void start_error(const char *what, bool loading, wactor_error err, const wactor_diag *d) {
    if (err == WACTOR_ETRAP) cli_trap_error(what, d);
    else if (loading && (err == WACTOR_ENOENT || err == WACTOR_EIO) && d->message[0])
        cli_say(what, d->message); /* "cannot open x.wasm: ..." */
    else if (!loading && d->message[0]) cli_say(what, d->message);
    else cli_error(what, err, d);
}

/* Waits for SIGINT/SIGTERM, or (until_idle) for the system to go idle. Returns the signal or 0. */
static int wait_for_end(wactor_runtime *rt, bool until_idle) {
    for (;;) {
        if (until_idle && wactor_wait_idle(rt, 100) == WACTOR_OK) return 0;
        int sig = cli_signals_wait(until_idle ? 0 : 200);
        if (sig > 0) return sig;
    }
}

/* Loads every module, starts the components outside the tree (in manifest order), then the tree. */
static int start_all(wactor_runtime *rt, const manifest *m, wactor_module **mods, cli_grants *grants,
                     wactor_pid *pids, wactor_pid *root) {
    for (size_t i = 0; i < m->ncomponents; i++) {
        const manifest_component *c = &m->components[i];
        wactor_diag d = {0};
        wactor_error err = cli_grants_init(&grants[i], c) ? WACTOR_ENOMEM : WACTOR_OK;
        wactor_spawn_opts opts = cli_spawn_opts(c, &grants[i]);
        bool loading = !err;
        if (!err) err = wactor_module_load_file(rt, c->module_path, &mods[i], &d);
        if (!err) loading = false;
        if (!err) err = wactor_declare(rt, c->name, mods[i], &opts); /* guests may spawn it by name */
        if (!err && !c->in_tree) err = wactor_spawn(rt, mods[i], &opts, &pids[i], &d);
        if (err) {
            char what[300];
            snprintf(what, sizeof what, "%s:%d: component %s", m->path, c->line, c->name);
            start_error(what, loading, err, &d);
            return err == WACTOR_ETRAP ? CLI_TRAP : CLI_BAD_INPUT;
        }
    }
    if (!m->supervisor) return CLI_OK;
    wactor_sup_spec *spec = cli_tree_spec(m, mods, grants);
    wactor_diag d = {0};
    wactor_error err = spec ? wactor_supervisor_start(rt, spec, root, &d) : WACTOR_ENOMEM;
    cli_tree_free(spec);
    if (err) {
        char what[300];
        snprintf(what, sizeof what, "%s:%d: supervisor %s", m->path, m->supervisor->line, m->supervisor->name);
        start_error(what, false, err, &d);
        return err == WACTOR_ETRAP ? CLI_TRAP : CLI_BAD_INPUT;
    }
    return CLI_OK;
}

static int deliver(wactor_runtime *rt, const manifest *m) {
    for (size_t i = 0; i < m->nsends; i++) {
        const manifest_message *s = &m->sends[i];
        wactor_pid to = wactor_whereis(rt, s->target);
        wactor_error err = to ? wactor_send(rt, to, s->payload, s->len) : WACTOR_ENOENT;
        if (err) {
            char what[300];
            snprintf(what, sizeof what, "%s:%d: send to %s", m->path, s->line, s->target);
            cli_error(what, err, NULL);
        }
    }
    for (size_t i = 0; i < m->npublishes; i++) {
        const manifest_message *p = &m->publishes[i];
        wactor_error err = wactor_publish(rt, p->target, p->payload, p->len, NULL);
        if (err) {
            char what[300];
            snprintf(what, sizeof what, "%s:%d: publish to %s", m->path, p->line, p->target);
            cli_error(what, err, NULL);
        }
    }
    return CLI_OK;
}

/* --stats: per component (all its instances, restarts included) delivered / refused / dead-lettered. */
static void print_stats(wactor_runtime *rt, const manifest *m) {
    printf("%-16s %10s %10s %10s %s\n", "component", "delivered", "refused", "dead", "state");
    for (size_t i = 0; i < m->ncomponents; i++) {
        wactor_actor_info info;
        if (wactor_totals(rt, m->components[i].name, &info) != WACTOR_OK) continue;
        char name[256];
        escape_to(name, sizeof name, m->components[i].name, strlen(m->components[i].name));
        printf("%-16s %10llu %10llu %10llu %s\n", name, (unsigned long long)info.messages,
               (unsigned long long)info.refused, (unsigned long long)info.dead_letters, wactor_state_name(info.state));
    }
}

int cli_run(int argc, char **argv) {
    cli_run_args args;
    char msg[512];
    int rc = cli_parse_run(argc, argv, &args, msg, sizeof msg);
    if (rc != CLI_PARSE_OK) return cli_parse_failed("run", rc, msg);
    if (args.command) { /* a module, not a manifest */
        int st = cli_run_command(&args, argc, argv);
        cli_run_args_free(&args);
        return st;
    }
    cli_run_args_free(&args); /* a manifest's options own nothing */
    const char *path = args.path, *events_path = args.events_path;
    bool until_idle = args.until_idle, stats = args.stats, admin = args.admin;
    FILE *events = NULL;
    if (events_path) {
        events = strcmp(events_path, "-") == 0 ? stderr : fopen(events_path, "w");
        if (!events) {
            fprintf(stderr, "wactor: cannot open --events %s: %s\n", events_path, strerror(errno));
            return CLI_BAD_INPUT;
        }
    }
    char err_text[512];
    manifest *m = NULL;
    if (manifest_load(path, &m, err_text, sizeof err_text) != 0) {
        fprintf(stderr, "wactor: %s\n", err_text);
        if (events && events != stderr) fclose(events);
        return CLI_BAD_INPUT;
    }
    /* Taken by a thread of their own; scheduler threads inherit the blocked mask. During start-up a
     * signal ends the process at once (a `_start` may never return). */
    cli_signals_start();

    cli_log log;
    cli_log_init(&log, &args.log, m->log.level, m->log.format == MANIFEST_LOG_JSON ? CLI_LOG_JSON : CLI_LOG_TEXT,
                 &out_lock);
    wactor_config cfg = {.log = cli_log_record, .log_user = &log, .log_level = log.level};
    /* the manifest's warnings (e.g. a capability target naming nothing declared) are log records of the
     * source "manifest", at warn, so --log-level and --log-format apply to them too */
    for (size_t i = 0; i < m->nwarnings; i++)
        cli_log_record(&log, WACTOR_LOG_WARN, "manifest", m->warnings[i].message, strlen(m->warnings[i].message));
    if (m->warnings_dropped) {
        char more[64];
        int n = snprintf(more, sizeof more, "%zu more warnings not shown", m->warnings_dropped);
        cli_log_record(&log, WACTOR_LOG_WARN, "manifest", more, (size_t)n);
    }
    wactor_runtime *rt = NULL;
    wactor_error rc_rt = wactor_runtime_create(&cfg, &rt);
    if (rc_rt != WACTOR_OK) {
        cli_error("cannot start the runtime", rc_rt, NULL);
        manifest_free(m);
        if (events && events != stderr) fclose(events);
        return CLI_BAD_INPUT;
    }
    wactor_set_event_handler(rt, on_event, events);
    wactor_http *http = NULL;
    int http_status = cli_http_start(rt, args.http, args.http_token_file, &m->http, &http);
    wactor_module **mods = calloc(m->ncomponents + 1, sizeof *mods);
    wactor_pid *pids = calloc(m->ncomponents + 1, sizeof *pids);
    cli_grants *grants = calloc(m->ncomponents + 1, sizeof *grants);
    wactor_pid root = 0;
    int status = http_status;
    if (status != CLI_OK) { /* cli_http_start said why */
    } else if (mods && pids && grants) {
        status = start_all(rt, m, mods, grants, pids, &root);
    } else {
        cli_error(NULL, WACTOR_ENOMEM, NULL);
        status = CLI_BAD_INPUT;
    }
    if (status == CLI_OK && admin) cli_admin_start(rt, &out_lock);
    if (status == CLI_OK) {
        cli_signals_running();
        deliver(rt, m);
        int sig = wait_for_end(rt, until_idle);
        if (sig) fprintf(stderr, "wactor: %s, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    wactor_http_stop(http);
    /* graceful stop in reverse start order: the tree (its supervisors stop their children in reverse
     * order, each with its shutdown timeout), then the components outside it */
    if (root) wactor_stop(rt, root, 60000);
    for (size_t i = m->ncomponents; pids && i-- > 0;)
        if (pids[i]) wactor_stop(rt, pids[i], WACTOR_DEFAULT_STOP_MS);
    if (status == CLI_OK) {
        wactor_stats st;
        wactor_stats_get(rt, &st);
        if (stats) print_stats(rt, m);
        unsigned long long nrestarts = atomic_load(&restarts);
        fprintf(admin ? stderr : stdout, "summary: %zu components, %llu messages delivered, %llu refused, %llu dead letters, %llu traps, "
               "%llu restart%s\n",
               m->ncomponents, (unsigned long long)st.delivered, (unsigned long long)st.refused,
               (unsigned long long)st.dead_letters, (unsigned long long)st.traps, nrestarts,
               nrestarts == 1 ? "" : "s");
        if (args.fail_on_trap && st.traps > 0) {
            fprintf(stderr, "wactor: %llu trap%s (--fail-on-trap)\n", (unsigned long long)st.traps,
                    st.traps == 1 ? "" : "s");
            status = CLI_TRAP;
        }
    }
    wactor_runtime_destroy(rt);
    for (size_t i = 0; mods && i < m->ncomponents; i++) wactor_module_release(mods[i]);
    free(mods);
    free(pids);
    for (size_t i = 0; grants && i < m->ncomponents; i++) cli_grants_free(&grants[i]);
    free(grants);
    manifest_free(m);
    if (events && events != stderr) fclose(events);
    return status;
}
