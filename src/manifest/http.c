/* http.c — the manifest's `http:` section: where the admin HTTP server listens and with what limits
 * (manifest.h documents the keys; docs/OPERATIONS.md the server). */
#include <stdlib.h>
#include <string.h>

#include "manifest/internal.h"

int manifest_split_listen(const char *text, char **host, uint16_t *port) {
    *host = NULL;
    const char *colon = text ? strrchr(text, ':') : NULL;
    if (!colon || colon == text || !colon[1] || strlen(colon + 1) > 5) return -1;
    for (const char *p = text; p < colon; p++)
        if (*p == ':' || (unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) return -1; /* IPv4 or a name */
    unsigned long v = 0;
    for (const char *p = colon + 1; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > 65535) return -1;
    size_t n = (size_t)(colon - text);
    *host = malloc(n + 1);
    if (!*host) return -1;
    memcpy(*host, text, n);
    (*host)[n] = 0;
    *port = (uint16_t)v;
    return 0;
}

int mf_parse_http(const ctx *c, mf_node *v, pos at, const char *base, manifest_http *h) {
    if (!mf_is_map(v))
        return mf_fail(c, mf_node_pos(v, at), "'http' must be a mapping with 'listen', not %s", mf_kind_name(v));
    h->present = true;
    h->line = mf_node_pos(v, at).line;
    bool have_listen = false;
    size_t it = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, v, at, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, "listen")) {
            char *text = NULL;
            if (mf_get_string(c, e.val, e.vat, "listen", &text) != 0) return -1;
            free(h->host);
            int rc = manifest_split_listen(text, &h->host, &h->port);
            if (rc != 0) {
                int r = mf_fail(c, e.vat, "'listen' must be HOST:PORT (e.g. 127.0.0.1:9100; port 0..65535), not '%s'",
                                MF_SHOW(text, strlen(text)));
                free(text);
                return r;
            }
            free(text);
            have_listen = true;
        } else if (mf_key_is(e.key, e.klen, "token_file")) {
            char *path = NULL;
            if (mf_get_string(c, e.val, e.vat, "token_file", &path) != 0) return -1;
            free(h->token_file);
            h->token_file = mf_resolve_path(base, path);
            free(path);
            if (!h->token_file) return mf_fail_oom(c);
        } else if (mf_key_is(e.key, e.klen, "max_body_bytes")) {
            if (mf_get_uint_range(c, e.val, e.vat, "max_body_bytes", 1, 16u << 20, &h->max_body_bytes) != 0) return -1;
        } else if (mf_key_is(e.key, e.klen, "max_connections")) {
            if (mf_get_uint_range(c, e.val, e.vat, "max_connections", 1, 1024, &h->max_connections) != 0) return -1;
        } else {
            return mf_fail(c, e.kat, "unknown key '%s' in 'http' (expected listen, token_file, max_body_bytes, "
                           "max_connections)", MF_SHOW(e.key, e.klen));
        }
    }
    if (more < 0) return -1;
    if (!have_listen) return mf_fail(c, mf_node_pos(v, at), "'http' needs 'listen: HOST:PORT'");
    return 0;
}

void mf_free_http(manifest_http *h) {
    free(h->host);
    free(h->token_file);
    memset(h, 0, sizeof *h);
}
