/* test_broker.c — the pub/sub subject index: NATS subject syntax, wildcards, dedup, removal,
 * concurrency, and a 10k-pattern comparison against a brute-force matcher. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"

/* Matches `subject` and checks the result is exactly the ids given (ascending), terminated by 0. */
static void expect_match(broker *b, const char *subject, ...) {
    uint64_t want[64];
    size_t nw = 0;
    va_list ap;
    va_start(ap, subject);
    for (uint64_t id; (id = va_arg(ap, uint64_t)) != 0;) want[nw++] = id;
    va_end(ap);
    uint64_t got[64];
    ssize_t n = broker_match(b, subject, got, 64);
    if (n != (ssize_t)nw) fail_msg("%s: %zd matches, want %zu", subject, n, nw);
    for (size_t i = 0; i < nw; i++)
        if (got[i] != want[i])
            fail_msg("%s: match[%zu] = %llu, want %llu", subject, i, (unsigned long long)got[i],
                     (unsigned long long)want[i]);
}
#define M(b, ...) expect_match(b, __VA_ARGS__, (uint64_t)0)
#define ID(x) ((uint64_t)(x))

/* ------------------------------------------------------------------ syntax */

static void test_subject_syntax(void **st) {
    (void)st;
    static const char *const valid_both[] = {
        "a", "orders", "orders.created", "a.b.c.d.e", "FOO.bar.Baz", "$SYS.hello", "_INBOX.x1",
        "time.us-east.atlanta", "a/b=c.d:e", "~!@#$%^&()[]{}", "0.1.2",
    };
    static const char *const invalid_both[] = {
        "", ".", "..", ".a", "a.", "a..b", "a. .b", "a b", " a", "a ", "a\tb", "a\nb", "a\rb",
        "a.\x7f", "caf\xc3\xa9", "a\x01", "foo*", "*foo", "a.b>", ">a", "a.**", "a.>>",
    };
    static const char *const pattern_only[] = {
        "*", ">", "a.*", "*.a", "a.*.c", "*.*", "a.>", "*.>", "*.*.*.>", "orders.*.eu.>",
    };
    static const char *const invalid_patterns[] = {
        ">.a", "a.>.b", "a.>.>", "> .a", "a.>.", "a.*.", ".*", "*..b",
    };
    for (size_t i = 0; i < sizeof valid_both / sizeof *valid_both; i++) {
        if (!broker_subject_valid(valid_both[i], false)) fail_msg("should be a valid subject: %s", valid_both[i]);
        if (!broker_subject_valid(valid_both[i], true)) fail_msg("should be a valid pattern: %s", valid_both[i]);
    }
    for (size_t i = 0; i < sizeof invalid_both / sizeof *invalid_both; i++) {
        if (broker_subject_valid(invalid_both[i], false)) fail_msg("should be an invalid subject: %s", invalid_both[i]);
        if (broker_subject_valid(invalid_both[i], true)) fail_msg("should be an invalid pattern: %s", invalid_both[i]);
    }
    for (size_t i = 0; i < sizeof pattern_only / sizeof *pattern_only; i++) {
        if (broker_subject_valid(pattern_only[i], false)) fail_msg("wildcard in a subject: %s", pattern_only[i]);
        if (!broker_subject_valid(pattern_only[i], true)) fail_msg("should be a valid pattern: %s", pattern_only[i]);
    }
    for (size_t i = 0; i < sizeof invalid_patterns / sizeof *invalid_patterns; i++)
        if (broker_subject_valid(invalid_patterns[i], true)) fail_msg("should be invalid: %s", invalid_patterns[i]);
    assert_false(broker_subject_valid(NULL, false));
    assert_false(broker_subject_valid(NULL, true));

    /* length: 255 bytes is fine, 256 is not; also the maximum token count (128) */
    char buf[300];
    memset(buf, 'x', 255);
    buf[255] = '\0';
    assert_true(broker_subject_valid(buf, false));
    buf[255] = 'x';
    buf[256] = '\0';
    assert_false(broker_subject_valid(buf, false));
    for (int i = 0; i < 255; i++) buf[i] = (i % 2) ? '.' : 'a';
    buf[255] = '\0';
    assert_true(broker_subject_valid(buf, false));
    buf[254] = '*';
    assert_true(broker_subject_valid(buf, true));
    buf[254] = '>';
    assert_true(broker_subject_valid(buf, true));
    buf[254] = '.'; /* trailing dot at the limit */
    assert_false(broker_subject_valid(buf, true));
}

/* ------------------------------------------------------------------ matching */

static void test_exact(void **st) {
    (void)st;
    broker *b = broker_new();
    assert_non_null(b);
    assert_int_equal(broker_subscribe(b, "orders.created", 7), 0);
    assert_int_equal(broker_subscribe(b, "orders.created", 3), 0);
    assert_int_equal(broker_subscribe(b, "orders", 5), 0);
    assert_int_equal(broker_subscription_count(b), 3);
    M(b, "orders.created", ID(3), ID(7)); /* ascending */
    M(b, "orders", ID(5));
    M(b, "orders.deleted");
    M(b, "orders.created.eu");
    M(b, "Orders.created"); /* case-sensitive */
    M(b, "created");
    broker_free(b);
    broker_free(NULL);
}

static void test_star_one_token(void **st) {
    (void)st;
    broker *b = broker_new();
    assert_int_equal(broker_subscribe(b, "orders.*", 1), 0);
    M(b, "orders.created", ID(1));
    M(b, "orders.x", ID(1));
    M(b, "orders");
    M(b, "orders.eu.created");
    M(b, "other.created");
    assert_int_equal(broker_subscribe(b, "*", 2), 0);
    M(b, "orders", ID(2));
    M(b, "anything", ID(2));
    M(b, "orders.created", ID(1));
    assert_int_equal(broker_subscribe(b, "*.*", 3), 0);
    M(b, "orders.created", ID(1), ID(3));
    M(b, "a.b.c");
    broker_free(b);
}

static void test_gt_one_or_more(void **st) {
    (void)st;
    broker *b = broker_new();
    assert_int_equal(broker_subscribe(b, "orders.>", 1), 0);
    M(b, "orders.created", ID(1));
    M(b, "orders.eu.created", ID(1));
    M(b, "orders.eu.created.a.b.c", ID(1));
    M(b, "orders");
    M(b, "ordersx.eu");
    assert_int_equal(broker_subscribe(b, ">", 2), 0); /* wire tap: everything */
    M(b, "orders", ID(2));
    M(b, "orders.eu", ID(1), ID(2));
    M(b, "x.y.z", ID(2));
    assert_int_equal(broker_subscribe(b, "*.*.>", 3), 0); /* at least three tokens */
    M(b, "a.b", ID(2));
    M(b, "a.b.c", ID(2), ID(3));
    M(b, "orders.b.c", ID(1), ID(2), ID(3));
    assert_int_equal(broker_subscribe(b, "orders.eu.>", 4), 0);
    M(b, "orders.eu", ID(1), ID(2));
    M(b, "orders.eu.x", ID(1), ID(2), ID(3), ID(4));
    broker_free(b);
}

static void test_star_middle(void **st) {
    (void)st;
    broker *b = broker_new();
    assert_int_equal(broker_subscribe(b, "time.*.east", 1), 0);
    assert_int_equal(broker_subscribe(b, "*.us.*", 2), 0);
    assert_int_equal(broker_subscribe(b, "time.*.*.>", 3), 0);
    assert_int_equal(broker_subscribe(b, "time.us.east", 4), 0);
    M(b, "time.us.east", ID(1), ID(2), ID(4));
    M(b, "time.eu.east", ID(1));
    M(b, "time.eu.west");
    M(b, "date.us.west", ID(2));
    M(b, "time.us.east.atlanta", ID(3));
    M(b, "time.east");
    M(b, "time.us.x.east", ID(3));
    M(b, "time.us");
    broker_free(b);
}

static void test_dedup_and_cap(void **st) {
    (void)st;
    broker *b = broker_new();
    /* subscriber 9 matches a.b.c through five patterns, 4 through two, 1 through one */
    const char *pats[] = {"a.b.c", "a.*.c", "a.>", "*.b.*", ">"};
    for (size_t i = 0; i < 5; i++) assert_int_equal(broker_subscribe(b, pats[i], 9), 0);
    assert_int_equal(broker_subscribe(b, "a.b.*", 4), 0);
    assert_int_equal(broker_subscribe(b, "a.>", 4), 0);
    assert_int_equal(broker_subscribe(b, "a.b.c", 1), 0);
    assert_int_equal(broker_subscription_count(b), 8);
    M(b, "a.b.c", ID(1), ID(4), ID(9));
    M(b, "a.b", ID(4), ID(9));
    M(b, "z", ID(9));

    /* cap smaller than the total: the smallest `cap` ids, and the total */
    uint64_t out[2] = {0, 0};
    assert_int_equal(broker_match(b, "a.b.c", out, 2), 3);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 4);
    assert_int_equal(broker_match(b, "a.b.c", NULL, 0), 3);
    assert_int_equal(broker_match(b, "a.b.c", out, 0), 3);
    assert_int_equal(broker_match(b, "nothing.here", NULL, 0), 1); /* only 9's ">" */

    /* many overlapping lists (> the linear-merge width) still dedupe */
    broker *c = broker_new();
    /* all 32 literal/'*' spellings of a 5-token subject, plus four '>' forms: 36 lists match */
    char pat[64];
    static const char *const gt_forms[] = {">", "k.>", "*.>", "k.k.>"};
    for (int i = 0; i < 36; i++) {
        pat[0] = '\0';
        if (i < 32) {
            for (int t = 0; t < 5; t++) {
                strcat(pat, (i >> t) & 1 ? "*" : "k");
                if (t < 4) strcat(pat, ".");
            }
        } else {
            strcpy(pat, gt_forms[i - 32]);
        }
        for (uint64_t id = 1; id <= 50; id++)
            assert_int_equal(broker_subscribe(c, pat, id * 3 + (uint64_t)(i % 3)), 0);
    }
    uint64_t big[200];
    ssize_t n = broker_match(c, "k.k.k.k.k", big, 200);
    assert_int_equal(n, 150); /* ids 3..152 */
    for (ssize_t i = 1; i < n; i++) assert_true(big[i - 1] < big[i]);
    broker_free(c);
    broker_free(b);
}

static void test_errors(void **st) {
    (void)st;
    broker *b = broker_new();
    assert_int_equal(broker_subscribe(b, "a..b", 1), -EINVAL);
    assert_int_equal(broker_subscribe(b, ".a", 1), -EINVAL);
    assert_int_equal(broker_subscribe(b, "a.", 1), -EINVAL);
    assert_int_equal(broker_subscribe(b, "a.>.b", 1), -EINVAL);
    assert_int_equal(broker_subscribe(b, "a b", 1), -EINVAL);
    assert_int_equal(broker_subscribe(b, "", 1), -EINVAL);
    assert_int_equal(broker_subscribe(b, NULL, 1), -EINVAL);
    assert_int_equal(broker_subscribe(b, "a", 0), -EINVAL);
    assert_int_equal(broker_subscribe(b, "a.*", 1), 0);
    assert_int_equal(broker_subscribe(b, "a.*", 1), -EEXIST);
    assert_int_equal(broker_subscribe(b, "a.*", 2), 0);
    assert_int_equal(broker_subscribe(b, "a.>", 1), 0); /* overlapping, different pattern: fine */
    assert_int_equal(broker_subscription_count(b), 3);

    uint64_t out[4];
    assert_int_equal(broker_match(b, "a.*", out, 4), -EINVAL);
    assert_int_equal(broker_match(b, "a.>", out, 4), -EINVAL);
    assert_int_equal(broker_match(b, ">", out, 4), -EINVAL);
    assert_int_equal(broker_match(b, "a..b", out, 4), -EINVAL);
    assert_int_equal(broker_match(b, "a.", out, 4), -EINVAL);
    assert_int_equal(broker_match(b, ".a", out, 4), -EINVAL);
    assert_int_equal(broker_match(b, "a .b", out, 4), -EINVAL);
    assert_int_equal(broker_match(b, "", out, 4), -EINVAL);
    assert_int_equal(broker_match(b, NULL, out, 4), -EINVAL);

    assert_int_equal(broker_unsubscribe(b, "a..b", 1), -EINVAL);
    assert_int_equal(broker_unsubscribe(b, "a.*", 0), -EINVAL);
    assert_int_equal(broker_unsubscribe_all(b, 0), 0);
    broker_free(b);
}

static void test_unsubscribe(void **st) {
    (void)st;
    broker *b = broker_new();
    assert_int_equal(broker_subscribe(b, "orders.*", 1), 0);
    assert_int_equal(broker_subscribe(b, "orders.created", 1), 0);
    assert_int_equal(broker_subscribe(b, "orders.*", 2), 0);
    M(b, "orders.created", ID(1), ID(2));
    /* wildcards are compared literally */
    assert_int_equal(broker_unsubscribe(b, "orders.>", 1), -ENOENT);
    assert_int_equal(broker_unsubscribe(b, "orders.x", 1), -ENOENT);
    assert_int_equal(broker_unsubscribe(b, "nope", 1), -ENOENT);
    assert_int_equal(broker_unsubscribe(b, "orders.*", 3), -ENOENT);
    assert_int_equal(broker_unsubscribe(b, "orders.*", 1), 0);
    assert_int_equal(broker_unsubscribe(b, "orders.*", 1), -ENOENT);
    M(b, "orders.created", ID(1), ID(2)); /* 1 still via the exact pattern */
    M(b, "orders.x", ID(2));
    assert_int_equal(broker_unsubscribe(b, "orders.created", 1), 0);
    M(b, "orders.created", ID(2));
    assert_int_equal(broker_unsubscribe(b, "orders.*", 2), 0);
    M(b, "orders.created");
    assert_int_equal(broker_subscription_count(b), 0);
    /* the pruned path can be built again */
    assert_int_equal(broker_subscribe(b, "orders.*", 1), 0);
    M(b, "orders.created", ID(1));
    broker_free(b);
}

static void test_unsubscribe_all(void **st) {
    (void)st;
    broker *b = broker_new();
    const char *pats[] = {"a", "a.b", "a.*", "a.>", ">", "*.b", "x.y.z"};
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(broker_subscribe(b, pats[i], 42), 0);
        assert_int_equal(broker_subscribe(b, pats[i], 43), 0);
    }
    assert_int_equal(broker_subscribe(b, "a.b", 44), 0);
    assert_int_equal(broker_subscription_count(b), 15);
    M(b, "a.b", ID(42), ID(43), ID(44));
    assert_int_equal(broker_unsubscribe(b, "a.>", 42), 0);
    assert_int_equal(broker_unsubscribe_all(b, 42), 6);
    assert_int_equal(broker_unsubscribe_all(b, 42), 0);
    assert_int_equal(broker_subscription_count(b), 8);
    M(b, "a.b", ID(43), ID(44));
    M(b, "x.y.z", ID(43));
    assert_int_equal(broker_unsubscribe(b, "a", 42), -ENOENT);
    assert_int_equal(broker_unsubscribe_all(b, 43), 7);
    M(b, "a.b", ID(44));
    M(b, "x.y.z");
    M(b, "a");
    assert_int_equal(broker_subscription_count(b), 1);
    assert_int_equal(broker_unsubscribe_all(b, 99), 0);
    /* resubscribe after unsubscribe_all works (the subscriber's record was dropped cleanly) */
    assert_int_equal(broker_subscribe(b, "a.>", 42), 0);
    M(b, "a.b", ID(42), ID(44));
    broker_free(b);
}

/* ------------------------------------------------------------------ brute force comparison */

/* Reference matcher: does `pat` match `subj`? Token by token, straight from the rules. */
static bool ref_match(const char *pat, const char *subj) {
    for (;;) {
        const char *pe = strchr(pat, '.'), *se = strchr(subj, '.');
        size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
        size_t sl = se ? (size_t)(se - subj) : strlen(subj);
        if (pl == 1 && pat[0] == '>') return true; /* subj has at least this token */
        if (!(pl == 1 && pat[0] == '*') && (pl != sl || memcmp(pat, subj, pl) != 0)) return false;
        if (!pe && !se) return true;
        if (!pe || !se) return false;
        pat = pe + 1;
        subj = se + 1;
    }
}

typedef struct sub_rec {
    char pat[64];
    uint64_t id;
    bool live;
} sub_rec;

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const char *const words[] = {"a", "b", "c", "d", "orders", "eu", "x1"};
#define NWORDS (sizeof words / sizeof *words)

static void random_subject(char *buf, bool wild) {
    int nt = 1 + (int)(rnd() % 5);
    buf[0] = '\0';
    for (int t = 0; t < nt; t++) {
        if (t) strcat(buf, ".");
        unsigned r = (unsigned)(rnd() % 100);
        if (wild && t == nt - 1 && r < 12) strcat(buf, ">");
        else if (wild && r < 30) strcat(buf, "*");
        else strcat(buf, words[rnd() % NWORDS]);
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void compare_all(broker *b, const sub_rec *subs, size_t nsubs, int rounds) {
    static uint64_t want[20000], got[20000];
    char subj[64];
    for (int r = 0; r < rounds; r++) {
        random_subject(subj, false);
        size_t nw = 0;
        for (size_t i = 0; i < nsubs; i++)
            if (subs[i].live && ref_match(subs[i].pat, subj)) want[nw++] = subs[i].id;
        qsort(want, nw, sizeof *want, cmp_u64);
        size_t u = 0;
        for (size_t i = 0; i < nw; i++)
            if (u == 0 || want[i] != want[u - 1]) want[u++] = want[i];
        ssize_t n = broker_match(b, subj, got, 20000);
        if (n != (ssize_t)u) fail_msg("%s: broker says %zd, brute force %zu", subj, n, u);
        if (u && memcmp(got, want, u * sizeof *got) != 0) fail_msg("%s: different ids", subj);
    }
}

/* broker_match_all: the caller's buffer while the subscribers fit, a heap buffer holding all of them when not. */
static void test_match_all(void **st) {
    (void)st;
    broker *b = broker_new();
    uint64_t local[4], *out = NULL;
    assert_int_equal(broker_match_all(b, "a.b", local, 4, &out), 0);
    assert_ptr_equal(out, local);
    for (uint64_t id = 1; id <= 3; id++) assert_int_equal(broker_subscribe(b, "a.*", id), 0);
    assert_int_equal(broker_match_all(b, "a.b", local, 4, &out), 3);
    assert_ptr_equal(out, local);
    for (uint64_t id = 4; id <= 10; id++) assert_int_equal(broker_subscribe(b, "a.b", id), 0);
    assert_int_equal(broker_match_all(b, "a.b", local, 4, &out), 10);
    assert_ptr_not_equal(out, local);
    for (uint64_t i = 0; i < 10; i++) assert_int_equal(out[i], i + 1); /* every one, ascending */
    free(out);
    assert_int_equal(broker_match_all(b, "a.*", local, 4, &out), -EINVAL); /* a wildcard is no subject */
    assert_ptr_equal(out, local);
    broker_free(b);
}

static void test_many_vs_brute_force(void **st) {
    (void)st;
    enum { NSUBS = 10000, NIDS = 1500 };
    static sub_rec subs[NSUBS];
    broker *b = broker_new();
    size_t live = 0;
    for (size_t i = 0; i < NSUBS; i++) {
        random_subject(subs[i].pat, true);
        subs[i].id = 1 + rnd() % NIDS;
        int rc = broker_subscribe(b, subs[i].pat, subs[i].id);
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = subs[j].live && subs[j].id == subs[i].id && strcmp(subs[j].pat, subs[i].pat) == 0;
        assert_int_equal(rc, dup ? -EEXIST : 0);
        subs[i].live = !dup;
        live += !dup;
    }
    assert_int_equal(broker_subscription_count(b), live);
    compare_all(b, subs, NSUBS, 2000);

    /* unsubscribe about half, one by one */
    for (size_t i = 0; i < NSUBS; i++) {
        if (subs[i].live && rnd() % 2) {
            assert_int_equal(broker_unsubscribe(b, subs[i].pat, subs[i].id), 0);
            subs[i].live = false;
            live--;
        }
    }
    assert_int_equal(broker_subscription_count(b), live);
    compare_all(b, subs, NSUBS, 1000);

    /* drop a third of the subscribers wholesale */
    for (uint64_t id = 1; id <= NIDS; id += 3) {
        size_t expect = 0;
        for (size_t i = 0; i < NSUBS; i++)
            if (subs[i].live && subs[i].id == id) {
                subs[i].live = false;
                expect++;
            }
        assert_int_equal(broker_unsubscribe_all(b, id), expect);
        live -= expect;
    }
    assert_int_equal(broker_subscription_count(b), live);
    compare_all(b, subs, NSUBS, 1000);

    /* and everything else: the trie empties out */
    for (uint64_t id = 1; id <= NIDS; id++) broker_unsubscribe_all(b, id);
    assert_int_equal(broker_subscription_count(b), 0);
    assert_int_equal(broker_match(b, "a.b.c", NULL, 0), 0);
    broker_free(b);
}

/* ------------------------------------------------------------------ concurrency */

enum { WRITERS = 4, READERS = 4, WRITER_OPS = 20000, STABLE_ID = 1000000 };

typedef struct cc_ctx {
    broker *b;
    atomic_bool stop;
    atomic_int failures;
} cc_ctx;

typedef struct writer_arg {
    cc_ctx *cc;
    int idx;
} writer_arg;

static const char *const cc_pats[] = {"ev.*", "ev.>", "ev.a", "ev.a.b", "*.a", ">", "ev.*.b", "x.y"};
#define NCC (sizeof cc_pats / sizeof *cc_pats)

static void *writer(void *p) {
    writer_arg *w = p;
    uint64_t s = 0x1234567ULL + (uint64_t)w->idx * 7919;
    /* each writer owns ids idx*100+1 .. idx*100+10 and tracks their state */
    bool held[10][NCC] = {{false}};
    for (int op = 0; op < WRITER_OPS; op++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        int k = (int)(s % 10), pi = (int)((s >> 8) % NCC);
        uint64_t id = (uint64_t)w->idx * 100 + 1 + (uint64_t)k;
        if ((s >> 20) % 50 == 0) {
            size_t want = 0;
            for (size_t j = 0; j < NCC; j++) want += held[k][j], held[k][j] = false;
            if (broker_unsubscribe_all(w->cc->b, id) != want) atomic_fetch_add(&w->cc->failures, 1);
        } else if (held[k][pi]) {
            if (broker_unsubscribe(w->cc->b, cc_pats[pi], id) != 0) atomic_fetch_add(&w->cc->failures, 1);
            held[k][pi] = false;
        } else {
            if (broker_subscribe(w->cc->b, cc_pats[pi], id) != 0) atomic_fetch_add(&w->cc->failures, 1);
            held[k][pi] = true;
        }
    }
    /* leave a known final state: ids keep exactly "ev.>" */
    for (int k = 0; k < 10; k++) {
        uint64_t id = (uint64_t)w->idx * 100 + 1 + (uint64_t)k;
        broker_unsubscribe_all(w->cc->b, id);
        if (broker_subscribe(w->cc->b, "ev.>", id) != 0) atomic_fetch_add(&w->cc->failures, 1);
    }
    return NULL;
}

static void *reader(void *p) {
    cc_ctx *cc = p;
    static const char *const subjects[] = {"ev.a", "ev.a.b", "q.a", "x.y", "ev.zz.b", "zz"};
    uint64_t out[128];
    unsigned i = 0;
    while (!atomic_load(&cc->stop)) {
        const char *subj = subjects[i++ % 6];
        ssize_t n = broker_match(cc->b, subj, out, 128);
        bool ok = n >= 1 && n <= 128;
        bool stable = false;
        for (ssize_t j = 0; ok && j < n; j++) {
            if (j && out[j - 1] >= out[j]) ok = false; /* sorted, no duplicates */
            if (out[j] == STABLE_ID) stable = true;
        }
        if (!ok || !stable) atomic_fetch_add(&cc->failures, 1);
    }
    return NULL;
}

static void test_concurrency(void **st) {
    (void)st;
    cc_ctx cc = {.b = broker_new()};
    atomic_init(&cc.stop, false);
    atomic_init(&cc.failures, 0);
    /* a subscriber nobody touches: every match must see it */
    assert_int_equal(broker_subscribe(cc.b, ">", STABLE_ID), 0);
    pthread_t w[WRITERS], r[READERS];
    writer_arg wa[WRITERS];
    for (int i = 0; i < READERS; i++) assert_int_equal(pthread_create(&r[i], NULL, reader, &cc), 0);
    for (int i = 0; i < WRITERS; i++) {
        wa[i] = (writer_arg){&cc, i + 1};
        assert_int_equal(pthread_create(&w[i], NULL, writer, &wa[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) pthread_join(w[i], NULL);
    atomic_store(&cc.stop, true);
    for (int i = 0; i < READERS; i++) pthread_join(r[i], NULL);
    assert_int_equal(atomic_load(&cc.failures), 0);

    assert_int_equal(broker_subscription_count(cc.b), 1 + WRITERS * 10);
    uint64_t out[64];
    assert_int_equal(broker_match(cc.b, "ev.a", out, 64), 1 + WRITERS * 10);
    assert_int_equal(broker_match(cc.b, "ev", out, 64), 1);
    assert_int_equal(broker_match(cc.b, "x.y", out, 64), 1);
    assert_int_equal(out[0], STABLE_ID);
    broker_free(cc.b);
}


/* ------------------------------------------------------------------ pattern algebra (subject.c) */

static void test_subject_matches_and_covers_table(void **state) {
    (void)state;
    assert_true(broker_subject_matches("a.*", "a.b"));
    assert_true(broker_subject_matches("a.>", "a.b.c"));
    assert_false(broker_subject_matches("a.>", "a"));
    assert_true(broker_subject_matches(">", "x"));
    assert_false(broker_subject_matches("a.*", "a.b.c"));
    assert_false(broker_subject_matches("a.b", "a.bc"));
    assert_false(broker_subject_matches("a.*", "a.*"));   /* a subject has no wildcards */
    assert_false(broker_subject_matches("a..b", "a..b")); /* invalid on either side: false */
    assert_false(broker_subject_matches(NULL, "a"));
    assert_false(broker_subject_matches("a", NULL));
    assert_true(broker_pattern_covers("chat.>", "chat.*"));
    assert_true(broker_pattern_covers("chat.>", "chat.a.>"));
    assert_true(broker_pattern_covers("chat.>", "chat.room1"));
    assert_false(broker_pattern_covers("chat.>", "chat"));
    assert_true(broker_pattern_covers("chat.*", "chat.room1"));
    assert_false(broker_pattern_covers("chat.*", "chat.>"));
    assert_false(broker_pattern_covers("chat.room1", "chat.*"));
    assert_true(broker_pattern_covers(">", ">"));
    assert_false(broker_pattern_covers("*", ">"));
    assert_false(broker_pattern_covers("a.*", "a.*.b"));
    assert_false(broker_pattern_covers("a", "a\x01"));    /* invalid pattern: false */
    assert_false(broker_pattern_covers(NULL, "a"));
    /* full lengths: a 127-token-prefix never covers a longer subject */
    char g[200], w[200];
    memset(g, 'k', 127);
    g[127] = 0;
    memcpy(w, g, 127);
    w[127] = 'x';
    w[128] = 0;
    assert_false(broker_pattern_covers(g, w));
    assert_false(broker_subject_matches(g, w));
}

/* Every pattern of up to 3 tokens over {a, b, *, >} against every other: covers(g, w) must hold exactly when
 * every subject (up to 5 tokens over {a, b, c}) that w matches is matched by g. */
static void build(char *out, const int *tok, int n, const char *const *alpha) {
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (i) strcat(out, ".");
        strcat(out, alpha[tok[i]]);
    }
}

static void test_covers_vs_brute_force(void **state) {
    (void)state;
    static const char *const pat_alpha[] = {"a", "b", "*", ">"};
    static const char *const sub_alpha[] = {"a", "b", "c"};
    char pats[64][8];
    int np = 0;
    for (int n = 1; n <= 3; n++) {
        int total = 1;
        for (int i = 0; i < n; i++) total *= 4;
        for (int k = 0; k < total; k++) {
            int tok[3], x = k, ok = 1;
            for (int i = 0; i < n; i++, x /= 4) tok[i] = x % 4;
            for (int i = 0; i + 1 < n; i++)
                if (tok[i] == 3) ok = 0; /* '>' only last */
            if (ok) build(pats[np++], tok, n, pat_alpha);
        }
    }
    assert_int_equal(np, 52);
    static char subs[400][12];
    int ns = 0;
    for (int n = 1; n <= 5; n++) {
        int total = 1;
        for (int i = 0; i < n; i++) total *= 3;
        for (int k = 0; k < total; k++) {
            int tok[5], x = k;
            for (int i = 0; i < n; i++, x /= 3) tok[i] = x % 3;
            build(subs[ns++], tok, n, sub_alpha);
        }
    }
    for (int gi = 0; gi < np; gi++)
        for (int wi = 0; wi < np; wi++) {
            bool implied = true;
            for (int si = 0; si < ns && implied; si++)
                if (broker_subject_matches(pats[wi], subs[si]) && !broker_subject_matches(pats[gi], subs[si]))
                    implied = false;
            if (broker_pattern_covers(pats[gi], pats[wi]) != implied)
                fail_msg("covers(%s, %s) should be %d", pats[gi], pats[wi], implied);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject_syntax),
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_star_one_token),
        cmocka_unit_test(test_gt_one_or_more),
        cmocka_unit_test(test_star_middle),
        cmocka_unit_test(test_dedup_and_cap),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_unsubscribe),
        cmocka_unit_test(test_unsubscribe_all),
        cmocka_unit_test(test_match_all),
        cmocka_unit_test(test_many_vs_brute_force),
        cmocka_unit_test(test_concurrency),
        cmocka_unit_test(test_subject_matches_and_covers_table),
        cmocka_unit_test(test_covers_vs_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
