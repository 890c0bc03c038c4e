/* answer.c — admin answers: errors with their HTTP status, addresses, times, the process's RSS. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin/admin.h"

/* A JSON string of text that may not be UTF-8 (a guest's): kept if valid, else each byte >= 0x80 as \xHH. */
static json_t *safe_string(const char *s) {
    json_t *v = json_string(s);
    if (v) return v;
    char buf[1024];
    size_t i = 0;
    for (size_t k = 0; s[k] && i + 5 < sizeof buf; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c < 0x80) buf[i++] = (char)c;
        else i += (size_t)snprintf(buf + i, sizeof buf - i, "\\x%02x", c);
    }
    return json_stringn(buf, i);
}

admin_answer admin_error(int status, const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    json_t *o = json_object();
    if (o) json_object_set_new(o, "error", safe_string(text));
    return (admin_answer){o, status};
}

static int status_of(wactor_error err) {
    switch (err) {
    case WACTOR_OK: return 200;
    case WACTOR_EINVAL: case WACTOR_ECODEC: case WACTOR_EARITY: case WACTOR_ETYPE: return 400;
    case WACTOR_EPERM: return 403;
    case WACTOR_ENOENT: return 404;
    case WACTOR_EEXIST: case WACTOR_ESTATE: case WACTOR_ENOHANDLER: return 409;
    case WACTOR_ETOOBIG: return 413;
    case WACTOR_EFULL: case WACTOR_ELIMIT: return 503;
    case WACTOR_ETIMEDOUT: return 504;
    default: return 500;
    }
}

admin_answer admin_from_error(wactor_error err) { return admin_error(status_of(err), "%s", wactor_strerror(err)); }

/* docs/ABI.md "Addresses": "#" then 1..18446744073709551615 in decimal, no sign, no leading zero. */
static bool parse_pid(const char *t, size_t len, wactor_pid *out) {
    if (len < 2 || len > 21 || t[0] != '#' || t[1] < '1' || t[1] > '9') return false;
    uint64_t v = 0;
    for (size_t i = 1; i < len; i++) {
        if (t[i] < '0' || t[i] > '9') return false;
        unsigned d = (unsigned)(t[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

int admin_resolve(wactor_runtime *rt, const char *text, size_t len, wactor_pid *pid, admin_answer *err) {
    char shown[80];
    size_t n = len < 60 ? len : 60;
    memcpy(shown, text ? text : "", text ? n : 0);
    shown[text ? n : 0] = 0;
    for (size_t i = 0; shown[i]; i++)
        if ((unsigned char)shown[i] < 0x20) shown[i] = '?';
    if (!text || len == 0) {
        *err = admin_error(400, "an address is needed: a registered name or #pid");
        return -1;
    }
    if (text[0] == '#') {
        if (!parse_pid(text, len, pid)) {
            *err = admin_error(400, "malformed pid '%s%s': write # and the pid in decimal (e.g. #12), no sign, "
                               "no leading zero", shown, len > n ? "..." : "");
            return -1;
        }
        return 0;
    }
    if (len > 255 || memchr(text, 0, len)) {
        *err = admin_error(400, "malformed name '%s%s': 1 to 255 bytes, no NUL", shown, len > n ? "..." : "");
        return -1;
    }
    char name[256];
    memcpy(name, text, len);
    name[len] = 0;
    *pid = wactor_whereis(rt, name);
    if (!*pid) {
        *err = admin_error(404, "%s: nothing is registered as '%s'", wactor_strerror(WACTOR_ENOENT), shown);
        return -1;
    }
    return 0;
}

void admin_iso_time(uint64_t ns, char *buf, size_t cap) {
    time_t secs = (time_t)(ns / 1000000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[32];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, cap, "%s.%03uZ", day, (unsigned)(ns / 1000000u % 1000u));
}

uint64_t admin_rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long long size = 0, resident = 0;
    int got = fscanf(f, "%llu %llu", &size, &resident);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return got == 2 && page > 0 ? (uint64_t)resident * (uint64_t)page : 0;
}
