/*
 * manifest.c — the entry points: read a file, parse its text into a document (document.c, libyaml), check
 * the top-level keys, and free a manifest. The sections are parsed by the other files of this folder (internal.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/internal.h"

/* `version:` — a plain integer; only MANIFEST_VERSION is known. */
static int parse_version(const ctx *c, mf_node *v, pos at, manifest *m) {
    ctx quiet = *c; /* mf_get_uint's own message is replaced by one that says which version is read */
    quiet.err = NULL;
    quiet.errlen = 0;
    uint64_t n = 0;
    if (mf_get_uint(&quiet, v, at, "version", UINT32_MAX, &n) != 0) {
        size_t len = 0;
        const char *text = mf_is_scalar(v) ? mf_scalar(v, &len) : NULL;
        return mf_fail(c, mf_node_pos(v, at),
                       "'version' must be a plain integer (this wactor reads version %d), not %s%s%s",
                       MANIFEST_VERSION, text ? "'" : "", text ? MF_SHOW(text, len) : mf_kind_name(v),
                       text ? "'" : "");
    }
    if (n != MANIFEST_VERSION)
        return mf_fail(c, mf_node_pos(v, at),
                       "unsupported manifest version %llu (this wactor reads version %d)", (unsigned long long)n,
                       MANIFEST_VERSION);
    m->version = (int)n;
    return 0;
}

static int parse_document(const ctx *c, const mf_doc *doc, const char *base, manifest *m) {
    mf_node *root = mf_doc_root(doc);
    pos top = {1, 1};
    if (root == NULL || mf_is_null(root))
        return mf_fail(c, top, "the manifest is empty (expected a mapping with 'components')");
    if (!mf_is_map(root))
        return mf_fail(c, mf_node_pos(root, top), "the manifest must be a mapping with 'components', not %s",
                    mf_kind_name(root));
    mf_node *components = NULL, *send = NULL, *publish = NULL, *supervisor = NULL, *log = NULL;
    pos components_at = top, send_at = top, publish_at = top, supervisor_at = top, log_at = top;
    bool have_components = false;
    size_t it = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, root, top, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, "components")) {
            components = e.val;
            components_at = e.kat;
            have_components = true;
        } else if (mf_key_is(e.key, e.klen, "send")) {
            send = e.val;
            send_at = e.kat;
        } else if (mf_key_is(e.key, e.klen, "publish")) {
            publish = e.val;
            publish_at = e.kat;
        } else if (mf_key_is(e.key, e.klen, "supervisor")) {
            supervisor = e.val;
            supervisor_at = e.kat;
        } else if (mf_key_is(e.key, e.klen, "http")) {
            if (mf_parse_http(c, e.val, e.kat, base, &m->http) != 0)
                return -1;
        } else if (mf_key_is(e.key, e.klen, "log")) {
            log = e.val;
            log_at = e.kat;
        } else if (mf_key_is(e.key, e.klen, "version")) {
            if (parse_version(c, e.val, e.vat, m) != 0)
                return -1;
        } else {
            return mf_fail(c, e.kat,
                        "unknown key '%s' at top level (expected version, components, supervisor, send, publish, log, http)",
                        MF_SHOW(e.key, e.klen));
        }
    }
    if (more < 0)
        return -1;
    if (!have_components)
        return mf_fail(c, top, "the manifest is missing required key 'components'");
    if (mf_parse_components(c, components, components_at, base, m) != 0 || mf_parse_log(c, log, log_at, &m->log) != 0)
        return -1;
    if (mf_parse_sends(c, send, send_at, m) != 0 || mf_parse_publishes(c, publish, publish_at, m) != 0)
        return -1;
    if (mf_parse_tree(c, supervisor, supervisor_at, m) != 0)
        return -1;
    return mf_check_refs(c, m);
}

int manifest_parse(const char *text, size_t len, const char *path, manifest **out, char *err,
                   size_t errlen) {
    mf_names components = {0};
    mf_refs refs = {0};
    ctx c = {path ? path : "<string>", err, errlen, &components, &refs, NULL};
    if (err && errlen)
        err[0] = '\0';
    if (out == NULL || text == NULL)
        return mf_fail(&c, (pos){0, 0}, "invalid argument");
    *out = NULL;

    manifest *m = calloc(1, sizeof *m);
    if (m == NULL)
        return mf_fail_oom(&c);
    if (path && (m->path = strdup(path)) == NULL) {
        free(m);
        return mf_fail_oom(&c);
    }

    m->version = MANIFEST_VERSION;
    c.out = m;
    mf_doc *doc = NULL;
    int rc = mf_doc_parse(&c, text, len, &doc);
    if (rc == 0)
        rc = parse_document(&c, doc, path, m);
    mf_doc_free(doc);
    mf_names_free(&components);
    mf_refs_free(&refs);
    if (rc != 0) {
        manifest_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

int manifest_load(const char *path, manifest **out, char *err, size_t errlen) {
    if (err && errlen)
        err[0] = '\0';
    if (path == NULL || out == NULL) {
        if (err && errlen)
            snprintf(err, errlen, "<manifest>: invalid argument");
        return -1;
    }
    *out = NULL;
    char reason[128];
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (strerror_r(errno, reason, sizeof reason) != 0)
            snprintf(reason, sizeof reason, "error %d", errno);
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read: %s", path, reason);
        return -1;
    }
    buf b = {0};
    uint8_t chunk[8192];
    size_t n;
    bool too_big = false, oom = false;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > MANIFEST_MAX_BYTES) {
            too_big = true;
            break;
        }
        if (!mf_buf_put(&b, chunk, n)) {
            oom = true;
            break;
        }
    }
    int read_errno = ferror(f) ? errno : 0;
    bool read_failed = ferror(f) != 0;
    fclose(f);
    if (read_failed || too_big || oom) {
        if (too_big)
            snprintf(reason, sizeof reason, "larger than %u bytes", MANIFEST_MAX_BYTES);
        else if (oom)
            snprintf(reason, sizeof reason, "out of memory");
        else if (read_errno == 0 || strerror_r(read_errno, reason, sizeof reason) != 0)
            snprintf(reason, sizeof reason, "read error");
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read: %s", path, reason);
        free(b.p);
        return -1;
    }
    int rc = manifest_parse(b.p ? (const char *)b.p : "", b.len, path, out, err, errlen);
    free(b.p);
    return rc;
}

void manifest_free(manifest *m) {
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->ncomponents; i++)
        mf_free_component(&m->components[i]);
    free(m->components);
    mf_free_messages(m->sends, m->nsends);
    mf_free_messages(m->publishes, m->npublishes);
    mf_free_supervisor(m->supervisor);
    mf_free_http(&m->http);
    mf_free_warnings(m);
    free(m->path);
    free(m);
}
