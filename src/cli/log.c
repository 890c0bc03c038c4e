/* log.c — see log.h. */
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/log.h"
#include "common/escape.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int cli_log_option(int argc, char **argv, int *i, cli_log_opts *o, char *err, size_t errlen) {
    static const char *const names[] = {"--log-level", "--log-format"};
    const char *arg = argv[*i];
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(names[k]);
        if (strncmp(arg, names[k], n) != 0 || (arg[n] != '=' && arg[n] != 0)) continue;
        const char *v = arg[n] == '=' ? arg + n + 1 : *i + 1 < argc ? argv[*i + 1] : NULL;
        wactor_log_level level;
        if (k == 0 && v && wactor_log_level_parse(v, &level) == WACTOR_OK) {
            o->level = level;
            o->level_set = true;
        } else if (k == 1 && v && (strcmp(v, "text") == 0 || strcmp(v, "json") == 0)) {
            o->format = strcmp(v, "json") == 0 ? CLI_LOG_JSON : CLI_LOG_TEXT;
            o->format_set = true;
        } else {
            char shown[64];
            escape_to(shown, sizeof shown, v ? v : "", v ? strlen(v) : 0);
            set_err(err, errlen, "wactor run: %s needs one of %s, not '%s'", names[k],
                    k == 0 ? "trace, debug, info, warn, error" : "text, json", v ? shown : "");
            return -1;
        }
        if (arg[n] == 0) ++*i; /* the value was the next argument */
        return 1;
    }
    return 0;
}

void cli_log_init(cli_log *l, const cli_log_opts *cli, wactor_log_level manifest_level,
                  cli_log_format manifest_format, pthread_mutex_t *lock) {
    l->level = cli && cli->level_set ? cli->level : manifest_level;
    l->format = cli && cli->format_set ? cli->format : manifest_format;
    l->out = stderr;
    l->lock = lock;
}

void cli_log_timestamp(char *buf, size_t cap) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left; Unicode Standard table 3-7), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    if (c < 0xc2 || c > 0xf4) return 0;
    size_t need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (n < need) return 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c == 0xe0) lo = 0xa0;      /* overlong */
    else if (c == 0xed) hi = 0x9f; /* surrogates */
    else if (c == 0xf0) lo = 0x90; /* overlong */
    else if (c == 0xf4) hi = 0x8f; /* > U+10FFFF */
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < need; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return need;
}

/* `len` bytes of `text` as a JSON string: well-formed UTF-8 kept, every other byte U+FFFD (NULs kept: jansson
 * writes them as \u0000). NULL without memory. */
static json_t *json_text(const char *text, size_t len) {
    if (len > (SIZE_MAX - 1) / 3) return NULL;
    unsigned char *buf = malloc(len * 3 + 1), *p = buf;
    if (!buf) return NULL;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_seq(s + i, len - i);
        if (k) {
            memcpy(p, s + i, k);
            p += k, i += k;
        } else {
            *p++ = 0xef, *p++ = 0xbf, *p++ = 0xbd; /* U+FFFD REPLACEMENT CHARACTER */
            i++;
        }
    }
    json_t *j = json_stringn((const char *)buf, (size_t)(p - buf));
    free(buf);
    return j;
}

static void write_json(cli_log *l, const char *ts, wactor_log_level level, const char *name, const char *line,
                       size_t len) {
    json_t *o = json_object();
    char *text = NULL;
    if (o && json_object_set_new(o, "ts", json_string(ts)) == 0 &&
        json_object_set_new(o, "level", json_string(wactor_log_level_name(level))) == 0 &&
        json_object_set_new(o, "component", json_text(name, strlen(name))) == 0 &&
        json_object_set_new(o, "msg", json_text(line, len)) == 0)
        text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (text) {
        fputs(text, l->out);
        fputc('\n', l->out);
    } else { /* out of memory: the record is still announced, as valid JSON */
        fprintf(l->out, "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":\"\",\"msg\":\"(out of memory: a %zu-byte "
                "record was not written)\"}\n", ts, wactor_log_level_name(level), len);
    }
    free(text);
}

static void write_text(cli_log *l, const char *ts, wactor_log_level level, const char *name, const char *line,
                       size_t len) {
    static const char *const labels[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR"};
    int i = (int)level - (int)WACTOR_LOG_TRACE;
    fprintf(l->out, "%s %s [", ts, i >= 0 && i < 5 ? labels[i] : "?????");
    escape_write(l->out, name, strlen(name));
    fputs("] ", l->out);
    escape_write(l->out, line, len);
    fputc('\n', l->out);
}

void cli_log_record(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    cli_log *l = user;
    if (level < l->level) return;
    if (l->lock) pthread_mutex_lock(l->lock);
    char ts[32];
    cli_log_timestamp(ts, sizeof ts); /* under the lock: lines come out in time order */
    if (l->format == CLI_LOG_JSON) write_json(l, ts, level, name ? name : "", line, len);
    else write_text(l, ts, level, name ? name : "", line, len);
    fflush(l->out);
    if (l->lock) pthread_mutex_unlock(l->lock);
}
