/* test_runtime_caps.c — capabilities, addressing and per-component limits, attacked through real components
 * (tests/fixtures/caps_probe.wat) and the public API only (docs/ABI.md: "Addresses", "Capabilities",
 * "Limits", "Results").
 *
 * The probe calls one `wactor` import per `do_*` export with arguments the test wrote into its memory, and
 * returns the import's result unchanged, so every assertion is on what a guest really gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "wactor.h"
#include "runtime_support.h"

static void quiet(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user, (void)level, (void)name, (void)line, (void)len;
}

static wactor_runtime *new_runtime(void) {
    wactor_config cfg = {.threads = 2, .log = quiet};
    wactor_runtime *rt = NULL;
    assert_int_equal(wactor_runtime_create(&cfg, &rt), WACTOR_OK);
    return rt;
}

static wactor_module *load(wactor_runtime *rt) { return load_module(rt, WACTOR_FIXTURES, "caps_probe"); }

static wactor_pid spawn_opts(wactor_runtime *rt, wactor_module *m, const wactor_spawn_opts *o) { return spawn_module(rt, m, o); }

static wactor_pid spawn(wactor_runtime *rt, wactor_module *m, const char *name, const wactor_caps *caps) {
    wactor_spawn_opts o = {.name = name, .caps = caps};
    return spawn_opts(rt, m, &o);
}

static wactor_value vi(int32_t v) { return (wactor_value){.type = WACTOR_I32, .of.i32 = v}; }
static wactor_value vl(int64_t v) { return (wactor_value){.type = WACTOR_I64, .of.i64 = v}; }

static int64_t inv(wactor_runtime *rt, wactor_pid pid, const char *fn, const wactor_value *args, size_t n) {
    wactor_value res[1];
    size_t nres = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_invoke_values(rt, pid, fn, args, n, res, 1, &nres, 5000, &d);
    if (err) fprintf(stderr, "invoke %s: %s: %s\n", fn, wactor_strerror(err), d.message);
    assert_int_equal(err, WACTOR_OK); /* the guest was not trapped */
    if (!nres) return 0;
    return res[0].type == WACTOR_I64 ? res[0].of.i64 : res[0].of.i32;
}

enum { SCRATCH = 0, MSGS = 4096, REPLIES = 4100, DOWNS = 4104, REPLY_SIZE = 4108, REPLY_RESULT = 4112,
       REPLY_STATUS = 4116, REPLY_LEN = 4120, RESULTS = 4128, PAYLOAD = 8192 };

static int32_t peek32(wactor_runtime *rt, wactor_pid pid, int32_t at) {
    wactor_value a = vi(at);
    return (int32_t)inv(rt, pid, "peek32", &a, 1);
}
static int64_t peek64(wactor_runtime *rt, wactor_pid pid, int32_t at) {
    wactor_value a = vi(at);
    return inv(rt, pid, "peek64", &a, 1);
}
static void poke32(wactor_runtime *rt, wactor_pid pid, int32_t at, int32_t v) {
    wactor_value a[2] = {vi(at), vi(v)};
    inv(rt, pid, "poke32", a, 2);
}

/* Writes `len` bytes (NULs allowed) at SCRATCH. */
static void put(wactor_runtime *rt, wactor_pid pid, const char *bytes, size_t len) {
    for (size_t i = 0; i < len; i++) {
        wactor_value a[2] = {vi((int32_t)(SCRATCH + i)), vi((unsigned char)bytes[i])};
        inv(rt, pid, "poke8", a, 2);
    }
}

/* The import `fn` (do_send, do_request, do_monitor, ...) on address/topic/name bytes [text, +len). */
static int64_t call_len(wactor_runtime *rt, wactor_pid pid, const char *fn, const char *text, size_t len,
                        uint32_t payload_len) {
    put(rt, pid, text, len);
    if (strcmp(fn, "do_send") == 0 || strcmp(fn, "do_publish") == 0) {
        wactor_value a[4] = {vi(SCRATCH), vi((int32_t)len), vi(PAYLOAD), vi((int32_t)payload_len)};
        return inv(rt, pid, fn, a, 4);
    }
    if (strcmp(fn, "do_request") == 0) {
        wactor_value a[5] = {vi(SCRATCH), vi((int32_t)len), vi(PAYLOAD), vi((int32_t)payload_len), vi(5000)};
        return inv(rt, pid, fn, a, 5);
    }
    wactor_value a[2] = {vi(SCRATCH), vi((int32_t)len)};
    return inv(rt, pid, fn, a, 2);
}
static int64_t call(wactor_runtime *rt, wactor_pid pid, const char *fn, const char *text) {
    return call_len(rt, pid, fn, text, strlen(text), 4);
}

static void pid_text(char *buf, size_t cap, wactor_pid pid) { snprintf(buf, cap, "#%llu", (unsigned long long)pid); }

static uint64_t refused(wactor_runtime *rt, wactor_pid pid) {
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
    return info.refused;
}

static wactor_state state(wactor_runtime *rt, wactor_pid pid) {
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
    return info.state;
}

static const int PERM = -(int)WACTOR_EPERM, INVAL = -(int)WACTOR_EINVAL, NOENT = -(int)WACTOR_ENOENT,
                 LIMIT = -(int)WACTOR_ELIMIT, TOOBIG = -(int)WACTOR_ETOOBIG;

/* ------------------------------------------------------------------ the pid bypass */

/* A grant of one name does not open another component through its pid: a "#pid" target is authorised for
 * the actor it names, i.e. only when that actor holds a granted name now (or its pid is granted). */
static void test_pid_needs_the_grant_of_its_actor(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt);
    wactor_pid alice = spawn(rt, m, "alice", NULL), bob = spawn(rt, m, "bob", NULL);
    static const char *const only_alice[] = {"alice"};
    wactor_caps caps = {.send = only_alice, .nsend = 1, .request = only_alice, .nrequest = 1};
    wactor_pid g = spawn(rt, m, "guarded", &caps);
    char a_pid[32], b_pid[32];
    pid_text(a_pid, sizeof a_pid, alice);
    pid_text(b_pid, sizeof b_pid, bob);

    /* refused: bob by pid, with every call that reaches a target */
    assert_int_equal(call(rt, g, "do_send", b_pid), PERM);
    assert_int_equal(call(rt, g, "do_request", b_pid), PERM);
    assert_int_equal(call(rt, g, "do_monitor", b_pid), PERM);
    assert_int_equal(call(rt, g, "do_link", b_pid), PERM);
    assert_int_equal(call(rt, g, "do_send", "bob"), PERM);
    assert_int_equal(refused(rt, g), 5);
    /* allowed: alice by name and by pid */
    assert_int_equal(call(rt, g, "do_send", a_pid), 0);
    assert_int_equal(call(rt, g, "do_send", "alice"), 0);
    assert_true(call(rt, g, "do_request", a_pid) > 0);
    assert_true(call(rt, g, "do_monitor", a_pid) > 0);
    assert_int_equal(call(rt, g, "do_link", a_pid), 0);
    assert_int_equal(refused(rt, g), 5);
    WAIT_FOR(peek32(rt, alice, MSGS) == 3);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    assert_int_equal(peek32(rt, bob, MSGS), 0); /* nothing reached bob */

    /* the name moves: once bob holds "alice" (alice gone), bob's pid is what the grant covers */
    assert_int_equal(wactor_stop(rt, alice, 1000), WACTOR_OK);
    WAIT_FOR(peek32(rt, g, DOWNS) == 1); /* the monitor fired (alice ended normally: the link did nothing) */
    /* alice's old pid: nobody alive to authorise, and not granted as written: refused (not probed) */
    assert_int_equal(call(rt, g, "do_send", a_pid), PERM);
    assert_int_equal(call(rt, g, "do_send", "alice"), NOENT); /* granted as written, nobody holds it */
    assert_int_equal(wactor_register(rt, bob, "alice"), WACTOR_OK);
    assert_int_equal(call(rt, g, "do_send", b_pid), 0);
    WAIT_FOR(peek32(rt, bob, MSGS) == 1);

    /* a "#pid" grant: that actor under any of its addresses, and a dead granted pid is -3, not -16 */
    wactor_pid carol = spawn(rt, m, "carol", NULL);
    char c_pid[32];
    pid_text(c_pid, sizeof c_pid, carol);
    const char *const pid_grant[] = {c_pid};
    wactor_caps caps2 = {.send = pid_grant, .nsend = 1};
    wactor_pid g2 = spawn(rt, m, "guarded2", &caps2);
    assert_int_equal(call(rt, g2, "do_send", "carol"), 0);
    assert_int_equal(call(rt, g2, "do_send", c_pid), 0);
    assert_int_equal(call(rt, g2, "do_send", "bob"), PERM);
    assert_int_equal(wactor_stop(rt, carol, 1000), WACTOR_OK);
    assert_int_equal(call(rt, g2, "do_send", c_pid), NOENT);
    assert_int_equal(call(rt, g2, "do_send", "carol"), PERM); /* nobody holds it: nothing granted resolves */
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* Grants are compared with their full length: a 127-byte grant does not cover a 128-byte name (by name or
 * by pid), and names up to the 255-byte maximum work both ways. */
static void test_grants_compare_full_lengths(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt);
    char n127[128], n128[129], n255[256];
    memset(n127, 'k', 127);
    n127[127] = 0;
    memcpy(n128, n127, 127);
    n128[127] = 'x';
    n128[128] = 0;
    memset(n255, 'q', 255);
    n255[255] = 0;
    wactor_pid long128 = spawn(rt, m, n128, NULL), long255 = spawn(rt, m, n255, NULL);
    const char *const grants[] = {n127, n255};
    wactor_caps caps = {.send = grants, .nsend = 2};
    wactor_pid g = spawn(rt, m, "g", &caps);
    char p128[32], p255[32];
    pid_text(p128, sizeof p128, long128);
    pid_text(p255, sizeof p255, long255);
    assert_int_equal(call(rt, g, "do_send", n128), PERM);
    assert_int_equal(call(rt, g, "do_send", p128), PERM);
    assert_int_equal(call(rt, g, "do_send", n255), 0);
    assert_int_equal(call(rt, g, "do_send", p255), 0);
    assert_int_equal(call(rt, g, "do_whereis", n255), (int64_t)long255);
    WAIT_FOR(peek32(rt, long255, MSGS) == 2);
    assert_int_equal(peek32(rt, long128, MSGS), 0);
    char n256[257];
    memset(n256, 'q', 256);
    n256[256] = 0;
    assert_int_equal(call(rt, g, "do_send", n256), INVAL); /* over the name limit: malformed */
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* ------------------------------------------------------------------ strict addresses */

static void test_pid_syntax_is_strict(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt);
    static const char *const any[] = {"*"};
    wactor_caps caps = {.send = any, .nsend = 1, .request = any, .nrequest = 1};
    wactor_pid g = spawn(rt, m, "g", &caps); /* everything granted: only the syntax decides */
    wactor_pid one = spawn(rt, m, NULL, NULL);
    char good[32];
    pid_text(good, sizeof good, one);
    unsigned long long v = one;
    char lead0[40], space[40], plus[40], trail[40], neg[40], big[40];
    snprintf(lead0, sizeof lead0, "#0%llu", v);
    snprintf(space, sizeof space, "# %llu", v);
    snprintf(plus, sizeof plus, "#+%llu", v);
    snprintf(trail, sizeof trail, "#%llux", v);
    snprintf(neg, sizeof neg, "#-%llu", 18446744073709551615ULL - v + 1); /* strtoull would wrap it to v */
    snprintf(big, sizeof big, "#18446744073709551616"); /* 2^64: overflow */
    const char *bad[] = {lead0, space, plus, trail, neg, big, "#", "#0", "#00", "#99999999999999999999999",
                         "#-1", "# ", "#1 ", "#0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(call(rt, g, "do_send", bad[i]), INVAL);
        assert_int_equal(call(rt, g, "do_request", bad[i]), INVAL);
        assert_int_equal(call(rt, g, "do_monitor", bad[i]), INVAL);
        assert_int_equal(call(rt, g, "do_link", bad[i]), INVAL);
        assert_int_equal(call(rt, g, "do_whereis", bad[i]), 0);
    }
    assert_int_equal(call(rt, g, "do_send", good), 0);
    WAIT_FOR(peek32(rt, one, MSGS) == 1); /* and none of the malformed ones reached pid `one` */
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    assert_int_equal(peek32(rt, one, MSGS), 1);

    /* whereis("#N"): N only while N is alive */
    assert_int_equal(call(rt, g, "do_whereis", good), (int64_t)one);
    char never[32];
    pid_text(never, sizeof never, one + 100000);
    assert_int_equal(call(rt, g, "do_whereis", never), 0);
    assert_int_equal(call(rt, g, "do_send", never), NOENT);
    assert_int_equal(call(rt, g, "do_whereis", "host"), 0);
    assert_int_equal(wactor_stop(rt, one, 1000), WACTOR_OK);
    assert_int_equal(call(rt, g, "do_whereis", good), 0);
    /* a request to a pid that does not exist: -3 at once, never a correlation id */
    assert_int_equal(call(rt, g, "do_request", good), NOENT);
    assert_int_equal(call(rt, g, "do_request", never), NOENT);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    assert_int_equal(peek32(rt, g, REPLIES), 0);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* A name with an embedded NUL is not the name before the NUL; empty, NUL-containing or over-long topics,
 * patterns and spawn names are errors (-1), not traps. */
static void test_nul_and_length_rules(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt);
    wactor_pid alice = spawn(rt, m, "alice", NULL);
    assert_int_equal(wactor_declare(rt, "worker", m, NULL), WACTOR_OK);
    static const char *const any[] = {"*"};
    static const char *const all[] = {">"};
    wactor_caps caps = {.send = any, .nsend = 1, .request = any, .nrequest = 1, .publish = all, .npublish = 1,
                        .subscribe = all, .nsubscribe = 1, .spawn = true};
    wactor_pid g = spawn(rt, m, "g", &caps);
    assert_int_equal(call_len(rt, g, "do_send", "alice\0x", 7, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_send", "alice\0", 6, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_request", "alice\0x", 7, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_monitor", "alice\0x", 7, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_whereis", "alice\0x", 7, 4), 0);
    assert_int_equal(call_len(rt, g, "do_whereis", "alice", 5, 4), (int64_t)alice);
    assert_int_equal(call_len(rt, g, "do_send", "", 0, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_spawn", "worker\0x", 8, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_spawn", "", 0, 4), INVAL);
    char longname[300];
    memset(longname, 'w', sizeof longname);
    assert_int_equal(call_len(rt, g, "do_spawn", longname, 256, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_publish", "a\0b", 3, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_publish", "", 0, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_publish", longname, 256, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_subscribe", "a\0", 2, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_subscribe", "", 0, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_subscribe", longname, 256, 4), INVAL);
    assert_int_equal(call_len(rt, g, "do_unsubscribe", "", 0, 4), INVAL);
    /* over-long lengths far past memory: the length is refused before memory is looked at */
    wactor_value a[4] = {vi(SCRATCH), vi(0x7fffffff), vi(PAYLOAD), vi(4)};
    assert_int_equal(inv(rt, g, "do_publish", a, 4), INVAL);
    assert_int_equal(inv(rt, g, "do_subscribe", a, 2), INVAL);
    assert_int_equal(inv(rt, g, "do_spawn", a, 2), INVAL);
    assert_int_equal(state(rt, g), WACTOR_READY); /* never trapped */
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    assert_int_equal(peek32(rt, alice, MSGS), 0);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* ------------------------------------------------------------------ limits */

static void test_limit_requests(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt);
    wactor_pid target = spawn(rt, m, "target", NULL); /* answers nothing: -15 for each, once it ran */
    static const char *const any[] = {"*"};
    wactor_caps caps = {.request = any, .nrequest = 1};
    wactor_spawn_opts o = {.name = "asker", .caps = &caps, .max_requests = 3};
    wactor_pid g = spawn_opts(rt, m, &o);
    put(rt, g, "target", 6);
    wactor_value a[3] = {vi(5), vi(SCRATCH), vi(6)};
    assert_int_equal(inv(rt, g, "do_request_n", a, 3), 3);
    for (int i = 0; i < 3; i++) assert_true(peek64(rt, g, RESULTS + 8 * i) > 0);
    assert_int_equal(peek64(rt, g, RESULTS + 24), LIMIT);
    assert_int_equal(peek64(rt, g, RESULTS + 32), LIMIT);
    assert_int_equal(refused(rt, g), 2);
    WAIT_FOR(peek32(rt, g, REPLIES) == 3); /* answered (-15): no longer outstanding */
    assert_int_equal(peek32(rt, target, MSGS), 3); /* the refused ones never reached it */
    assert_int_equal(inv(rt, g, "do_request_n", a, 3), 3); /* room again */
    WAIT_FOR(peek32(rt, g, REPLIES) == 6);
    /* the default applies when none is given */
    wactor_pid d = spawn(rt, m, "default_asker", &caps);
    put(rt, d, "target", 6);
    wactor_value b[3] = {vi(WACTOR_DEFAULT_MAX_REQUESTS + 1), vi(SCRATCH), vi(6)};
    assert_int_equal(inv(rt, d, "do_request_n", b, 3), (int64_t)WACTOR_DEFAULT_MAX_REQUESTS);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

static void test_limit_subscriptions(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt);
    static const char *const all[] = {">"};
    wactor_caps caps = {.subscribe = all, .nsubscribe = 1, .publish = all, .npublish = 1};
    wactor_spawn_opts o = {.name = "sub", .caps = &caps, .max_subscriptions = 2};
    wactor_pid g = spawn_opts(rt, m, &o);
    assert_int_equal(call(rt, g, "do_subscribe", "a.1"), 0);
    assert_int_equal(call(rt, g, "do_subscribe", "a.2"), 0);
    assert_int_equal(call(rt, g, "do_subscribe", "a.3"), LIMIT);
    assert_int_equal(call(rt, g, "do_subscribe", "a.1"), LIMIT); /* at the limit, whatever it is */
    assert_int_equal(refused(rt, g), 2);
    size_t n = 9;
    assert_int_equal(wactor_publish(rt, "a.3", "\x51\xf6", 2, &n), WACTOR_OK);
    assert_int_equal(n, 0); /* the refused subscription does not exist */
    assert_int_equal(call(rt, g, "do_unsubscribe", "a.1"), 0);
    assert_int_equal(call(rt, g, "do_unsubscribe", "a.1"), NOENT); /* does not free a second slot */
    assert_int_equal(call(rt, g, "do_subscribe", "a.3"), 0);
    assert_int_equal(call(rt, g, "do_subscribe", "a.4"), LIMIT);
    assert_int_equal(wactor_publish(rt, "a.3", "\x51\xf6", 2, &n), WACTOR_OK);
    assert_int_equal(n, 1);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

static void test_limit_monitors_and_links(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt);
    wactor_pid t1 = spawn(rt, m, "t1", NULL), t2 = spawn(rt, m, "t2", NULL), t3 = spawn(rt, m, "t3", NULL);
    static const char *const any[] = {"*"};
    wactor_caps caps = {.send = any, .nsend = 1};
    wactor_spawn_opts o = {.name = "watcher", .caps = &caps, .max_monitors = 2, .max_links = 2};
    wactor_pid g = spawn_opts(rt, m, &o);
    (void)t2, (void)t3;
    int64_t r1 = call(rt, g, "do_monitor", "t1"), r2 = call(rt, g, "do_monitor", "t1");
    assert_true(r1 > 0 && r2 > 0);
    assert_int_equal(call(rt, g, "do_monitor", "t2"), LIMIT);
    wactor_value a = vl(r1);
    assert_int_equal(inv(rt, g, "do_demonitor", &a, 1), 0);
    assert_true(call(rt, g, "do_monitor", "t2") > 0); /* a demonitor frees one */
    assert_int_equal(call(rt, g, "do_monitor", "t3"), LIMIT);
    /* a DOWN received frees one too */
    assert_int_equal(wactor_stop(rt, t1, 1000), WACTOR_OK);
    WAIT_FOR(peek32(rt, g, DOWNS) == 1);
    assert_true(call(rt, g, "do_monitor", "t3") > 0);
    assert_int_equal(call(rt, g, "do_monitor", "t3"), LIMIT);
    /* links */
    assert_int_equal(call(rt, g, "do_link", "t2"), 0);
    assert_int_equal(call(rt, g, "do_link", "t3"), 0);
    assert_int_equal(call(rt, g, "do_link", "t2"), LIMIT);
    assert_int_equal(refused(rt, g), 4);
    assert_int_equal(state(rt, g), WACTOR_READY);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* The spawn bomb: only max_spawned children may be alive at once; a child's end makes room again. */
static void test_limit_spawned(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt);
    wactor_caps spawner = {.spawn = true};
    wactor_spawn_opts wo = {.caps = &spawner, .max_spawned = 2};
    assert_int_equal(wactor_declare(rt, "worker", m, &wo), WACTOR_OK);
    wactor_spawn_opts o = {.name = "parent", .caps = &spawner, .max_spawned = 3};
    wactor_pid g = spawn_opts(rt, m, &o);
    put(rt, g, "worker", 6);
    wactor_value a[3] = {vi(10), vi(SCRATCH), vi(6)};
    assert_int_equal(inv(rt, g, "do_spawn_n", a, 3), 3);
    wactor_pid kids[3];
    for (int i = 0; i < 3; i++) kids[i] = (wactor_pid)peek64(rt, g, RESULTS + 8 * i);
    for (int i = 3; i < 10; i++) assert_int_equal(peek64(rt, g, RESULTS + 8 * i), LIMIT);
    assert_int_equal(refused(rt, g), 7);
    for (int i = 0; i < 3; i++) WAIT_FOR(state(rt, kids[i]) == WACTOR_READY);
    /* each child is limited in turn (its own declaration): the bomb cannot recurse past 3 x 2 */
    put(rt, kids[0], "worker", 6);
    assert_int_equal(inv(rt, kids[0], "do_spawn_n", a, 3), 2);
    wactor_stats s;
    wactor_stats_get(rt, &s);
    uint64_t live = s.actors;
    /* a child's end frees a slot (counted out when its DOWN reaches the parent, not seen by the guest) */
    assert_int_equal(wactor_stop(rt, kids[1], 1000), WACTOR_OK);
    wactor_value one[3] = {vi(1), vi(SCRATCH), vi(6)};
    int64_t got = 0;
    for (int i = 0; i < 500 && got == 0; i++) {
        got = inv(rt, g, "do_spawn_n", one, 3);
        if (!got) sleep_ms(10);
    }
    assert_int_equal(got, 1);
    assert_int_equal(inv(rt, g, "do_spawn_n", one, 3), 0);
    assert_int_equal(peek32(rt, g, DOWNS), 0); /* the host's monitor is invisible to the guest */
    wactor_stats_get(rt, &s);
    assert_int_equal(s.actors, live);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* ------------------------------------------------------------------ message size */

/* The receiver's max_message_bytes is checked before delivery: the sender gets -13 at once; replies obey the
 * replier's limit (at once) and the requester's (handle-reply gets -13 without the bytes). */
static void test_message_size_both_ends(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt);
    static const char *const any[] = {"*"};
    static const char *const all[] = {">"};
    wactor_caps caps = {.send = any, .nsend = 1, .request = any, .nrequest = 1, .publish = all, .npublish = 1,
                        .subscribe = all, .nsubscribe = 1};
    wactor_spawn_opts so = {.name = "small", .caps = &caps, .max_message_bytes = 1024};
    wactor_pid small = spawn_opts(rt, m, &so);
    wactor_pid big = spawn(rt, m, "big", &caps);
    wactor_pid g = spawn(rt, m, "sender", &caps);
    assert_int_equal(call_len(rt, g, "do_send", "small", 5, 2048), TOOBIG);
    assert_int_equal(call_len(rt, g, "do_request", "small", 5, 2048), TOOBIG);
    assert_int_equal(call_len(rt, g, "do_send", "small", 5, 1024), 0);
    assert_int_equal(refused(rt, g), 2);
    assert_int_equal(call(rt, small, "do_subscribe", "news.>"), 0);
    assert_int_equal(call(rt, big, "do_subscribe", "news.>"), 0);
    assert_int_equal(call_len(rt, g, "do_publish", "news.x", 6, 2048), 1); /* only big takes it */
    static const char two_k[2048] = {0x51};
    assert_int_equal(wactor_send(rt, small, two_k, sizeof two_k), WACTOR_ETOOBIG); /* the embedding API too */
    void *r = NULL;
    size_t rl = 0;
    assert_int_equal(wactor_ask(rt, small, two_k, sizeof two_k, 1000, &r, &rl, NULL), WACTOR_ETOOBIG);
    size_t n = 0;
    assert_int_equal(wactor_publish(rt, "news.y", two_k, sizeof two_k, &n), WACTOR_OK);
    assert_int_equal(n, 1);
    WAIT_FOR(peek32(rt, big, MSGS) == 2);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    assert_int_equal(peek32(rt, small, MSGS), 1); /* only the 1024-byte one */

    /* replies: the replier's own limit (-13 to its reply call) ... */
    poke32(rt, small, REPLY_SIZE, 1025);
    assert_true(call(rt, g, "do_request", "small") > 0);
    WAIT_FOR(peek32(rt, g, REPLIES) == 1);
    assert_int_equal(peek32(rt, small, REPLY_RESULT), TOOBIG);
    assert_int_equal(peek32(rt, g, REPLY_STATUS), -(int)WACTOR_ENOHANDLER); /* it returned unanswered */
    /* ... and the requester's: a 2048-byte reply to `small` arrives as -13 without its bytes */
    poke32(rt, big, REPLY_SIZE, 2048);
    assert_true(call(rt, small, "do_request", "big") > 0);
    WAIT_FOR(peek32(rt, small, REPLIES) == 1);
    assert_int_equal(peek32(rt, big, REPLY_RESULT), 0);
    assert_int_equal(peek32(rt, small, REPLY_STATUS), TOOBIG);
    assert_int_equal(peek32(rt, small, REPLY_LEN), 0);
    poke32(rt, big, REPLY_SIZE, 1024);
    assert_true(call(rt, small, "do_request", "big") > 0);
    WAIT_FOR(peek32(rt, small, REPLIES) == 2);
    assert_int_equal(peek32(rt, small, REPLY_STATUS), 0);
    assert_int_equal(peek32(rt, small, REPLY_LEN), 1024);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pid_needs_the_grant_of_its_actor),
        cmocka_unit_test(test_grants_compare_full_lengths),
        cmocka_unit_test(test_pid_syntax_is_strict),
        cmocka_unit_test(test_nul_and_length_rules),
        cmocka_unit_test(test_limit_requests),
        cmocka_unit_test(test_limit_subscriptions),
        cmocka_unit_test(test_limit_monitors_and_links),
        cmocka_unit_test(test_limit_spawned),
        cmocka_unit_test(test_message_size_both_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
