/*
 * fuzz_abi.c — libFuzzer target for the guest ABI: the host functions a component can call (docs/ABI.md),
 * exercised by a real runtime (include/wactor.h) running the driver component fuzz/abi/driver.wat, which
 * interprets each message it gets as a sequence of host-import calls (see the operations listed there):
 * every `wactor` import and the WASI preview1 functions, with arguments, pointers and lengths from the
 * fuzzer. Its peers: `echo` (fuzz/abi/echo.wat: answers requests, subscribes to everything, monitors its
 * senders) and `sink` (no handlers, a 4-message mailbox). The driver's WASI world has arguments, an
 * environment and a read-only preopened directory "/data" (a temporary directory made at start-up, with
 * a file, a subdirectory, and symlinks inside and out). All three are declared, so the driver can spawn
 * more of them (and of itself).
 *
 * Input: byte 0 is a set of flags, byte 1 the number of messages (1..4) the rest is split into, evenly:
 *   bit 0  the driver's capabilities: all (send/request "*", publish/subscribe ">", spawn) or few
 *          (send/request "echo", publish "chat.*", subscribe "chat.>", no spawn)
 *   bit 1  fuel per message: 100,000 instructions, else 1,000,000
 *   bit 2  the messages are requests (wactor_ask, 1 s timeout: the driver may reply) instead of sends
 *   bit 3  each message is also published on topic "fuzz.in" (echo and any subscribed driver get it)
 *   bit 4  after the messages, the driver's `program` export is invoked (Borsh arguments)
 *   bit 5  after the messages, the driver's health is asked (its `_health` reports what op 22 set)
 *   bit 6  the driver runs under a one_for_one supervisor (permanent, intensity 3) instead of on its own
 *   bit 7  the echo peer gets no capabilities (its subscribe and monitor are refused)
 *
 * Each input gets a fresh runtime (2 scheduler threads), torn down at the end, so nothing carries over.
 * Invariants, beyond "the host never crashes, leaks or hits UB" (ASan/UBSan, libFuzzer's leak check):
 *   - the runtime stays responsive: after the messages, a publication to a native subscriber (run by a
 *     scheduler thread) arrives within 2 s, however busy or broken the guests are;
 *   - every embedding call returns one of its documented errors;
 *   - wactor_runtime_destroy returns (libFuzzer's -timeout catches a hang).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wactor.h"

#ifndef FUZZ_ABI_DIR
#define FUZZ_ABI_DIR "."
#endif
#define CHECK(cond)                                                                                    \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "fuzz_abi: check failed at line %d: %s\n", __LINE__, #cond);               \
            abort();                                                                                   \
        }                                                                                              \
    } while (0)

typedef struct blob {
    uint8_t *bytes;
    size_t len;
} blob;
static blob driver_wasm, echo_wasm, sink_wasm;
/* FUZZ_ABI_VERBOSE=1 in the environment prints the guests' log lines, the supervisor events and the
 * runtime's counters of each input (to see what a corpus entry does). */
static int verbose;

static blob read_file(const char *name) {
    const char *dir = getenv("FUZZ_ABI_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : FUZZ_ABI_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_abi: cannot open %s (build the fuzz_wasm target, or set FUZZ_ABI_DIR)\n", path);
        exit(2);
    }
    blob b = {0};
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b.bytes = malloc((size_t)n);
    b.len = b.bytes && fread(b.bytes, 1, (size_t)n, f) == (size_t)n ? (size_t)n : 0;
    fclose(f);
    if (!b.len) exit(2);
    return b;
}

/* The driver's WASI world: two arguments, two environment entries and one read-only preopened directory,
 * "/data", holding a file, a subdirectory with a file, a symlink inside and one pointing out (to /etc), so
 * path calls meet real files and the sandbox's edges. Made once per process, removed at exit. */
static char data_dir[] = "/tmp/wactor-fuzz-abi-XXXXXX";
static const char *const data_entries[] = {"in", "out", "a.txt", "sub/b.txt", "sub"}; /* removal order */
static void remove_data_dir(void) {
    char path[256];
    for (size_t i = 0; i < sizeof data_entries / sizeof data_entries[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", data_dir, data_entries[i]);
        remove(path);
    }
    remove(data_dir); /* fails, and says so, if a guest could write below the read-only preopen */
}
static void make_data_dir(void) {
    if (!mkdtemp(data_dir)) {
        perror("fuzz_abi: mkdtemp");
        exit(2);
    }
    atexit(remove_data_dir);
    char path[256];
    snprintf(path, sizeof path, "%s/a.txt", data_dir);
    FILE *f = fopen(path, "w");
    if (f) fputs("hello from /data/a.txt\n", f), fclose(f);
    snprintf(path, sizeof path, "%s/sub", data_dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sub/b.txt", data_dir);
    f = fopen(path, "w");
    if (f) fputs("b\n", f), fclose(f);
    snprintf(path, sizeof path, "%s/in", data_dir);
    if (symlink("a.txt", path) != 0) perror("fuzz_abi: symlink");
    snprintf(path, sizeof path, "%s/out", data_dir);
    if (symlink("/etc", path) != 0) perror("fuzz_abi: symlink");
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    make_data_dir();
    driver_wasm = read_file("driver.wasm");
    echo_wasm = read_file("echo.wasm");
    sink_wasm = read_file("sink.wasm");
    verbose = getenv("FUZZ_ABI_VERBOSE") != NULL;
    return 0;
}

static void quiet_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user, (void)level;
    if (verbose) fprintf(stderr, "[%s] %.*s\n", name, (int)len, line);
}
static void quiet_event(void *user, const char *json) {
    (void)user;
    if (verbose) fprintf(stderr, "event %s\n", json);
}

static atomic_int probe_hits;
static void probe(void *user, const char *topic, wactor_pid from, const void *payload, size_t len) {
    (void)user, (void)topic, (void)from, (void)payload, (void)len;
    atomic_fetch_add(&probe_hits, 1);
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void check_error(wactor_error e) {
    CHECK(e >= WACTOR_OK && e <= WACTOR_EPERM);
    CHECK(wactor_strerror(e) != NULL);
}

static wactor_module *load(wactor_runtime *rt, const blob *b) {
    wactor_module *m = NULL;
    wactor_diag d = {0};
    CHECK(wactor_module_load(rt, b->bytes, b->len, &m, &d) == WACTOR_OK);
    return m;
}

static const char *const all_targets[] = {"*"};
static const char *const all_topics[] = {">"};
static const char *const echo_only[] = {"echo"};
static const char *const chat_pub[] = {"chat.*"};
static const char *const chat_sub[] = {"chat.>"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    uint8_t flags = data[0];
    size_t nmsgs = (size_t)(data[1] % 4) + 1;
    const uint8_t *body = data + 2;
    size_t body_len = size - 2;

    uint64_t t_start = now_ms();
    wactor_config cfg = {.threads = 2, .log = quiet_log};
    wactor_runtime *rt = NULL;
    CHECK(wactor_runtime_create(&cfg, &rt) == WACTOR_OK);
    wactor_set_event_handler(rt, quiet_event, NULL);
    wactor_module *driver = load(rt, &driver_wasm), *echo = load(rt, &echo_wasm), *sink = load(rt, &sink_wasm);

    wactor_caps full = {all_targets, 1, all_targets, 1, all_topics, 1, all_topics, 1, true};
    wactor_caps few = {echo_only, 1, echo_only, 1, chat_pub, 1, chat_sub, 1, false};
    wactor_caps echo_caps = {all_targets, 1, NULL, 0, NULL, 0, all_topics, 1, false};
    wactor_caps none = {0};
    static const char *const wargs[] = {"driver", "--flag"};
    static const char *const wenv[] = {"A=1", "LANG=C"};
    wactor_wasi_dir wdir = {.host = data_dir, .guest = "/data", .read_only = true};
    wactor_wasi wasi = {.args = wargs, .nargs = 2, .env = wenv, .nenv = 2, .dirs = &wdir, .ndirs = 1};
    wactor_spawn_opts dopts = {.name = "driver", .caps = (flags & 1) ? &full : &few, .mailbox = 64,
                               .max_message_bytes = 65536, .memory_pages = 4,
                               .fuel = (flags & 2) ? 100000 : 1000000, .wasi = &wasi};
    wactor_spawn_opts eopts = {.name = "echo", .caps = (flags & 0x80) ? &none : &echo_caps, .mailbox = 256,
                               .memory_pages = 2, .fuel = 1000000};
    wactor_spawn_opts sopts = {.name = "sink", .mailbox = 4, .memory_pages = 1, .fuel = 1000};
    CHECK(wactor_declare(rt, "driver", driver, &dopts) == WACTOR_OK);
    CHECK(wactor_declare(rt, "echo", echo, &eopts) == WACTOR_OK);
    CHECK(wactor_declare(rt, "sink", sink, &sopts) == WACTOR_OK);

    wactor_pid probe_pid = 0, echo_pid = 0, sink_pid = 0, driver_pid = 0, sup_pid = 0;
    CHECK(wactor_subscribe(rt, "fuzz.probe", probe, NULL, &probe_pid) == WACTOR_OK);
    wactor_diag d = {0};
    CHECK(wactor_spawn(rt, echo, &eopts, &echo_pid, &d) == WACTOR_OK);
    CHECK(wactor_spawn(rt, sink, &sopts, &sink_pid, &d) == WACTOR_OK);
    if (flags & 0x40) {
        wactor_child_spec child = {.id = "driver", .module = driver, .spawn = dopts, .restart = WACTOR_PERMANENT,
                                   .shutdown_ms = 200};
        wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 3,
                                .period_ms = 5000, .children = &child, .nchildren = 1};
        CHECK(wactor_supervisor_start(rt, &spec, &sup_pid, &d) == WACTOR_OK);
    } else {
        CHECK(wactor_spawn(rt, driver, &dopts, &driver_pid, &d) == WACTOR_OK);
    }

    size_t chunk = (body_len + nmsgs - 1) / nmsgs;
    for (size_t i = 0; i < nmsgs; i++) {
        size_t off = i * chunk;
        size_t len = off >= body_len ? 0 : (body_len - off < chunk ? body_len - off : chunk);
        wactor_pid to = wactor_whereis(rt, "driver"); /* a supervised driver may have been restarted */
        if (!to) break;
        if (flags & 4) {
            void *reply = NULL;
            size_t reply_len = 0;
            wactor_error e = wactor_ask(rt, to, body + off, len, 1000, &reply, &reply_len, &d);
            check_error(e);
            CHECK(e != WACTOR_OK || reply_len <= 65536);
            free(reply);
        } else {
            check_error(wactor_send(rt, to, body + off, len));
        }
        if (flags & 8) check_error(wactor_publish(rt, "fuzz.in", body + off, len, NULL));
    }
    wactor_pid to = wactor_whereis(rt, "driver");
    if ((flags & 0x10) && to) {
        wactor_value args[2] = {{.type = WACTOR_I32, .of.i32 = 0}, {.type = WACTOR_I32, .of.i32 = (int32_t)body_len}};
        wactor_value res[1];
        size_t nres = 0;
        wactor_error e = wactor_invoke_values(rt, to, "program", args, 2, res, 1, &nres, 2000, &d);
        check_error(e);
        if (e == WACTOR_OK) CHECK(nres == 1 && res[0].type == WACTOR_I32);
    }
    if ((flags & 0x20) && to) {
        wactor_health_status st = WACTOR_HEALTHY;
        char reason[300];
        wactor_error e = wactor_health(rt, to, 1000, &st, reason, sizeof reason);
        check_error(e);
        if (e == WACTOR_OK) CHECK(memchr(reason, '\0', sizeof reason) != NULL);
    }
    (void)wactor_wait_idle(rt, 3000);

    /* Responsiveness: a scheduler thread must still run a native actor promptly. */
    atomic_store(&probe_hits, 0);
    size_t delivered = 0;
    CHECK(wactor_publish(rt, "fuzz.probe", "\x80\x04[]", 4, &delivered) == WACTOR_OK && delivered >= 1);
    uint64_t t0 = now_ms();
    while (atomic_load(&probe_hits) == 0) {
        if (now_ms() - t0 > 2000) {
            fprintf(stderr, "fuzz_abi: runtime unresponsive: a publication to a native subscriber was not "
                            "delivered within 2 s\n");
            abort();
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }

    wactor_stats st;
    wactor_stats_get(rt, &st);
    wactor_actor_info info;
    check_error(wactor_info(rt, echo_pid, &info));
    wactor_error te = wactor_totals(rt, "driver", &info);
    check_error(te);
    if (verbose) {
        fprintf(stderr, "stats: actors %llu delivered %llu refused %llu dead %llu traps %llu\n",
                (unsigned long long)st.actors, (unsigned long long)st.delivered, (unsigned long long)st.refused,
                (unsigned long long)st.dead_letters, (unsigned long long)st.traps);
        if (te == WACTOR_OK)
            fprintf(stderr, "driver: %s, %llu messages, %llu refused, failure: %s %s\n", wactor_state_name(info.state),
                    (unsigned long long)info.messages, (unsigned long long)info.refused,
                    wactor_trap_name(info.failure.trap), info.failure.message);
    }
    uint64_t t_destroy = now_ms();
    wactor_runtime_destroy(rt);
    if (verbose)
        fprintf(stderr, "time: %llu ms running, %llu ms teardown\n", (unsigned long long)(t_destroy - t_start),
                (unsigned long long)(now_ms() - t_destroy));
    wactor_module_release(driver);
    wactor_module_release(echo);
    wactor_module_release(sink);
    (void)probe_pid, (void)sink_pid, (void)sup_pid, (void)driver_pid;
    return 0;
}
