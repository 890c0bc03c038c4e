/*
 * log.c — the manifest's `log:` section: how `wactor run` writes log records (docs/ARCHITECTURE.md, "Logs").
 *
 *     log:
 *       level: info      # trace | debug | info | warn | error (default info): the least level written
 *       format: text     # text | json (default text)
 *
 * Both keys are optional; `log:` with no value is the defaults. The command line's --log-level /
 * --log-format override them.
 */
#include "manifest/internal.h"

static const char *const LEVELS[] = {"trace", "debug", "info", "warn", "error"};
static const char *const FORMATS[] = {"text", "json"};

int mf_parse_log(const ctx *c, mf_node *v, pos at, manifest_log *out) {
    *out = (manifest_log){.level = WACTOR_LOG_INFO, .format = MANIFEST_LOG_TEXT};
    if (mf_is_null(v))
        return 0;
    if (!mf_is_map(v))
        return mf_fail(c, mf_node_pos(v, at), "'log' must be a mapping with 'level' and/or 'format', not %s",
                       mf_kind_name(v));
    size_t it = 0;
    mf_entry e;
    int more, word;
    while ((more = mf_map_entry(c, v, at, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, "level")) {
            if (mf_get_word(c, e.val, e.vat, "log level", LEVELS, 5, "trace, debug, info, warn, error", &word) != 0)
                return -1;
            out->level = (wactor_log_level)(word + (int)WACTOR_LOG_TRACE);
            out->level_given = true;
        } else if (mf_key_is(e.key, e.klen, "format")) {
            if (mf_get_word(c, e.val, e.vat, "log format", FORMATS, 2, "text, json", &word) != 0)
                return -1;
            out->format = word ? MANIFEST_LOG_JSON : MANIFEST_LOG_TEXT;
            out->format_given = true;
        } else {
            return mf_fail(c, e.kat, "unknown key '%s' in log (expected level, format)", MF_SHOW(e.key, e.klen));
        }
    }
    return more < 0 ? -1 : 0;
}
