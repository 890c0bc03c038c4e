/* test_runtime_supervision.c — supervision trees of real components (examples compiled from C, WAT fixtures)
 * through the embedding API.
 *
 * Every test captures the supervisors' events (JSON lines, parsed with jansson) and asserts on each
 * supervisor's story: the ordered list of "<event> <child> [<reason>]" entries of that supervisor, e.g.
 * "child_exited b integer divide by zero|child_exited c shutdown|child_started b". Stories leave out
 * `health` and `child_restarting` events (checked separately where they matter). Conditions are awaited
 * with bounded polls (WAIT_MS); "nothing else happened" is checked after a synchronous supervisor request
 * (which_children), which the supervisor answers only after any restart it had already scheduled. */
#include <fnmatch.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "runtime_support.h"
#include <jansson.h>

#include "wactor.h"

/* How long a story may take to be told. Generous: under ASan on a loaded machine the looper's 2,000,000
 * instructions of fuel alone take 2-4 s of wall time (a third of it on a CPU), and a wait only ends early. */
#define WAIT_MS 15000

/* ------------------------------------------------------------------ event capture */

#define MAX_EVENTS 4096

typedef struct event {
    char sup[64];
    char entry[256];   /* "<event> <child|-> [<reason>]" */
    char kind[32];     /* the "event" field */
    char status[16];   /* health events: "degraded" / "unhealthy" */
    wactor_pid pid;    /* the "pid" field, or 0 */
    int restart;       /* child_started: the "restart" field (0/1), else -1 */
} event;

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static event events[MAX_EVENTS];
static int nevents;
static int bad_events; /* lines that were not JSON objects with event/supervisor/child/reason */
static uintptr_t generation; /* of the current runtime: events of an earlier one (a failed test's) are ignored */

static void copy_str(char *dst, size_t cap, const char *src) { snprintf(dst, cap, "%s", src ? src : "-"); }

static void on_event(void *user, const char *json) {
    pthread_mutex_lock(&ev_lock);
    bool stale = (uintptr_t)user != generation;
    pthread_mutex_unlock(&ev_lock);
    if (stale) return;
    json_error_t err;
    json_t *j = json_loads(json, 0, &err);
    json_t *jev = j ? json_object_get(j, "event") : NULL, *jsup = j ? json_object_get(j, "supervisor") : NULL;
    json_t *jchild = j ? json_object_get(j, "child") : NULL, *jreason = j ? json_object_get(j, "reason") : NULL;
    bool ok = json_is_object(j) && json_is_string(jev) && (json_is_string(jsup) || json_is_null(jsup)) &&
              (json_is_string(jchild) || json_is_null(jchild)) && (json_is_string(jreason) || json_is_null(jreason));
    pthread_mutex_lock(&ev_lock);
    if (!ok) {
        bad_events++;
        fprintf(stderr, "bad event line: %s\n", json);
    } else if (nevents < MAX_EVENTS) {
        event *e = &events[nevents++];
        memset(e, 0, sizeof *e);
        copy_str(e->sup, sizeof e->sup, json_string_value(jsup));
        copy_str(e->kind, sizeof e->kind, json_string_value(jev));
        const char *reason = json_string_value(jreason);
        snprintf(e->entry, sizeof e->entry, "%s %s%s%s", json_string_value(jev),
                 json_string_value(jchild) ? json_string_value(jchild) : "-", reason ? " " : "", reason ? reason : "");
        json_t *st = json_object_get(j, "status");
        if (json_is_string(st)) copy_str(e->status, sizeof e->status, json_string_value(st));
        json_t *pid = json_object_get(j, "pid");
        e->pid = json_is_integer(pid) ? (wactor_pid)json_integer_value(pid) : 0;
        json_t *rs = json_object_get(j, "restart");
        e->restart = json_is_boolean(rs) ? json_is_true(rs) : -1;
    }
    pthread_mutex_unlock(&ev_lock);
    json_decref(j);
}

static void reset_events(void) {
    pthread_mutex_lock(&ev_lock);
    generation++;
    nevents = 0;
    bad_events = 0;
    pthread_mutex_unlock(&ev_lock);
}

static void dump_events(void) {
    pthread_mutex_lock(&ev_lock);
    fprintf(stderr, "---- %d events:\n", nevents);
    for (int i = 0; i < nevents; i++)
        fprintf(stderr, "  %3d %s: %s (pid %llu)%s%s\n", i, events[i].sup, events[i].entry,
                (unsigned long long)events[i].pid, events[i].status[0] ? " status " : "", events[i].status);
    pthread_mutex_unlock(&ev_lock);
}

/* Stories leave out health reports and restart notices. */
static bool in_story(const event *e, const char *sup) {
    return strcmp(e->sup, sup) == 0 && strcmp(e->kind, "health") != 0 && strcmp(e->kind, "child_restarting") != 0;
}

/* `pattern` matches `text` as a shell glob: '*' stands for any text (a child id, a reason). */
static bool matches(const char *pattern, const char *text) { return fnmatch(pattern, text, 0) == 0; }

/* Waits until supervisor `sup` has told `expected` ('|'-separated entries, each matched with matches())
 * after event index *from, and asserts that its story from there is exactly that. Advances *from past the
 * last entry. Returns the index of the first entry. */
static int expect_story_at(int line, int *from, const char *sup, const char *expected) {
    char want[64][160];
    int nwant = 0;
    for (const char *p = expected; *p && nwant < 64;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        snprintf(want[nwant++], sizeof want[0], "%.*s", (int)len, p);
        p += len + (bar ? 1 : 0);
    }
    int idx[64];
    int have = 0;
    uint64_t end = now_ms() + WAIT_MS;
    for (;;) {
        have = 0;
        pthread_mutex_lock(&ev_lock);
        for (int i = *from; i < nevents && have < nwant; i++)
            if (in_story(&events[i], sup)) idx[have++] = i;
        pthread_mutex_unlock(&ev_lock);
        if (have == nwant || now_ms() > end) break;
        sleep_ms(5);
    }
    bool ok = have == nwant;
    pthread_mutex_lock(&ev_lock);
    for (int k = 0; ok && k < nwant; k++) ok = matches(want[k], events[idx[k]].entry);
    pthread_mutex_unlock(&ev_lock);
    if (!ok) {
        fprintf(stderr, "line %d: supervisor %s, from event %d: expected story\n  %s\n", line, sup, *from, expected);
        dump_events();
        fail_msg("story of %s does not match (line %d)", sup, line);
    }
    *from = idx[nwant - 1] + 1;
    return idx[0];
}
#define expect_story(from, sup, expected) expect_story_at(__LINE__, from, sup, expected)

static event event_at(int i) {
    pthread_mutex_lock(&ev_lock);
    assert_true(i >= 0 && i < nevents);
    event e = events[i];
    pthread_mutex_unlock(&ev_lock);
    return e;
}

/* Index of the first event at or after `from` of supervisor `sup` whose entry matches `pattern`, or -1. */
static int find_event(int from, const char *sup, const char *pattern) {
    int at = -1;
    pthread_mutex_lock(&ev_lock);
    for (int i = from; i < nevents && at < 0; i++)
        if (strcmp(events[i].sup, sup) == 0 && matches(pattern, events[i].entry)) at = i;
    pthread_mutex_unlock(&ev_lock);
    return at;
}

static int wait_event_at(int line, int from, const char *sup, const char *pattern) {
    uint64_t end = now_ms() + WAIT_MS;
    int at;
    while ((at = find_event(from, sup, pattern)) < 0 && now_ms() < end) sleep_ms(5);
    if (at < 0) {
        dump_events();
        fail_msg("line %d: no event '%s' of %s after %d", line, pattern, sup, from);
    }
    return at;
}
#define wait_event(from, sup, pattern) wait_event_at(__LINE__, from, sup, pattern)

/* Every start_failed event of the test names the trap kind of a failed `_start`: "start failure". Checked
 * at the end of a test (after end_runtime), so that a wrong reason does not hide the rest of the story. */
static void assert_start_failed_reasons(void) {
    int wrong = -1, seen = 0;
    pthread_mutex_lock(&ev_lock);
    for (int i = 0; i < nevents; i++)
        if (strcmp(events[i].kind, "start_failed") == 0) {
            seen++;
            if (wrong < 0 && !matches("start_failed * start failure*", events[i].entry)) wrong = i;
        }
    pthread_mutex_unlock(&ev_lock);
    assert_true(seen > 0);
    if (wrong >= 0) {
        dump_events();
        fail_msg("event %d: start_failed should give the reason \"%s\"", wrong, wactor_trap_name(WACTOR_TRAP_START));
    }
}

/* ------------------------------------------------------------------ runtime helpers */

static wactor_runtime *current; /* the test's runtime until end_runtime(); a failed test's is destroyed by
                                   teardown() */

static wactor_runtime *new_runtime(void) {
    log_reset();
    reset_events();
    wactor_config cfg = {.threads = 2, .log = log_capture};
    wactor_runtime *rt = NULL;
    assert_int_equal(wactor_runtime_create(&cfg, &rt), WACTOR_OK);
    pthread_mutex_lock(&ev_lock);
    void *gen = (void *)generation;
    pthread_mutex_unlock(&ev_lock);
    wactor_set_event_handler(rt, on_event, gen);
    current = rt;
    return rt;
}

/* Destroys the runtime and checks that every event line was well-formed. */
static void end_runtime(wactor_runtime *rt) {
    current = NULL;
    wactor_runtime_destroy(rt);
    pthread_mutex_lock(&ev_lock);
    int bad = bad_events;
    pthread_mutex_unlock(&ev_lock);
    assert_int_equal(bad, 0);
}

static wactor_module *load(wactor_runtime *rt, const char *dir, const char *name) { return load_module(rt, dir, name); }

/* A permanent component child whose id and registered name are both `name`. */
static wactor_child_spec worker(const char *name, wactor_module *m) {
    return (wactor_child_spec){.id = name, .module = m, .spawn = {.name = name}, .restart = WACTOR_PERMANENT};
}

static wactor_pid start_sup(wactor_runtime *rt, const wactor_sup_spec *spec) {
    wactor_pid pid = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_supervisor_start(rt, spec, &pid, &d);
    if (err) fprintf(stderr, "supervisor %s: %s: %s\n", spec->name ? spec->name : "?", wactor_strerror(err), d.message);
    assert_int_equal(err, WACTOR_OK);
    assert_true(pid != 0);
    return pid;
}

static void send_json(wactor_runtime *rt, wactor_pid to, const char *json) {
    size_t n = strlen(json);
    char *buf = malloc(n + 2);
    assert_non_null(buf);
    buf[0] = (char)0x80, buf[1] = 0x04; /* multicodec JSON */
    memcpy(buf + 2, json, n);
    assert_int_equal(wactor_send(rt, to, buf, n + 2), WACTOR_OK);
    free(buf);
}

static wactor_value i32(int32_t v) { return (wactor_value){.type = WACTOR_I32, .of.i32 = v}; }

/* Calls a no-argument export; returns its single result (as int64 whatever its type). */
static int64_t call0(wactor_runtime *rt, wactor_pid pid, const char *fn) {
    wactor_value res[2];
    size_t n = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_invoke_values(rt, pid, fn, NULL, 0, res, 2, &n, WAIT_MS, &d);
    if (err) fprintf(stderr, "%s on %llu: %s: %s\n", fn, (unsigned long long)pid, wactor_strerror(err), d.message);
    assert_int_equal(err, WACTOR_OK);
    assert_int_equal(n, 1);
    return res[0].type == WACTOR_I64 ? res[0].of.i64 : res[0].of.i32;
}

/* The children of `sup` (which_children), at most 16. */
static size_t children(wactor_runtime *rt, wactor_pid sup, wactor_child_info *out) {
    size_t n = 0;
    assert_int_equal(wactor_which_children(rt, sup, out, 16, &n), WACTOR_OK);
    assert_true(n <= 16);
    return n;
}

static const wactor_child_info *child_named(const wactor_child_info *v, size_t n, const char *id) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0) return &v[i];
    return NULL;
}

static wactor_pid child_pid(wactor_runtime *rt, wactor_pid sup, const char *id) {
    wactor_child_info v[16];
    size_t n = children(rt, sup, v);
    const wactor_child_info *c = child_named(v, n, id);
    assert_non_null(c);
    return c->pid;
}

static void wait_unregistered(wactor_runtime *rt, const char *name) {
    uint64_t end = now_ms() + WAIT_MS;
    while (wactor_whereis(rt, name) != 0 && now_ms() < end) sleep_ms(5);
    assert_int_equal(wactor_whereis(rt, name), 0);
}

static double elapsed_ms(uint64_t t0) { return (double)(now_ms() - t0); }

/* After a child_exited event at `exited_at` and the supervisor's next child_started: checks the pids, and that the
 * child's registered name now points at the new instance. Returns the new pid. */
static wactor_pid check_restart(wactor_runtime *rt, int exited_at, wactor_pid old, const char *name) {
    event ex = event_at(exited_at), st = event_at(exited_at + 1);
    /* the pair may have other supervisors' or excluded events between: search the started one */
    int i = exited_at + 1;
    while (!(strcmp(st.kind, "child_started") == 0 && strcmp(st.sup, ex.sup) == 0)) st = event_at(++i);
    if (old) assert_int_equal(ex.pid, old);
    assert_true(st.pid != 0);
    assert_true(st.pid != ex.pid);
    assert_int_equal(st.restart, 1);
    if (name) assert_int_equal(wactor_whereis(rt, name), st.pid);
    return st.pid;
}

/* ------------------------------------------------------------------ traps as exit reasons */

/* crasher under one_for_one, permanent: every trap kind it knows ends the instance with that reason, the
 * supervisor restarts it, the new instance is fresh (handled() == 0) and owns the name. */
static void test_crasher_trap_kinds(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_EXAMPLES, "crasher");
    wactor_child_spec kids[] = {worker("crasher", m)};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 20, .period_ms = 60000,
                            .children = kids, .nchildren = 1};
    wactor_pid root = start_sup(rt, &spec);
    assert_int_equal(wactor_whereis(rt, "root"), root);
    int from = 0;
    expect_story(&from, "root", "child_started crasher");
    assert_int_equal(event_at(0).restart, 0);

    static const struct { const char *cmd; wactor_trap_kind kind; } cases[] = {
        {"unreachable", WACTOR_TRAP_UNREACHABLE}, {"div", WACTOR_TRAP_INT_DIV_BY_ZERO},
        {"overflow", WACTOR_TRAP_INT_OVERFLOW},   {"oob", WACTOR_TRAP_OOB_MEMORY},
        {"exit", WACTOR_TRAP_EXIT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        wactor_pid pid = wactor_whereis(rt, "crasher");
        assert_true(pid != 0);
        assert_int_equal(child_pid(rt, root, "crasher"), pid);
        send_json(rt, pid, "{\"hello\":1}");
        assert_int_equal(call0(rt, pid, "handled"), 1); /* queued behind the message */
        char json[64], story[160];
        snprintf(json, sizeof json, "{\"crash\":\"%s\"}", cases[k].cmd);
        send_json(rt, pid, json);
        /* proc_exit(3) is no trap: its reason is "exit 3" (a non-zero code is an abnormal exit) */
        snprintf(story, sizeof story, "child_exited crasher %s|child_started crasher",
                 cases[k].kind == WACTOR_TRAP_EXIT ? "exit 3" : wactor_trap_name(cases[k].kind));
        int at = expect_story(&from, "root", story);
        wactor_pid fresh = check_restart(rt, at, pid, "crasher");
        assert_int_equal(call0(rt, fresh, "handled"), 0); /* a fresh instance */
        wactor_actor_info info;
        assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
        assert_int_equal(info.state, WACTOR_FAILED);
        assert_int_equal(info.failure.trap, cases[k].kind);
    }
    wactor_child_info v[16];
    size_t n = children(rt, root, v);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].restarts, 5);
    assert_false(v[0].is_supervisor);
    end_runtime(rt);
    wactor_module_release(m);
}

/* A hostile example under a permanent one_for_one child with limits: one message makes it trap with
 * `kind`; the restarted instance answers `probe` with a fresh value. */
typedef struct hostile_case {
    const char *module;
    wactor_spawn_opts limits;
    wactor_trap_kind kind;
    const char *probe;    /* export of the fresh instance ... */
    int64_t probe_max;    /* ... answering at most this */
} hostile_case;

static void test_hostile_trap(void **state) {
    const hostile_case *hc = *state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_EXAMPLES, hc->module);
    wactor_child_spec kids[] = {worker(hc->module, m)};
    kids[0].spawn.fuel = hc->limits.fuel;
    kids[0].spawn.memory_pages = hc->limits.memory_pages;
    kids[0].shutdown_ms = WACTOR_BRUTAL_KILL;
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 5, .period_ms = 60000,
                            .children = kids, .nchildren = 1};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    char story[160];
    snprintf(story, sizeof story, "child_started %s", hc->module);
    expect_story(&from, "root", story);
    wactor_pid pid = child_pid(rt, root, hc->module);
    assert_int_equal(wactor_whereis(rt, hc->module), pid);
    send_json(rt, pid, "{\"go\":true}");
    snprintf(story, sizeof story, "child_exited %s %s|child_started %s", hc->module, wactor_trap_name(hc->kind),
             hc->module);
    int at = expect_story(&from, "root", story);
    wactor_pid fresh = check_restart(rt, at, pid, hc->module);
    assert_int_equal(child_pid(rt, root, hc->module), fresh);
    assert_true(call0(rt, fresh, hc->probe) <= hc->probe_max); /* it answers, and starts over */
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
    assert_int_equal(info.failure.trap, hc->kind);
    end_runtime(rt);
    wactor_module_release(m);
}

/* the probes: looper's spins() and membomb's pages() start over in a fresh instance */
static const hostile_case recursion_case = {"recursion", {0}, WACTOR_TRAP_STACK_EXHAUSTED, "ping", 1};
static const hostile_case looper_case = {"looper", {.fuel = 2000000}, WACTOR_TRAP_FUEL_EXHAUSTED, "spins", 0};
static const hostile_case membomb_case = {"membomb", {.memory_pages = 32}, WACTOR_TRAP_MEMORY_LIMIT, "pages", 31};

static void test_recursion_trap(void **state) {
    (void)state;
    void *c = (void *)&recursion_case;
    test_hostile_trap(&c);
}

static void test_looper_fuel_trap(void **state) {
    (void)state;
    void *c = (void *)&looper_case;
    test_hostile_trap(&c);
}

static void test_membomb_memory_limit(void **state) {
    (void)state;
    void *c = (void *)&membomb_case;
    test_hostile_trap(&c);
}

/* A host error: comp_lifecycle's bad_log, invoked on the child's pid from which_children. */
static void test_host_error_restart(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_FIXTURES, "comp_lifecycle");
    wactor_child_spec kids[] = {worker("life", m)};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .children = kids, .nchildren = 1};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started life");
    wactor_pid pid = child_pid(rt, root, "life");
    assert_true(pid != 0);
    assert_int_equal(call0(rt, pid, "starts"), 1);
    wactor_value res;
    size_t n;
    wactor_diag d = {0};
    assert_int_equal(wactor_invoke_values(rt, pid, "bad_log", NULL, 0, &res, 1, &n, WAIT_MS, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_HOST);
    char story[128];
    snprintf(story, sizeof story, "child_exited life %s|child_started life", wactor_trap_name(WACTOR_TRAP_HOST));
    int at = expect_story(&from, "root", story);
    wactor_pid fresh = check_restart(rt, at, pid, "life");
    assert_int_equal(child_pid(rt, root, "life"), fresh);
    assert_int_equal(call0(rt, fresh, "starts"), 1); /* a new instance ran its own _start once */
    assert_true(wait_log("[life] started", WAIT_MS));
    assert_int_equal(log_count("[life] started"), 2);
    end_runtime(rt);
    wactor_module_release(m);
}

/* ------------------------------------------------------------------ start failures */

/* A child whose _start traps fails the supervisor's start: the children started before it are stopped
 * again (reverse order), the ones after it never start, and the names are free again. */
static void test_start_failure_fails_supervisor(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *calc = load(rt, WACTOR_EXAMPLES, "calc");
    wactor_module *bad = load(rt, WACTOR_FIXTURES, "comp_badstart");
    wactor_module *counter = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_child_spec kids[] = {worker("a", calc), worker("b", counter), worker("bad", bad), worker("c", counter)};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .children = kids, .nchildren = 4};
    wactor_pid root = 0;
    wactor_diag d = {0};
    assert_int_equal(wactor_supervisor_start(rt, &spec, &root, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_START);
    assert_non_null(strstr(d.message, "bad"));
    int from = 0;
    expect_story(&from, "root",
                 "child_started a|child_started b|start_failed bad *|child_exited b shutdown|"
                 "child_exited a shutdown|supervisor_shutdown -*");
    assert_true(log_has("[b] counter: stopping"));  /* b got its _cleanup */
    assert_false(log_has("[c] counter: started"));  /* c never started */
    wait_unregistered(rt, "a");
    wait_unregistered(rt, "b");
    wait_unregistered(rt, "root");
    assert_int_equal(wactor_whereis(rt, "bad"), 0);
    assert_int_equal(wactor_whereis(rt, "c"), 0);
    /* the names are free: the same tree without the bad child starts */
    wactor_child_spec good[] = {worker("a", calc), worker("b", counter), worker("c", counter)};
    spec.children = good;
    spec.nchildren = 3;
    start_sup(rt, &spec);
    expect_story(&from, "root", "child_started a|child_started b|child_started c");
    end_runtime(rt);
    wactor_module_release(calc);
    wactor_module_release(bad);
    wactor_module_release(counter);
    /* the diag says why: the trap (the engine's "unreachable" or the kind "start failure") */
    if (!strstr(d.message, "unreachable") && !strstr(d.message, "start failure"))
        fail_msg("the diag does not say why 'bad' failed: %s", d.message);
    assert_start_failed_reasons();
}

/* sup_condstart's _start traps while "blocker" is registered: its restarts fail (start_failed, retried
 * after the backoff) until the blocker goes, then one succeeds. */
static void test_restart_failure_then_recovery(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *cond = load(rt, WACTOR_FIXTURES, "sup_condstart");
    wactor_module *calc = load(rt, WACTOR_EXAMPLES, "calc");
    wactor_child_spec kids[] = {worker("cond", cond)};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 1000, .period_ms = 60000,
                            .backoff_initial_ms = 20, .backoff_multiplier = 1.0, .backoff_max_ms = 20,
                            .children = kids, .nchildren = 1};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started cond");
    wactor_pid pid = child_pid(rt, root, "cond");
    wactor_spawn_opts bo = {.name = "blocker"};
    wactor_pid blocker = 0;
    assert_int_equal(wactor_spawn(rt, calc, &bo, &blocker, NULL), WACTOR_OK);

    wactor_value res;
    size_t n;
    wactor_diag d = {0};
    assert_int_equal(wactor_invoke_values(rt, pid, "crash", NULL, 0, &res, 1, &n, WAIT_MS, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_UNREACHABLE);
    expect_story(&from, "root",
                 "child_exited cond unreachable|start_failed cond *|start_failed cond *");
    assert_int_equal(wactor_whereis(rt, "cond"), 0);
    assert_int_equal(wactor_stop(rt, blocker, 1000), WACTOR_OK);
    int started = wait_event(from, "root", "child_started cond");
    /* nothing but failed starts between */
    for (int i = from; i < started; i++) {
        event e = event_at(i);
        if (in_story(&e, "root")) assert_true(matches("start_failed cond *", e.entry));
    }
    wactor_pid fresh = event_at(started).pid;
    assert_int_equal(event_at(started).restart, 1);
    assert_int_equal(wactor_whereis(rt, "cond"), fresh);
    assert_int_equal(child_pid(rt, root, "cond"), fresh);
    assert_int_equal(call0(rt, fresh, "ok"), 1);
    assert_true(log_count("[cond] condstart: started") >= 2);
    end_runtime(rt);
    wactor_module_release(cond);
    wactor_module_release(calc);
    assert_start_failed_reasons();
}

/* Failed restarts count against the intensity: with intensity 2 the supervisor gives up after two. */
static void test_restart_failure_exceeds_intensity(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *cond = load(rt, WACTOR_FIXTURES, "sup_condstart");
    wactor_module *counter = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_child_spec kids[] = {worker("k", counter), worker("cond", cond)};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 2, .period_ms = 60000,
                            .children = kids, .nchildren = 2};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started k|child_started cond");
    wactor_spawn_opts bo = {.name = "blocker"};
    wactor_pid blocker = 0;
    assert_int_equal(wactor_spawn(rt, counter, &bo, &blocker, NULL), WACTOR_OK);
    wactor_value res;
    size_t n;
    assert_int_equal(wactor_invoke_values(rt, child_pid(rt, root, "cond"), "crash", NULL, 0, &res, 1, &n, WAIT_MS,
                                          NULL), WACTOR_ETRAP);
    expect_story(&from, "root",
                 "child_exited cond unreachable|start_failed cond *|start_failed cond *|"
                 "child_exited k shutdown|supervisor_shutdown -*");
    assert_true(log_has("[k] counter: stopping"));
    wait_unregistered(rt, "root");
    wait_unregistered(rt, "k");
    size_t nk = 0;
    wactor_child_info v[4];
    assert_int_equal(wactor_which_children(rt, root, v, 4, &nk), WACTOR_ENOENT);
    end_runtime(rt);
    wactor_module_release(cond);
    wactor_module_release(counter);
    assert_start_failed_reasons();
}

/* ------------------------------------------------------------------ health */

static void test_health_restart(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_EXAMPLES, "flaky");
    wactor_child_spec kids[] = {worker("flaky", m)};
    kids[0].health_interval_ms = 30;
    kids[0].health_timeout_ms = 2000;
    kids[0].health_threshold = 2;
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 5, .period_ms = 60000,
                            .children = kids, .nchildren = 1};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started flaky");
    wactor_pid pid = child_pid(rt, root, "flaky");
    for (int i = 0; i < 3; i++) send_json(rt, pid, "{\"n\":1}");
    int at = expect_story(&from, "root", "child_exited flaky health|child_started flaky");
    wactor_pid fresh = check_restart(rt, at, pid, "flaky");
    /* the exit came after `threshold` unhealthy reports in a row, each naming the guest's reason */
    int unhealthy = 0;
    for (int i = 0; i < at; i++) {
        event e = event_at(i);
        if (strcmp(e.kind, "health") == 0 && strcmp(e.sup, "root") == 0 && e.pid == pid &&
            strcmp(e.status, "unhealthy") == 0) {
            unhealthy++;
            assert_true(matches("health flaky worn out after 3 messages", e.entry));
        }
    }
    assert_int_equal(unhealthy, 2);
    wactor_health_status hs;
    char reason[64];
    assert_int_equal(wactor_health(rt, fresh, WAIT_MS, &hs, reason, sizeof reason), WACTOR_OK);
    assert_int_equal(hs, WACTOR_HEALTHY);
    wactor_child_info v[16];
    size_t n = children(rt, root, v);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].restarts, 1);
    end_runtime(rt);
    wactor_module_release(m);
}

/* ------------------------------------------------------------------ strategies */

static void test_one_for_all(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *counter = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_module *crasher = load(rt, WACTOR_EXAMPLES, "crasher");
    wactor_child_spec kids[] = {worker("a", counter), worker("b", crasher), worker("c", counter)};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ALL, .intensity = 3, .period_ms = 60000,
                            .children = kids, .nchildren = 3};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started a|child_started b|child_started c");
    wactor_pid a = wactor_whereis(rt, "a"), b = wactor_whereis(rt, "b"), c = wactor_whereis(rt, "c");
    for (int i = 0; i < 3; i++) send_json(rt, a, "{\"add\":5}");
    send_json(rt, c, "{\"add\":2}");
    assert_int_equal(call0(rt, a, "get"), 15);
    assert_int_equal(call0(rt, c, "get"), 2);

    send_json(rt, b, "{\"crash\":\"div\"}");
    expect_story(&from, "root",
                 "child_exited b integer divide by zero|child_exited c shutdown|child_exited a shutdown|"
                 "child_started a|child_started b|child_started c");
    /* siblings got their _cleanup, c before a */
    long ca = log_find("[a] counter: stopping, final count 15"), cc = log_find("[c] counter: stopping, final count 2");
    assert_true(ca >= 0 && cc >= 0);
    assert_true(cc < ca);
    wactor_pid a2 = wactor_whereis(rt, "a"), b2 = wactor_whereis(rt, "b"), c2 = wactor_whereis(rt, "c");
    assert_true(a2 && b2 && c2 && a2 != a && b2 != b && c2 != c);
    assert_int_equal(call0(rt, a2, "get"), 0); /* fresh state */
    assert_int_equal(call0(rt, c2, "get"), 0);
    wactor_child_info v[16];
    size_t n = children(rt, root, v);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].id, "a");
    assert_string_equal(v[1].id, "b");
    assert_string_equal(v[2].id, "c");
    assert_int_equal(v[0].pid, a2);
    assert_int_equal(v[1].pid, b2);
    assert_int_equal(v[2].pid, c2);
    end_runtime(rt);
    wactor_module_release(counter);
    wactor_module_release(crasher);
}

static void test_rest_for_one(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *counter = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_module *crasher = load(rt, WACTOR_EXAMPLES, "crasher");
    wactor_module *calc = load(rt, WACTOR_EXAMPLES, "calc");
    wactor_child_spec kids[] = {worker("a", counter), worker("b", crasher), worker("c", counter), worker("d", calc)};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_REST_FOR_ONE, .intensity = 3, .period_ms = 60000,
                            .children = kids, .nchildren = 4};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started a|child_started b|child_started c|child_started d");
    wactor_pid a = wactor_whereis(rt, "a"), c = wactor_whereis(rt, "c"), d = wactor_whereis(rt, "d");
    send_json(rt, a, "{\"add\":7}");
    send_json(rt, c, "{\"add\":4}");
    assert_int_equal(call0(rt, a, "get"), 7);
    assert_int_equal(call0(rt, c, "get"), 4);
    send_json(rt, wactor_whereis(rt, "b"), "{\"crash\":\"oob\"}");
    expect_story(&from, "root",
                 "child_exited b out of bounds memory access|child_exited d shutdown|child_exited c shutdown|"
                 "child_started b|child_started c|child_started d");
    assert_true(log_has("[c] counter: stopping, final count 4"));
    assert_false(log_has("[a] counter: stopping"));
    /* a, started before b, was left alone */
    assert_int_equal(wactor_whereis(rt, "a"), a);
    assert_int_equal(call0(rt, a, "get"), 7);
    wactor_pid c2 = wactor_whereis(rt, "c"), d2 = wactor_whereis(rt, "d");
    assert_true(c2 != c && c2 != 0 && d2 != d && d2 != 0);
    assert_int_equal(call0(rt, c2, "get"), 0);
    wactor_child_info v[16];
    size_t n = children(rt, root, v);
    assert_int_equal(n, 4);
    assert_int_equal(v[0].restarts, 0);
    assert_int_equal(v[1].restarts, 1);
    assert_int_equal(v[2].restarts, 1);
    assert_int_equal(v[3].restarts, 1);
    assert_int_equal(find_event(0, "root", "child_exited a*"), -1);
    end_runtime(rt);
    wactor_module_release(counter);
    wactor_module_release(crasher);
    wactor_module_release(calc);
}

/* ------------------------------------------------------------------ restart types */

static void test_restart_types(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *crasher = load(rt, WACTOR_EXAMPLES, "crasher");
    wactor_module *counter = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_child_spec kids[] = {worker("t", crasher), worker("tmp", crasher), worker("keep", counter)};
    kids[0].restart = WACTOR_TRANSIENT;
    kids[1].restart = WACTOR_TEMPORARY;
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 10, .period_ms = 60000,
                            .children = kids, .nchildren = 3};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started t|child_started tmp|child_started keep");
    wactor_child_info v[16];
    size_t n = children(rt, root, v);
    assert_int_equal(v[0].restart, WACTOR_TRANSIENT);
    assert_int_equal(v[1].restart, WACTOR_TEMPORARY);
    assert_int_equal(v[2].restart, WACTOR_PERMANENT);

    /* transient: a trap is abnormal -> restarted */
    wactor_pid t = wactor_whereis(rt, "t");
    send_json(rt, t, "{\"crash\":\"unreachable\"}");
    int at = expect_story(&from, "root", "child_exited t unreachable|child_started t");
    t = check_restart(rt, at, t, "t");

    /* transient: stopped by its supervisor -> stays down, its spec stays */
    assert_int_equal(wactor_terminate_child(rt, root, "t", 0), WACTOR_OK);
    expect_story(&from, "root", "child_exited t shutdown");
    n = children(rt, root, v); /* a barrier: any restart would have been started before this answer */
    assert_int_equal(n, 3);
    assert_int_equal(child_named(v, n, "t")->pid, 0);
    assert_int_equal(wactor_whereis(rt, "t"), 0);
    assert_int_equal(find_event(from, "root", "child_started t"), -1);
    assert_int_equal(wactor_restart_child(rt, root, "t"), WACTOR_OK);
    expect_story(&from, "root", "child_started t");
    t = wactor_whereis(rt, "t");
    assert_int_equal(child_pid(rt, root, "t"), t);

    /* transient: a normal exit (stopped from outside, not by the supervisor) -> not restarted */
    assert_int_equal(wactor_stop(rt, t, 1000), WACTOR_OK);
    expect_story(&from, "root", "child_exited t normal");
    n = children(rt, root, v);
    assert_int_equal(child_named(v, n, "t")->pid, 0);
    assert_int_equal(find_event(from, "root", "child_started t"), -1);

    /* permanent: even a normal exit is restarted, into a fresh instance */
    wactor_pid keep = wactor_whereis(rt, "keep");
    send_json(rt, keep, "{\"add\":9}");
    assert_int_equal(call0(rt, keep, "get"), 9);
    assert_int_equal(wactor_stop(rt, keep, 1000), WACTOR_OK);
    at = expect_story(&from, "root", "child_exited keep normal|child_started keep");
    keep = check_restart(rt, at, keep, "keep");
    assert_int_equal(call0(rt, keep, "get"), 0);

    /* temporary: never restarted, and its spec goes */
    wactor_pid tmp = wactor_whereis(rt, "tmp");
    send_json(rt, tmp, "{\"crash\":\"overflow\"}");
    expect_story(&from, "root", "child_exited tmp integer overflow");
    n = children(rt, root, v);
    assert_int_equal(n, 2);
    assert_null(child_named(v, n, "tmp"));
    assert_int_equal(find_event(from, "root", "child_started tmp"), -1);
    assert_int_equal(wactor_whereis(rt, "tmp"), 0);
    assert_int_equal(wactor_restart_child(rt, root, "tmp"), WACTOR_ENOENT);
    end_runtime(rt);
    wactor_module_release(crasher);
    wactor_module_release(counter);
}

/* ------------------------------------------------------------------ intensity */

static void test_intensity_exceeded(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *crasher = load(rt, WACTOR_EXAMPLES, "crasher");
    wactor_module *counter = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_module *calc = load(rt, WACTOR_EXAMPLES, "calc");
    wactor_child_spec kids[] = {worker("k", counter), worker("c1", crasher), worker("z", calc)};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 1, .period_ms = 60000,
                            .children = kids, .nchildren = 3};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started k|child_started c1|child_started z");
    send_json(rt, wactor_whereis(rt, "c1"), "{\"crash\":\"unreachable\"}");
    expect_story(&from, "root", "child_exited c1 unreachable|child_started c1");
    send_json(rt, wactor_whereis(rt, "c1"), "{\"crash\":\"div\"}");
    expect_story(&from, "root",
                 "child_exited c1 integer divide by zero|child_exited z shutdown|child_exited k shutdown|"
                 "supervisor_shutdown -*");
    assert_true(log_has("[k] counter: stopping, final count 0"));
    wait_unregistered(rt, "root");
    wait_unregistered(rt, "k");
    wait_unregistered(rt, "z");
    assert_int_equal(wactor_whereis(rt, "c1"), 0);
    wactor_child_counts cnt;
    assert_int_equal(wactor_count_children(rt, root, &cnt), WACTOR_ENOENT);
    end_runtime(rt);
    wactor_module_release(crasher);
    wactor_module_release(counter);
    wactor_module_release(calc);
}

/* OTP: intensity 0 (WACTOR_INTENSITY_ZERO) means no restart at all: the first crash shuts the supervisor
 * down. intensity 0 in the struct is the default, 1: one restart is allowed, the second is not. */
static void test_intensity_zero_and_default(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *crasher = load(rt, WACTOR_EXAMPLES, "crasher");
    wactor_child_spec kids[] = {worker("c1", crasher)};
    wactor_sup_spec spec = {.name = "zero", .strategy = WACTOR_ONE_FOR_ONE, .intensity = WACTOR_INTENSITY_ZERO,
                            .children = kids, .nchildren = 1};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "zero", "child_started c1");
    send_json(rt, wactor_whereis(rt, "c1"), "{\"crash\":\"unreachable\"}");
    expect_story(&from, "zero", "child_exited c1 unreachable|supervisor_shutdown -*");
    wait_unregistered(rt, "zero");
    assert_int_equal(wactor_whereis(rt, "c1"), 0);
    assert_true(find_event(from, "zero", "child_started*") < 0);
    wactor_child_counts cnt;
    assert_int_equal(wactor_count_children(rt, root, &cnt), WACTOR_ENOENT);

    spec.name = "dflt";
    spec.intensity = 0; /* OTP's default: 1 within the default period (5 s) */
    root = start_sup(rt, &spec);
    from = 0;
    expect_story(&from, "dflt", "child_started c1");
    send_json(rt, wactor_whereis(rt, "c1"), "{\"crash\":\"unreachable\"}");
    expect_story(&from, "dflt", "child_exited c1 unreachable|child_started c1");
    send_json(rt, wactor_whereis(rt, "c1"), "{\"crash\":\"unreachable\"}");
    expect_story(&from, "dflt", "child_exited c1 unreachable|supervisor_shutdown -*");
    wait_unregistered(rt, "dflt");
    end_runtime(rt);
    wactor_module_release(crasher);
}

/* The inner supervisor gives up; the outer one restarts it (and so its children). */
static void test_nested_supervisor_restarted(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *crasher = load(rt, WACTOR_EXAMPLES, "crasher");
    wactor_module *counter = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_child_spec inner_kids[] = {worker("ic", crasher), worker("ik", counter)};
    wactor_sup_spec inner = {.name = "inner", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 1, .period_ms = 60000,
                             .children = inner_kids, .nchildren = 2};
    wactor_child_spec outer_kids[] = {worker("top", counter),
                                      {.supervisor = &inner, .restart = WACTOR_PERMANENT}};
    wactor_sup_spec outer = {.name = "outer", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 5, .period_ms = 60000,
                             .children = outer_kids, .nchildren = 2};
    wactor_pid root = start_sup(rt, &outer);
    int ofrom = 0, ifrom = 0;
    expect_story(&ofrom, "outer", "child_started top|child_started inner");
    expect_story(&ifrom, "inner", "child_started ic|child_started ik");
    wactor_pid top = wactor_whereis(rt, "top"), in1 = wactor_whereis(rt, "inner");
    assert_true(in1 != 0);
    assert_int_equal(child_pid(rt, root, "inner"), in1);
    send_json(rt, top, "{\"add\":3}");
    send_json(rt, wactor_whereis(rt, "ik"), "{\"add\":6}");
    assert_int_equal(call0(rt, wactor_whereis(rt, "ik"), "get"), 6);

    send_json(rt, wactor_whereis(rt, "ic"), "{\"crash\":\"unreachable\"}");
    expect_story(&ifrom, "inner", "child_exited ic unreachable|child_started ic");
    send_json(rt, wactor_whereis(rt, "ic"), "{\"crash\":\"unreachable\"}");
    expect_story(&ifrom, "inner",
                 "child_exited ic unreachable|child_exited ik shutdown|supervisor_shutdown -*|"
                 "child_started ic|child_started ik");
    int at = expect_story(&ofrom, "outer", "child_exited inner shutdown|child_started inner");
    wactor_pid in2 = check_restart(rt, at, in1, "inner");
    assert_true(log_has("[ik] counter: stopping, final count 6"));
    assert_int_equal(call0(rt, wactor_whereis(rt, "ik"), "get"), 0);
    /* the outer supervisor's other child was not touched */
    assert_int_equal(wactor_whereis(rt, "top"), top);
    assert_int_equal(call0(rt, top, "get"), 3);
    wactor_child_info v[16];
    size_t n = children(rt, root, v);
    assert_int_equal(n, 2);
    assert_false(v[0].is_supervisor);
    assert_true(v[1].is_supervisor);
    assert_string_equal(v[1].id, "inner");
    assert_int_equal(v[1].pid, in2);
    assert_int_equal(v[1].restarts, 1);
    n = children(rt, in2, v);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].pid, wactor_whereis(rt, "ic"));
    assert_int_equal(v[1].pid, wactor_whereis(rt, "ik"));
    end_runtime(rt);
    wactor_module_release(crasher);
    wactor_module_release(counter);
}

/* ------------------------------------------------------------------ shutdown */

static void test_destroy_stops_in_reverse_order(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *counter = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_child_spec kids[] = {worker("k1", counter), worker("k2", counter), worker("k3", counter)};
    for (int i = 0; i < 3; i++) kids[i].shutdown_ms = 2000;
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .children = kids, .nchildren = 3};
    start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started k1|child_started k2|child_started k3");
    const char *names[] = {"k1", "k2", "k3"};
    for (int i = 0; i < 3; i++) {
        char json[32];
        snprintf(json, sizeof json, "{\"add\":%d}", i + 1);
        send_json(rt, wactor_whereis(rt, names[i]), json);
        assert_int_equal(call0(rt, wactor_whereis(rt, names[i]), "get"), i + 1);
    }
    uint64_t t0 = now_ms();
    end_runtime(rt);
    assert_true(elapsed_ms(t0) < 5000); /* three quick _cleanups, far within their shutdown_ms */
    expect_story(&from, "root",
                 "child_exited k3 shutdown|child_exited k2 shutdown|child_exited k1 shutdown|supervisor_shutdown -*");
    long l1 = log_find("[k1] counter: stopping, final count 1"), l2 = log_find("[k2] counter: stopping, final count 2"),
         l3 = log_find("[k3] counter: stopping, final count 3");
    assert_true(l1 >= 0 && l2 >= 0 && l3 >= 0);
    assert_true(l3 < l2 && l2 < l1);
    wactor_module_release(counter);
}

/* Stopping the root: a slow _cleanup is cut at its shutdown_ms, brutal_kill skips _cleanup. */
static void test_stop_root_shutdown_kinds(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *counter = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_module *slow = load(rt, WACTOR_FIXTURES, "comp_slowcleanup");
    wactor_child_spec kids[] = {worker("slow", slow), worker("bk", counter), worker("k", counter)};
    kids[0].shutdown_ms = 300;
    kids[1].shutdown_ms = WACTOR_BRUTAL_KILL;
    kids[2].shutdown_ms = 2000;
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .children = kids, .nchildren = 3};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started slow|child_started bk|child_started k");
    send_json(rt, wactor_whereis(rt, "bk"), "{\"add\":4}");
    assert_int_equal(call0(rt, wactor_whereis(rt, "bk"), "get"), 4);
    uint64_t t0 = now_ms();
    assert_int_equal(wactor_stop(rt, root, 10000), WACTOR_OK);
    double ms = elapsed_ms(t0);
    expect_story(&from, "root",
                 "child_exited k shutdown|child_exited bk killed|child_exited slow *|supervisor_shutdown -*");
    assert_true(ms >= 250 && ms < 5000); /* slow's _cleanup was given ~300 ms, not forever */
    assert_true(log_has("[k] counter: stopping, final count 0"));
    assert_false(log_has("[bk] counter: stopping")); /* brutal_kill: no _cleanup */
    wait_unregistered(rt, "root");
    assert_int_equal(wactor_whereis(rt, "k"), 0);
    assert_int_equal(wactor_whereis(rt, "bk"), 0);
    assert_int_equal(wactor_whereis(rt, "slow"), 0);
    end_runtime(rt);
    wactor_module_release(counter);
    wactor_module_release(slow);
}

/* ------------------------------------------------------------------ simple_one_for_one */

static bool has_pid(const wactor_child_info *v, size_t n, wactor_pid pid) {
    for (size_t i = 0; i < n; i++)
        if (v[i].pid == pid) return true;
    return false;
}

static void test_simple_one_for_one(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *crasher = load(rt, WACTOR_EXAMPLES, "crasher");
    wactor_child_spec tmpl = {.id = "worker", .module = crasher, .restart = WACTOR_PERMANENT};
    wactor_sup_spec spec = {.name = "pool", .strategy = WACTOR_SIMPLE_ONE_FOR_ONE, .intensity = 5,
                            .period_ms = 60000, .children = &tmpl, .nchildren = 1};
    wactor_pid pool = start_sup(rt, &spec);
    wactor_child_info v[16];
    assert_int_equal(children(rt, pool, v), 0); /* the template is not started */
    wactor_pid p[3];
    for (int i = 0; i < 3; i++) {
        p[i] = 0;
        assert_int_equal(wactor_start_child(rt, pool, NULL, &p[i]), WACTOR_OK);
        assert_true(p[i] != 0);
        assert_int_equal(call0(rt, p[i], "ping"), 1);
    }
    assert_true(p[0] != p[1] && p[1] != p[2] && p[0] != p[2]);
    int from = 0;
    expect_story(&from, "pool", "child_started *|child_started *|child_started *");
    for (int i = 0; i < 3; i++) assert_int_equal(event_at(i).pid, p[i]);
    size_t n = children(rt, pool, v);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v[i].id, "");
        assert_int_equal(v[i].pid, p[i]); /* in start order */
    }
    wactor_child_counts cnt;
    assert_int_equal(wactor_count_children(rt, pool, &cnt), WACTOR_OK);
    assert_int_equal(cnt.specs, 1);
    assert_int_equal(cnt.active, 3);
    assert_int_equal(cnt.workers, 3);
    assert_int_equal(cnt.supervisors, 0);
    /* one instance crashes: only it is restarted */
    send_json(rt, p[1], "{\"crash\":\"div\"}");
    int at = expect_story(&from, "pool", "child_exited * integer divide by zero|child_started *");
    wactor_pid p1b = check_restart(rt, at, p[1], NULL);
    n = children(rt, pool, v);
    assert_int_equal(n, 3);
    assert_true(has_pid(v, n, p[0]) && has_pid(v, n, p1b) && has_pid(v, n, p[2]));
    assert_int_equal(call0(rt, p1b, "handled"), 0);

    /* terminate one by pid: gone, not restarted */
    assert_int_equal(wactor_terminate_child(rt, pool, NULL, p[0]), WACTOR_OK);
    at = expect_story(&from, "pool", "child_exited * shutdown");
    assert_int_equal(event_at(at).pid, p[0]);
    n = children(rt, pool, v);
    assert_int_equal(n, 2);
    assert_false(has_pid(v, n, p[0]));
    assert_true(has_pid(v, n, p1b) && has_pid(v, n, p[2]));
    assert_int_equal(find_event(from, "pool", "child_started*"), -1);
    wactor_value res;
    size_t nr;
    assert_int_equal(wactor_invoke_values(rt, p[0], "ping", NULL, 0, &res, 1, &nr, WAIT_MS, NULL), WACTOR_ENOENT);
    assert_int_equal(wactor_terminate_child(rt, pool, NULL, p[0]), WACTOR_ENOENT);
    assert_int_equal(wactor_count_children(rt, pool, &cnt), WACTOR_OK);
    assert_int_equal(cnt.active, 2);
    /* simple_one_for_one takes no child spec: one is refused, and nothing starts */
    wactor_child_spec other = {.id = "other", .module = crasher, .restart = WACTOR_TEMPORARY};
    assert_int_equal(wactor_start_child(rt, pool, &other, NULL), WACTOR_EINVAL);
    assert_int_equal(children(rt, pool, v), 2);
    end_runtime(rt);
    wactor_module_release(crasher);
}

/* ------------------------------------------------------------------ child management */

static void test_child_management(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *calc = load(rt, WACTOR_EXAMPLES, "calc");
    wactor_module *counter = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_child_spec sub_kids[] = {worker("s1", calc)};
    wactor_sup_spec sub = {.name = "sub", .strategy = WACTOR_ONE_FOR_ONE, .children = sub_kids, .nchildren = 1};
    wactor_child_spec kids[] = {worker("a", calc), worker("b", counter),
                                {.id = "subsup", .supervisor = &sub, .restart = WACTOR_TRANSIENT}};
    kids[1].restart = WACTOR_TRANSIENT;
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .children = kids, .nchildren = 3};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started a|child_started b|child_started subsup");

    wactor_child_info v[16];
    size_t n = children(rt, root, v);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].id, "a");
    assert_string_equal(v[1].id, "b");
    assert_string_equal(v[2].id, "subsup");
    assert_int_equal(v[0].pid, wactor_whereis(rt, "a"));
    assert_int_equal(v[1].pid, wactor_whereis(rt, "b"));
    assert_int_equal(v[2].pid, wactor_whereis(rt, "sub"));
    assert_false(v[0].is_supervisor);
    assert_false(v[1].is_supervisor);
    assert_true(v[2].is_supervisor);
    assert_int_equal(v[0].restart, WACTOR_PERMANENT);
    assert_int_equal(v[1].restart, WACTOR_TRANSIENT);
    assert_int_equal(v[2].restart, WACTOR_TRANSIENT);
    /* cap smaller than the count: n still tells all */
    size_t n2 = 0;
    assert_int_equal(wactor_which_children(rt, root, v, 1, &n2), WACTOR_OK);
    assert_int_equal(n2, 3);
    assert_string_equal(v[0].id, "a");
    wactor_child_counts cnt;
    assert_int_equal(wactor_count_children(rt, root, &cnt), WACTOR_OK);
    assert_int_equal(cnt.specs, 3);
    assert_int_equal(cnt.active, 3);
    assert_int_equal(cnt.supervisors, 1);
    assert_int_equal(cnt.workers, 2);

    /* running children cannot be restarted or deleted */
    assert_int_equal(wactor_restart_child(rt, root, "a"), WACTOR_ESTATE);
    assert_int_equal(wactor_delete_child(rt, root, "a"), WACTOR_ESTATE);
    /* unknown ids */
    assert_int_equal(wactor_terminate_child(rt, root, "zzz", 0), WACTOR_ENOENT);
    assert_int_equal(wactor_restart_child(rt, root, "zzz"), WACTOR_ENOENT);
    assert_int_equal(wactor_delete_child(rt, root, "zzz"), WACTOR_ENOENT);

    /* terminate -> restart -> terminate -> delete */
    wactor_pid a = wactor_whereis(rt, "a");
    assert_int_equal(wactor_terminate_child(rt, root, "a", 0), WACTOR_OK);
    expect_story(&from, "root", "child_exited a shutdown");
    assert_int_equal(wactor_whereis(rt, "a"), 0);
    assert_int_equal(wactor_count_children(rt, root, &cnt), WACTOR_OK);
    assert_int_equal(cnt.specs, 3);
    assert_int_equal(cnt.active, 2);
    assert_int_equal(wactor_restart_child(rt, root, "a"), WACTOR_OK);
    expect_story(&from, "root", "child_started a");
    wactor_pid a2 = wactor_whereis(rt, "a");
    assert_true(a2 != 0 && a2 != a);
    assert_int_equal(child_pid(rt, root, "a"), a2);
    wactor_value args[2] = {i32(20), i32(22)}, res;
    size_t nr;
    assert_int_equal(wactor_invoke_values(rt, a2, "add", args, 2, &res, 1, &nr, WAIT_MS, NULL), WACTOR_OK);
    assert_int_equal(res.of.i32, 42);
    assert_int_equal(wactor_terminate_child(rt, root, "a", 0), WACTOR_OK);
    expect_story(&from, "root", "child_exited a shutdown");
    assert_int_equal(wactor_delete_child(rt, root, "a"), WACTOR_OK);
    n = children(rt, root, v);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].id, "b");
    assert_string_equal(v[1].id, "subsup");
    assert_int_equal(wactor_restart_child(rt, root, "a"), WACTOR_ENOENT);
    assert_int_equal(wactor_delete_child(rt, root, "a"), WACTOR_ENOENT);

    /* terminating a nested supervisor stops its children too */
    wactor_pid s1 = wactor_whereis(rt, "s1");
    assert_true(s1 != 0);
    assert_int_equal(wactor_terminate_child(rt, root, "subsup", 0), WACTOR_OK);
    expect_story(&from, "root", "child_exited subsup shutdown");
    int sfrom = 0;
    expect_story(&sfrom, "sub", "child_started s1|child_exited s1 shutdown|supervisor_shutdown -*");
    assert_int_equal(wactor_whereis(rt, "s1"), 0);
    assert_int_equal(wactor_whereis(rt, "sub"), 0);
    assert_int_equal(wactor_restart_child(rt, root, "subsup"), WACTOR_OK);
    expect_story(&from, "root", "child_started subsup");
    expect_story(&sfrom, "sub", "child_started s1");
    assert_true(wactor_whereis(rt, "s1") != 0 && wactor_whereis(rt, "s1") != s1);

    /* start_child adds a new child at the end; ids must be unique */
    wactor_child_spec extra = worker("d", calc);
    wactor_pid d = 0;
    assert_int_equal(wactor_start_child(rt, root, &extra, &d), WACTOR_OK);
    assert_true(d != 0);
    assert_int_equal(wactor_whereis(rt, "d"), d);
    expect_story(&from, "root", "child_started d");
    wactor_child_spec dup = worker("b", calc);
    dup.spawn.name = "b2";
    assert_int_equal(wactor_start_child(rt, root, &dup, NULL), WACTOR_EEXIST);
    wactor_child_spec none = {.id = "none"};
    assert_int_equal(wactor_start_child(rt, root, &none, NULL), WACTOR_EINVAL);
    n = children(rt, root, v);
    assert_int_equal(n, 3);
    assert_string_equal(v[2].id, "d");
    assert_int_equal(v[2].pid, d);
    /* a child that fails to start is not added */
    wactor_module *bad = load(rt, WACTOR_FIXTURES, "comp_badstart");
    wactor_child_spec badspec = worker("bad", bad);
    assert_int_equal(wactor_start_child(rt, root, &badspec, NULL), WACTOR_ETRAP);
    expect_story(&from, "root", "start_failed bad *");
    assert_int_equal(children(rt, root, v), 3);
    /* requests to a supervisor that does not exist */
    assert_int_equal(wactor_which_children(rt, 999999, v, 16, &n), WACTOR_ENOENT);
    assert_int_equal(wactor_count_children(rt, 999999, &cnt), WACTOR_ENOENT);
    assert_int_equal(wactor_start_child(rt, 999999, &extra, NULL), WACTOR_ENOENT);
    assert_int_equal(wactor_restart_child(rt, 999999, "a"), WACTOR_ENOENT);
    end_runtime(rt);
    wactor_module_release(calc);
    wactor_module_release(counter);
    wactor_module_release(bad);
    assert_start_failed_reasons();
}

/* Bad trees are refused before anything starts. */
static void test_bad_specs(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *calc = load(rt, WACTOR_EXAMPLES, "calc");
    wactor_pid pid = 0, taken = 0;
    wactor_child_spec dup[] = {worker("a", calc), worker("a", calc)};
    dup[1].spawn.name = "a2";
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .children = dup, .nchildren = 2};
    assert_int_equal(wactor_supervisor_start(rt, &spec, &pid, NULL), WACTOR_EINVAL);
    wactor_child_spec two[] = {worker("a", calc), worker("b", calc)};
    spec.strategy = WACTOR_SIMPLE_ONE_FOR_ONE;
    spec.children = two;
    assert_int_equal(wactor_supervisor_start(rt, &spec, &pid, NULL), WACTOR_EINVAL);
    wactor_child_spec none[] = {{.id = "x"}};
    spec.strategy = WACTOR_ONE_FOR_ONE;
    spec.children = none;
    spec.nchildren = 1;
    assert_int_equal(wactor_supervisor_start(rt, &spec, &pid, NULL), WACTOR_EINVAL);
    assert_int_equal(wactor_whereis(rt, "root"), 0);
    assert_int_equal(wactor_whereis(rt, "a"), 0);
    /* a child's name taken */
    wactor_spawn_opts opts = {.name = "taken"};
    assert_int_equal(wactor_spawn(rt, calc, &opts, &taken, NULL), WACTOR_OK);
    wactor_child_spec clash[] = {worker("first", calc), worker("taken", calc)};
    spec.children = clash;
    spec.nchildren = 2;
    assert_int_equal(wactor_supervisor_start(rt, &spec, &pid, NULL), WACTOR_EEXIST);
    wait_unregistered(rt, "first");
    assert_int_equal(wactor_whereis(rt, "taken"), taken);
    end_runtime(rt);
    wactor_module_release(calc);
}

/* ------------------------------------------------------------------ neighbours */

static void test_neighbour_keeps_answering(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *looper = load(rt, WACTOR_EXAMPLES, "looper");
    wactor_module *calc = load(rt, WACTOR_EXAMPLES, "calc");
    wactor_child_spec kids[] = {worker("looper", looper), worker("calc", calc)};
    kids[0].shutdown_ms = WACTOR_BRUTAL_KILL;
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .children = kids, .nchildren = 2};
    wactor_pid root = start_sup(rt, &spec);
    int from = 0;
    expect_story(&from, "root", "child_started looper|child_started calc");
    send_json(rt, wactor_whereis(rt, "looper"), "{\"spin\":1}");
    assert_true(wait_log("[looper] looper:", WAIT_MS)); /* it is spinning now */
    wactor_pid c = wactor_whereis(rt, "calc");
    uint64_t t0 = now_ms();
    for (int i = 0; i < 50; i++) {
        wactor_value args[2] = {i32(i), i32(1000)}, res;
        size_t n = 0;
        assert_int_equal(wactor_invoke_values(rt, c, "add", args, 2, &res, 1, &n, WAIT_MS, NULL), WACTOR_OK);
        assert_int_equal(res.of.i32, i + 1000);
    }
    assert_true(elapsed_ms(t0) < 30000);
    /* the supervisor answers too, and nobody exited */
    wactor_child_info v[16];
    assert_int_equal(children(rt, root, v), 2);
    assert_true(v[0].pid != 0 && v[1].pid == c);
    assert_int_equal(find_event(from, "root", "child_exited*"), -1);
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, v[0].pid, &info), WACTOR_OK);
    assert_true(info.state == WACTOR_READY);
    t0 = now_ms();
    end_runtime(rt); /* the spinning child is killed, not waited for */
    assert_true(elapsed_ms(t0) < 10000);
    expect_story(&from, "root", "child_exited calc shutdown|child_exited looper killed|supervisor_shutdown -*");
    wactor_module_release(looper);
    wactor_module_release(calc);
}

/* After a failed test: stop what it left running, so that it cannot disturb the next tests. */
static int teardown(void **state) {
    (void)state;
    if (current) {
        reset_events();
        wactor_runtime_destroy(current);
        current = NULL;
    }
    return 0;
}

#define TEST(f) cmocka_unit_test_teardown(f, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        TEST(test_crasher_trap_kinds),
        TEST(test_recursion_trap),
        TEST(test_looper_fuel_trap),
        TEST(test_membomb_memory_limit),
        TEST(test_host_error_restart),
        TEST(test_start_failure_fails_supervisor),
        TEST(test_restart_failure_then_recovery),
        TEST(test_restart_failure_exceeds_intensity),
        TEST(test_health_restart),
        TEST(test_one_for_all),
        TEST(test_rest_for_one),
        TEST(test_restart_types),
        TEST(test_intensity_exceeded),
        TEST(test_intensity_zero_and_default),
        TEST(test_nested_supervisor_restarted),
        TEST(test_destroy_stops_in_reverse_order),
        TEST(test_stop_root_shutdown_kinds),
        TEST(test_simple_one_for_one),
        TEST(test_child_management),
        TEST(test_bad_specs),
        TEST(test_neighbour_keeps_answering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
