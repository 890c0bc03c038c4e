/*
 * scale.c — how wactor grows with the number of components and names: resident memory per idle 1-page
 * component, the largest number of live components this machine holds, and name lookups (the registry
 * layer alone at 1,000 and 1,000,000 names; wactor_whereis through the API).
 *
 * Memory is this process's resident set (/proc/self/statm) before and after spawning, so it counts
 * everything a component costs: the instance (linear memory, stacks, tables, globals), the actor, its
 * mailbox and registry entries, malloc's overhead. Freed memory that malloc still holds from earlier phases
 * would be reused and hide part of the cost: the phases return it first (malloc_trim) and measure the growth
 * of several successive batches, all kept alive.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "registry/registry.h"

/* "1,000,000" */
static const char *thousands(long v, char *buf, size_t cap) {
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%ld", v), o = 0;
    for (int i = 0; i < n && (size_t)o + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static long max_map_count(void) {
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    long v = -1;
    if (f && fscanf(f, "%ld", &v) != 1) v = -1;
    if (f) fclose(f);
    return v;
}

static size_t growth(size_t before) {
    size_t now = rss_bytes();
    return now > before ? now - before : 0;
}

/* RSS per idle component: batches of n idle 1-page components, each batch kept alive; the growth of RSS
 * over a batch / n. */
void phase_memory(bench_ctx *b) {
    int n = SMOKE ? 200 : 10000, batches = SMOKE ? 1 : 3;
    malloc_trim(0);
    wactor_runtime *rt = bench_runtime(0);
    double per[8];
    wactor_diag d;
    for (int k = 0; k < batches; k++) {
        size_t before = rss_bytes();
        for (int i = 0; i < n; i++) {
            wactor_pid pid;
            wactor_error e = wactor_spawn(rt, b->idle, NULL, &pid, &d);
            if (e) {
                note("memory: spawn %d failed: %s: %s", k * n + i + 1, wactor_strerror(e), d.message);
                exit(1);
            }
        }
        per[k] = (double)growth(before) / n / 1024.0;
    }
    char name[96], count[32];
    snprintf(name, sizeof name, "memory: RSS per idle 1-page component (%s per batch)", thousands(n, count, sizeof count));
    row_ref(name, "KiB", summarize_values(per, batches),
            (ref){.key = "mem_idle_component_bytes", .erlang = "mem_idle_process_bytes", .scale = 1024, .unit = "bytes"});
    wactor_runtime_destroy(rt);
    malloc_trim(0);
}

/* As many idle 1-page components as fit: until 250,000 (2,000 with --smoke) are alive, or RSS growth would
 * pass 60 % of the MemAvailable seen at the start, or MemAvailable falls under 30 % of that (other users of
 * the machine), or spawning has taken 120 s, or a spawn fails. Then the runtime is destroyed (every
 * component stopped), timed too. */
void phase_live(bench_ctx *b) {
    const int target = SMOKE ? 2000 : 250000, check = 256;
    const double cap_us = (SMOKE ? 30 : 120) * 1e6;
    malloc_trim(0);
    wactor_runtime *rt = bench_runtime(0);
    size_t avail0 = mem_available_bytes(), rss0 = rss_bytes(), budget = (size_t)(avail0 * 0.6);
    char reason[400] = "", num[32], num2[32];
    int count = 0;
    double t0 = now_us();
    while (count < target) {
        if (count && count % check == 0) {
            size_t grown = growth(rss0), avail = mem_available_bytes();
            if (avail0 && grown + grown / (size_t)count * check > budget) {
                snprintf(reason, sizeof reason, "stopped at %s: RSS growth (%zu MiB) would pass 60%% of MemAvailable "
                         "at the start (%zu MiB)", thousands(count, num, sizeof num), grown >> 20, avail0 >> 20);
                break;
            }
            if (avail0 && avail < avail0 / 10 * 3) {
                snprintf(reason, sizeof reason, "stopped at %s: MemAvailable down to %zu MiB (%zu MiB at the start)",
                         thousands(count, num, sizeof num), avail >> 20, avail0 >> 20);
                break;
            }
            if (now_us() - t0 > cap_us) {
                snprintf(reason, sizeof reason, "stopped at %s: spawning took over %.0f s",
                         thousands(count, num, sizeof num), cap_us / 1e6);
                break;
            }
            if (count % 25000 == 0)
                fprintf(stderr, "bench: live: %s components, RSS +%zu MiB, %.1f s\n", thousands(count, num, sizeof num),
                        grown >> 20, (now_us() - t0) / 1e6);
        }
        wactor_pid pid;
        wactor_diag d = {0};
        wactor_error e = wactor_spawn(rt, b->idle, NULL, &pid, &d);
        if (e) {
            snprintf(reason, sizeof reason, "stopped at %s: spawn failed: %s: %s", thousands(count, num, sizeof num),
                     wactor_strerror(e), d.message);
            break;
        }
        count++;
    }
    double spawn_s = (now_us() - t0) / 1e6;
    size_t grown = growth(rss0);
    long maps = map_count();
    if (reason[0]) note("live: %s", reason);
    note("live: %s components alive: %ld memory mappings (vm.max_map_count %ld), MemAvailable %zu MiB at the "
         "start, %zu MiB with them alive", thousands(count, num2, sizeof num2), maps, max_map_count(),
         avail0 >> 20, mem_available_bytes() >> 20);

    char name[96];
    snprintf(name, sizeof name, "scale: live 1-page components (cap %s)", thousands(target, num, sizeof num));
    row_ref(name, "count", single(count), (ref){.key = "live_components"});
    row_ref("scale: RSS growth with all of them alive", "MiB", single((double)grown / (1 << 20)),
            (ref){.key = "live_rss_mib"});
    row_ref("scale: RSS per live component", "bytes", single(count ? (double)grown / count : 0),
            (ref){.key = "live_bytes_per_component", .erlang = "procs_bytes_per_proc"});
    row_ref("scale: time to spawn them all", "s", single(spawn_s), (ref){.key = "live_spawn_s"});
    row_ref("scale: spawns/s while filling", "spawn/s", single(count / spawn_s), (ref){.key = "live_spawn_per_s"});
    double t1 = now_us();
    wactor_runtime_destroy(rt); /* stops every component, newest first */
    row_ref("scale: wactor_runtime_destroy with all of them alive", "s", single((now_us() - t1) / 1e6),
            (ref){.key = "live_teardown_s"});
    malloc_trim(0);
}

/* A small deterministic generator for the lookup order. */
static uint64_t next_random(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

enum { NAME_CAP = 24 };

/* ns per lookup of the `nq` names in `q` through `lookup`: median, min and max over `batches` batches. */
static stat lookup_ns(uint64_t (*lookup)(void *, const char *), void *where, const char *const *q, int nq,
                      int batches, uint64_t *found) {
    double per[64];
    for (int k = 0; k < batches && k < 64; k++) {
        uint64_t sum = 0;
        double t0 = now_us();
        for (int i = 0; i < nq; i++) sum += lookup(where, q[i]) != 0;
        per[k] = (now_us() - t0) * 1000.0 / nq;
        *found += sum;
    }
    return summarize_values(per, batches < 64 ? batches : 64);
}

static uint64_t registry_lookup(void *r, const char *name) { return registry_whereis(r, name); }
static uint64_t api_lookup(void *rt, const char *name) { return wactor_whereis(rt, name); }

/* `n` names "component-<i>" and `nq` random picks among them. */
static char *make_names(int n, const char ***q, int nq, uint64_t seed) {
    char *names = xmalloc((size_t)n * NAME_CAP);
    for (int i = 0; i < n; i++) snprintf(names + (size_t)i * NAME_CAP, NAME_CAP, "component-%d", i);
    *q = xmalloc(sizeof(char *) * (size_t)nq);
    for (int i = 0; i < nq; i++) (*q)[i] = names + (next_random(&seed) % (uint64_t)n) * NAME_CAP;
    return names;
}

/* The registry layer alone: n ids, one name each (registry_add + registry_register_name, timed per fill of an
 * empty registry); lookups of random registered names, in batches. */
void phase_registry(bench_ctx *b) {
    (void)b;
    int sizes[2] = {1000, SMOKE ? 20000 : 1000000};
    int nq = SMOKE ? 10000 : 200000, batches = SMOKE ? 5 : 21;
    static int object; /* the registry maps ids to objects it never touches */
    for (int s = 0; s < 2; s++) {
        int n = sizes[s], fills = n <= 100000 ? REPEATS : 1; /* a million names: filled once */
        const char **q;
        char *names = make_names(n, &q, nq, 0x9e3779b97f4a7c15ull + (uint64_t)s);
        registry *r = NULL;
        double reg_ns[16];
        for (int f = 0; f < fills; f++) {
            registry_free(r); /* the previous fill */
            if (!(r = registry_new(NULL))) exit(1);
            double t0 = now_us();
            for (int i = 0; i < n; i++)
                if (registry_add(r, (uint64_t)i + 1, &object) ||
                    registry_register_name(r, names + (size_t)i * NAME_CAP, (uint64_t)i + 1)) {
                    fprintf(stderr, "bench: registry: registering %d names failed at %d\n", n, i);
                    exit(1);
                }
            reg_ns[f] = (now_us() - t0) * 1000.0 / n;
        }
        uint64_t found = 0;
        stat ns = lookup_ns(registry_lookup, r, q, nq, batches, &found);
        if (found != (uint64_t)nq * (uint64_t)batches) note("registry: %llu lookups of registered names failed",
                                                            (unsigned long long)((uint64_t)nq * batches - found));
        char name[96], count[32], key[64];
        thousands(n, count, sizeof count);
        snprintf(name, sizeof name, "registry: registry_whereis among %s names", count);
        snprintf(key, sizeof key, "registry_lookup_ns_%d", n);
        row_ref(name, "ns", ns, (ref){.key = key, .erlang = n == 1000 ? "whereis_ns_1000" : ""});
        snprintf(name, sizeof name, "registry: add + register_name, %s names (mean)", count);
        snprintf(key, sizeof key, "registry_register_ns_%d", n);
        row_ref(name, "ns", summarize_values(reg_ns, fills), (ref){.key = key});
        registry_free(r);
        free(names);
        free(q);
    }
}

/* wactor_whereis through the public API: 1,000 names registered to one component. */
void phase_whereis(bench_ctx *b) {
    const int n = 1000, nq = SMOKE ? 10000 : 200000, batches = SMOKE ? 5 : 21;
    wactor_pid pid;
    if (wactor_spawn(b->rt, b->idle, NULL, &pid, NULL)) exit(1);
    const char **q;
    char *names = make_names(n, &q, nq, 0x2545f4914f6cdd1dull);
    for (int i = 0; i < n; i++)
        if (wactor_register(b->rt, pid, names + (size_t)i * NAME_CAP)) {
            fprintf(stderr, "bench: whereis: wactor_register failed at %d\n", i);
            exit(1);
        }
    uint64_t found = 0;
    stat ns = lookup_ns(api_lookup, b->rt, q, nq, batches, &found);
    if (found != (uint64_t)nq * (uint64_t)batches) note("whereis: some lookups of registered names failed");
    row_ref("api: wactor_whereis among 1,000 names", "ns", ns, (ref){.key = "whereis_ns_1000"});
    wactor_stop(b->rt, pid, 100); /* releases the names */
    free(names);
    free(q);
}
