/*
 * tree.c — the `supervisor:` key: the supervision tree (OTP design principles, "Supervisor Behaviour"):
 * strategies, intensity / period, backoff, children with restart types, shutdown and health checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/internal.h"

typedef struct tree {
    const ctx *c;
    manifest *m;
    int *placed_line;                 /* per component: line of the child that placed it, 0 = not placed */
    const manifest_supervisor **sups; /* every supervisor named so far, for duplicate checks */
    size_t nsups, capsups;
    mf_names sup_names;               /* name -> index in sups */
} tree;

/* Checks a supervisor name against reserved names, components and earlier supervisors, and records it. */
static int claim_sup_name(tree *t, manifest_supervisor *sup, pos at) {
    const ctx *c = t->c;
    if (strlen(sup->name) > MANIFEST_MAX_NAME)
        return mf_fail(c, at, "supervisor name '%s' is longer than %u bytes", MF_SHOW(sup->name, strlen(sup->name)),
                       MANIFEST_MAX_NAME);
    if (strcmp(sup->name, "host") == 0 || sup->name[0] == '#')
        return mf_fail(c, at, "supervisor name '%s' is reserved ('host' and '#<pid>' are addresses)", sup->name);
    size_t i;
    if (mf_names_get(c->components, sup->name, &i))
        return mf_fail(c, at, "supervisor name '%s' clashes with the component declared on line %d",
                       sup->name, t->m->components[i].line);
    if (mf_names_get(&t->sup_names, sup->name, &i))
        return mf_fail(c, at, "duplicate supervisor name '%s' (first declared on line %d)", sup->name,
                       t->sups[i]->line);
    if (t->nsups == t->capsups) {
        size_t cap = t->capsups ? t->capsups * 2 : 8;
        const manifest_supervisor **p = realloc(t->sups, cap * sizeof *p);
        if (p == NULL)
            return mf_fail_oom(c);
        t->sups = p;
        t->capsups = cap;
    }
    if (mf_names_put(&t->sup_names, sup->name, t->nsups) != 0)
        return mf_fail_oom(c);
    t->sups[t->nsups++] = sup;
    return 0;
}

static int parse_backoff(const ctx *c, mf_node *v, pos at, manifest_supervisor *sup) {
    if (!mf_is_map(v) || mf_is_null(v))
        return mf_fail(c, mf_node_pos(v, at), "'backoff' must be a mapping with 'initial_ms', not %s", mf_kind_name(v));
    bool have_initial = false, have_max = false;
    pos max_at = at;
    size_t it = 0;
    sup->backoff_multiplier = MANIFEST_DEFAULT_BACKOFF_MULT;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, v, at, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, "initial_ms")) {
            if (mf_get_uint_range(c, e.val, e.vat, "initial_ms", 1, MANIFEST_MAX_MS, &sup->backoff_initial_ms) != 0)
                return -1;
            have_initial = true;
        } else if (mf_key_is(e.key, e.klen, "max_ms")) {
            if (mf_get_uint_range(c, e.val, e.vat, "max_ms", 1, MANIFEST_MAX_MS, &sup->backoff_max_ms) != 0)
                return -1;
            have_max = true;
            max_at = e.vat;
        } else if (mf_key_is(e.key, e.klen, "multiplier")) {
            double d = 0;
            if (mf_get_double(c, e.val, e.vat, "multiplier", &d) != 0)
                return -1;
            if (!(d >= 1.0))
                return mf_fail(c, e.vat, "'multiplier' must be at least 1 (got %g)", d);
            if (!(d <= MANIFEST_MAX_MULTIPLIER))
                return mf_fail(c, e.vat, "'multiplier' is out of range: %g (maximum %g)", d, MANIFEST_MAX_MULTIPLIER);
            sup->backoff_multiplier = d;
        } else {
            return mf_fail(c, e.kat, "unknown key '%s' in backoff (expected initial_ms, multiplier, max_ms)",
                        MF_SHOW(e.key, e.klen));
        }
    }
    if (more < 0)
        return -1;
    if (!have_initial)
        return mf_fail(c, mf_node_pos(v, at), "'backoff' is missing required key 'initial_ms'");
    if (!have_max) {
        sup->backoff_max_ms = MANIFEST_DEFAULT_BACKOFF_MAX_MS;
        if (sup->backoff_max_ms < sup->backoff_initial_ms)
            sup->backoff_max_ms = sup->backoff_initial_ms;
    } else if (sup->backoff_max_ms < sup->backoff_initial_ms) {
        return mf_fail(c, max_at, "backoff 'max_ms' (%u) is less than 'initial_ms' (%u)", sup->backoff_max_ms,
                    sup->backoff_initial_ms);
    }
    return 0;
}

static int parse_health(const ctx *c, mf_node *v, pos at, manifest_child *ch) {
    if (!mf_is_map(v) || mf_is_null(v))
        return mf_fail(c, mf_node_pos(v, at), "'health' must be a mapping with 'interval_ms', not %s", mf_kind_name(v));
    bool have_timeout = false, have_threshold = false;
    size_t it = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, v, at, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, "interval_ms")) {
            if (mf_get_uint_range(c, e.val, e.vat, "interval_ms", 1, MANIFEST_MAX_MS, &ch->health_interval_ms) != 0)
                return -1;
        } else if (mf_key_is(e.key, e.klen, "timeout_ms")) {
            if (mf_get_uint_range(c, e.val, e.vat, "timeout_ms", 1, MANIFEST_MAX_MS, &ch->health_timeout_ms) != 0)
                return -1;
            have_timeout = true;
        } else if (mf_key_is(e.key, e.klen, "threshold")) {
            if (mf_get_uint_range(c, e.val, e.vat, "threshold", 1, MANIFEST_MAX_THRESHOLD, &ch->health_threshold) != 0)
                return -1;
            have_threshold = true;
        } else {
            return mf_fail(c, e.kat, "unknown key '%s' in health (expected interval_ms, timeout_ms, threshold)",
                        MF_SHOW(e.key, e.klen));
        }
    }
    if (more < 0)
        return -1;
    if (ch->health_interval_ms == 0)
        return mf_fail(c, mf_node_pos(v, at), "'health' is missing required key 'interval_ms'");
    if (!have_timeout)
        ch->health_timeout_ms = ch->health_interval_ms < WACTOR_DEFAULT_HEALTH_TIMEOUT_MS
                                    ? ch->health_interval_ms
                                    : WACTOR_DEFAULT_HEALTH_TIMEOUT_MS;
    if (!have_threshold)
        ch->health_threshold = WACTOR_DEFAULT_HEALTH_THRESHOLD;
    return 0;
}

/* `shutdown: brutal_kill | infinity | <ms>` or `shutdown_ms: <ms>`. */
static int parse_shutdown(const ctx *c, mf_node *v, pos at, bool word_allowed, int *out) {
    const char *what = word_allowed ? "shutdown" : "shutdown_ms";
    if (word_allowed && mf_is_scalar(v) && !mf_is_null(v)) {
        size_t len;
        const char *s = mf_scalar(v, &len);
        if (s != NULL && mf_key_is(s, len, "brutal_kill")) {
            *out = WACTOR_BRUTAL_KILL;
            return 0;
        }
        if (s != NULL && mf_key_is(s, len, "infinity")) {
            *out = WACTOR_INFINITY;
            return 0;
        }
        if (s == NULL || len == 0 || !((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+') ||
            !mf_is_plain(v))
            return mf_fail(c, at, "unknown shutdown '%s' (expected brutal_kill, infinity or milliseconds)",
                        MF_SHOW(s ? s : "", s ? len : 0));
    }
    uint64_t ms;
    if (mf_get_uint(c, v, at, what, MANIFEST_MAX_MS, &ms) != 0)
        return -1;
    if (ms == 0)
        return mf_fail(c, at, "'%s' must be at least 1 (use 'shutdown: brutal_kill' to kill at once)", what);
    *out = (int)ms;
    return 0;
}

static int parse_supervisor(tree *t, mf_node *v, pos at, int depth, manifest_supervisor *sup);

/* A host actor child: `host: KIND` with optional `name:` (its registered name; default the kind) and
 * `capabilities:` (as a component's). Its name is checked like a supervisor's: not reserved, no clash with a
 * component or a supervisor. That the kind is registered is the runtime's check, when the tree starts. */
static int parse_host_child(tree *t, manifest_child *ch, pos at, mf_node *host, pos host_at, mf_node *hname,
                            pos hname_at, mf_node *hcaps, pos hcaps_at, bool other_kind, int shutdown,
                            mf_node *health, pos health_at) {
    const ctx *c = t->c;
    if (other_kind)
        return mf_fail(c, at, "a child has 'host' and also 'component' or 'supervisor'; give one");
    if (mf_get_string(c, host, host_at, "host", &ch->host_kind) != 0)
        return -1;
    if (strlen(ch->host_kind) > MANIFEST_MAX_NAME)
        return mf_fail(c, host_at, "host kind '%s' is longer than %u bytes",
                       MF_SHOW(ch->host_kind, strlen(ch->host_kind)), MANIFEST_MAX_NAME);
    if (hname && mf_get_string(c, hname, hname_at, "name", &ch->host_name) != 0)
        return -1;
    const char *name = ch->host_name ? ch->host_name : ch->host_kind;
    pos name_at = ch->host_name ? hname_at : host_at;
    if (strlen(name) > MANIFEST_MAX_NAME)
        return mf_fail(c, name_at, "host actor name '%s' is longer than %u bytes", MF_SHOW(name, strlen(name)),
                       MANIFEST_MAX_NAME);
    if (strcmp(name, "host") == 0 || name[0] == '#')
        return mf_fail(c, name_at, "host actor name '%s' is reserved ('host' and '#<pid>' are addresses)", name);
    size_t i;
    if (mf_names_get(c->components, name, &i))
        return mf_fail(c, name_at, "host actor name '%s' clashes with the component declared on line %d", name,
                       t->m->components[i].line);
    if (mf_names_get(&t->sup_names, name, &i))
        return mf_fail(c, name_at, "host actor name '%s' clashes with the supervisor declared on line %d", name,
                       t->sups[i]->line);
    if (hcaps && mf_parse_caps(c, hcaps, hcaps_at, &ch->host_caps) != 0)
        return -1;
    ch->shutdown_ms = shutdown;
    if (!mf_is_null(health) && parse_health(c, health, health_at, ch) != 0)
        return -1;
    return 0;
}

static int parse_child(tree *t, mf_node *entry, pos at, int depth, manifest_child *ch) {
    const ctx *c = t->c;
    at = mf_node_pos(entry, at);
    ch->line = at.line;
    ch->restart = WACTOR_PERMANENT;
    if (!mf_is_map(entry) || mf_is_null(entry))
        return mf_fail(c, at, "a child must be a mapping with 'component' or 'supervisor', not %s", mf_kind_name(entry));
    mf_node *comp = NULL, *sub = NULL, *health = NULL, *host = NULL, *hname = NULL, *hcaps = NULL;
    pos comp_at = at, sub_at = at, health_at = at, host_at = at, hname_at = at, hcaps_at = at;
    bool have_comp = false, have_sub = false, have_shutdown = false, have_host = false;
    const char *shutdown_key = NULL;
    size_t it = 0;
    int shutdown = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, entry, at, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, "component")) {
            comp = e.val, comp_at = e.vat, have_comp = true;
        } else if (mf_key_is(e.key, e.klen, "supervisor")) {
            sub = e.val, sub_at = e.kat, have_sub = true;
        } else if (mf_key_is(e.key, e.klen, "restart")) {
            static const char *const names[] = {"permanent", "transient", "temporary"};
            static const wactor_restart vals[] = {WACTOR_PERMANENT, WACTOR_TRANSIENT, WACTOR_TEMPORARY};
            int i;
            if (mf_get_word(c, e.val, e.vat, "restart", names, 3, "permanent, transient, temporary", &i) != 0)
                return -1;
            ch->restart = vals[i];
        } else if (mf_key_is(e.key, e.klen, "shutdown") || mf_key_is(e.key, e.klen, "shutdown_ms")) {
            bool word = mf_key_is(e.key, e.klen, "shutdown");
            if (have_shutdown)
                return mf_fail(c, e.kat, "child has both '%s' and '%s'; give one", shutdown_key,
                            word ? "shutdown" : "shutdown_ms");
            shutdown_key = word ? "shutdown" : "shutdown_ms";
            if (parse_shutdown(c, e.val, e.vat, word, &shutdown) != 0)
                return -1;
            have_shutdown = true;
        } else if (mf_key_is(e.key, e.klen, "health")) {
            health = e.val, health_at = e.kat;
        } else if (mf_key_is(e.key, e.klen, "host")) {
            host = e.val, host_at = e.vat, have_host = true;
        } else if (mf_key_is(e.key, e.klen, "name")) {
            hname = e.val, hname_at = e.vat;
        } else if (mf_key_is(e.key, e.klen, "capabilities")) {
            hcaps = e.val, hcaps_at = e.kat;
        } else {
            return mf_fail(c, e.kat,
                        "unknown key '%s' in child (expected component, supervisor, host, restart, shutdown, "
                        "shutdown_ms, health; name and capabilities with host)", MF_SHOW(e.key, e.klen));
        }
    }
    if (more < 0)
        return -1;
    if (have_host)
        return parse_host_child(t, ch, at, host, host_at, hname, hname_at, hcaps, hcaps_at, have_comp || have_sub,
                                have_shutdown ? shutdown : WACTOR_DEFAULT_SHUTDOWN_MS, health, health_at);
    if (hname || hcaps)
        return mf_fail(c, hname ? hname_at : hcaps_at, "'%s' applies to host actor children only (a component's "
                       "name and capabilities are given under components:)", hname ? "name" : "capabilities");
    if (have_comp && have_sub)
        return mf_fail(c, at, "a child has both 'component' and 'supervisor'; give one");
    if (!have_comp && !have_sub)
        return mf_fail(c, at, "a child needs 'component' (a component name) or 'supervisor' (a mapping)");
    if (have_comp) {
        char *name = NULL;
        if (mf_get_string(c, comp, comp_at, "component", &name) != 0)
            return -1;
        size_t idx = SIZE_MAX;
        if (!mf_names_get(c->components, name, &idx))
            idx = SIZE_MAX;
        int rc = 0;
        if (idx == SIZE_MAX)
            rc = mf_fail(c, comp_at, "child component '%s' names no declared component", name);
        else if (t->placed_line[idx] != 0)
            rc = mf_fail(c, comp_at, "component '%s' is placed in the supervision tree twice (first on line %d)",
                      name, t->placed_line[idx]);
        free(name);
        if (rc != 0)
            return -1;
        t->placed_line[idx] = ch->line;
        t->m->components[idx].in_tree = true;
        ch->component = idx;
        ch->shutdown_ms = have_shutdown ? shutdown : WACTOR_DEFAULT_SHUTDOWN_MS;
        if (!mf_is_null(health) && parse_health(c, health, health_at, ch) != 0)
            return -1;
        return 0;
    }
    if (!mf_is_null(health))
        return mf_fail(c, health_at, "'health' applies to component children only, not to a supervisor");
    ch->is_supervisor = true;
    ch->shutdown_ms = have_shutdown ? shutdown : WACTOR_INFINITY;
    ch->supervisor = calloc(1, sizeof *ch->supervisor);
    if (ch->supervisor == NULL)
        return mf_fail_oom(c);
    return parse_supervisor(t, sub, sub_at, depth + 1, ch->supervisor);
}

static int parse_supervisor(tree *t, mf_node *v, pos at, int depth, manifest_supervisor *sup) {
    const ctx *c = t->c;
    at = mf_node_pos(v, at);
    sup->line = at.line;
    sup->strategy = WACTOR_ONE_FOR_ONE;
    sup->intensity = WACTOR_DEFAULT_INTENSITY;
    sup->period_ms = WACTOR_DEFAULT_PERIOD_MS;
    sup->backoff_multiplier = 1.0;
    if (!mf_is_map(v) || mf_is_null(v))
        return mf_fail(c, at, "'supervisor' must be a mapping with 'name' and 'children', not %s", mf_kind_name(v));
    if (depth > MANIFEST_MAX_TREE_DEPTH)
        return mf_fail(c, at, "supervisors are nested more than %d levels deep", MANIFEST_MAX_TREE_DEPTH);

    /* The name first, so that duplicates are reported at the later supervisor in file order. */
    size_t it = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, v, at, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, "name")) {
            if (mf_get_string(c, e.val, e.vat, "name", &sup->name) != 0 || claim_sup_name(t, sup, e.vat) != 0)
                return -1;
        }
    }
    if (more < 0)
        return -1;
    if (sup->name == NULL)
        return mf_fail(c, at, "supervisor is missing required key 'name'");

    mf_node *children = NULL;
    pos children_at = at;
    bool have_children = false;
    it = 0;
    while ((more = mf_map_entry(c, v, at, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, "name")) {
            continue;
        } else if (mf_key_is(e.key, e.klen, "strategy")) {
            static const char *const names[] = {"one_for_one", "one_for_all", "rest_for_one",
                                                "simple_one_for_one"};
            static const wactor_strategy vals[] = {WACTOR_ONE_FOR_ONE, WACTOR_ONE_FOR_ALL, WACTOR_REST_FOR_ONE,
                                                WACTOR_SIMPLE_ONE_FOR_ONE};
            int i;
            if (mf_get_word(c, e.val, e.vat, "strategy", names, 4,
                         "one_for_one, one_for_all, rest_for_one, simple_one_for_one", &i) != 0)
                return -1;
            sup->strategy = vals[i];
        } else if (mf_key_is(e.key, e.klen, "intensity")) {
            if (mf_get_uint_range(c, e.val, e.vat, "intensity", 0, MANIFEST_MAX_INTENSITY, &sup->intensity) != 0)
                return -1;
            sup->intensity_given = true;
        } else if (mf_key_is(e.key, e.klen, "period_ms")) {
            if (mf_get_uint_range(c, e.val, e.vat, "period_ms", 1, MANIFEST_MAX_MS, &sup->period_ms) != 0)
                return -1;
        } else if (mf_key_is(e.key, e.klen, "backoff")) {
            if (!mf_is_null(e.val) && parse_backoff(c, e.val, e.kat, sup) != 0)
                return -1;
        } else if (mf_key_is(e.key, e.klen, "children")) {
            children = e.val, children_at = e.kat, have_children = true;
        } else {
            return mf_fail(c, e.kat,
                        "unknown key '%s' in supervisor (expected name, strategy, intensity, period_ms, "
                        "backoff, children)", MF_SHOW(e.key, e.klen));
        }
    }
    if (more < 0)
        return -1;
    if (!have_children)
        return mf_fail(c, at, "supervisor '%s' is missing required key 'children'", sup->name);
    int count = 0;
    if (!mf_is_null(children)) {
        if (!mf_is_seq(children))
            return mf_fail(c, mf_node_pos(children, children_at), "'children' must be a list of children, not %s",
                        mf_kind_name(children));
        count = mf_count(children);
    }
    if (sup->strategy == WACTOR_SIMPLE_ONE_FOR_ONE && count != 1)
        return mf_fail(c, children_at,
                    "simple_one_for_one supervisor '%s' needs exactly one child (the template), not %d",
                    sup->name, count < 0 ? 0 : count);
    if (count <= 0)
        return 0;
    sup->children = calloc((size_t)count, sizeof *sup->children);
    if (sup->children == NULL)
        return mf_fail_oom(c);
    it = 0;
    mf_node *entry;
    while ((entry = mf_seq_next(children, &it)) != NULL && sup->nchildren < (size_t)count) {
        manifest_child *ch = &sup->children[sup->nchildren++]; /* counted first: freed even if half-parsed */
        if (parse_child(t, entry, children_at, depth, ch) != 0)
            return -1;
        if (sup->strategy == WACTOR_SIMPLE_ONE_FOR_ONE && ch->host_kind)
            return mf_fail(c, (pos){ch->line, 0},
                        "the child of simple_one_for_one supervisor '%s' must be a component (the template), "
                        "not a host actor", sup->name);
        if (sup->strategy == WACTOR_SIMPLE_ONE_FOR_ONE && ch->is_supervisor)
            return mf_fail(c, (pos){ch->line, 0},
                        "the child of simple_one_for_one supervisor '%s' must be a component (the template), "
                        "not a supervisor", sup->name);
    }
    return 0;
}

int mf_parse_tree(const ctx *c, mf_node *v, pos at, manifest *m) {
    if (mf_is_null(v))
        return 0;
    tree t = {.c = c, .m = m};
    t.placed_line = calloc(m->ncomponents, sizeof *t.placed_line);
    m->supervisor = calloc(1, sizeof *m->supervisor);
    int rc;
    if (t.placed_line == NULL || m->supervisor == NULL)
        rc = mf_fail_oom(c);
    else
        rc = parse_supervisor(&t, v, at, 1, m->supervisor);
    free(t.placed_line);
    free(t.sups);
    mf_names_free(&t.sup_names);
    return rc;
}

void mf_free_supervisor(manifest_supervisor *s) {
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nchildren; i++) {
        mf_free_supervisor(s->children[i].supervisor);
        free(s->children[i].host_kind);
        free(s->children[i].host_name);
        mf_free_caps(&s->children[i].host_caps);
    }
    free(s->children);
    free(s->name);
    free(s);
}

