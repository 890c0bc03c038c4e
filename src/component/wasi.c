/*
 * wasi.c — a component's WASI preview1 configuration (wactor_wasi): the checked deep copy made at spawn,
 * and the per-instance eng_wasi built from it at start (preopened directories opened then, closed when the
 * component ends). Deny by default: without a wactor_wasi the guest has no arguments, no environment and
 * no directories. Reference: WASI preview1 (src/engine/wasi*.c), docs/ABI.md "WASI".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "component/internal.h"

static int bad(wactor_diag *diag, const char *fmt, const char *what, size_t i) {
    if (diag) {
        memset(diag, 0, sizeof *diag);
        snprintf(diag->message, sizeof diag->message, fmt, what, i);
    }
    return -EINVAL;
}

/* Checks `in` (non-NULL) and measures its strings: *bytes of args + env, *dir_bytes of dir paths, NULs
 * included. 0 or -EINVAL with diag. */
static int measure(const wactor_wasi *in, wactor_diag *diag, size_t *bytes_out, size_t *dir_bytes_out) {
    if (in->nargs > WACTOR_WASI_MAX_STRINGS || in->nenv > WACTOR_WASI_MAX_STRINGS ||
        in->ndirs > WACTOR_WASI_MAX_STRINGS)
        return bad(diag, "wasi: more than %s%zu args, env entries or dirs", "", WACTOR_WASI_MAX_STRINGS);
    if ((in->nargs && !in->args) || (in->nenv && !in->env) || (in->ndirs && !in->dirs))
        return bad(diag, "wasi: %s list is NULL%.0zu", "a non-empty", 0);
    size_t bytes = 0;
    for (size_t i = 0; i < in->nargs; i++) {
        if (!in->args[i]) return bad(diag, "wasi: %s %zu is NULL", "arg", i);
        bytes += strlen(in->args[i]) + 1;
    }
    for (size_t i = 0; i < in->nenv; i++) {
        const char *e = in->env[i];
        if (!e) return bad(diag, "wasi: %s %zu is NULL", "env entry", i);
        const char *eq = strchr(e, '=');
        if (!eq || eq == e) return bad(diag, "wasi: %s %zu is not NAME=VALUE", "env entry", i);
        bytes += strlen(e) + 1;
    }
    if (bytes > WACTOR_WASI_MAX_BYTES)
        return bad(diag, "wasi: args and env exceed %s%zu bytes", "", WACTOR_WASI_MAX_BYTES);
    size_t dir_bytes = 0;
    for (size_t i = 0; i < in->ndirs; i++) {
        const wactor_wasi_dir *d = &in->dirs[i];
        if (!d->host || !*d->host) return bad(diag, "wasi: %s %zu has no host path", "dir", i);
        if (!d->guest || !*d->guest) return bad(diag, "wasi: %s %zu has no guest path", "dir", i);
        dir_bytes += strlen(d->host) + strlen(d->guest) + 2;
    }
    *bytes_out = bytes;
    *dir_bytes_out = dir_bytes;
    return 0;
}

int component_wasi_check(const wactor_wasi *in, wactor_diag *diag) {
    size_t bytes, dir_bytes;
    return in ? measure(in, diag, &bytes, &dir_bytes) : 0;
}

int component_wasi_copy(const wactor_wasi *in, wactor_wasi **out, wactor_diag *diag) {
    *out = NULL;
    if (!in) return 0;
    size_t bytes, dir_bytes;
    int rc = measure(in, diag, &bytes, &dir_bytes);
    if (rc) return rc;
    size_t n = sizeof(wactor_wasi) + (in->nargs + in->nenv) * sizeof(char *) + in->ndirs * sizeof(wactor_wasi_dir);
    uint8_t *block = malloc(n + bytes + dir_bytes);
    if (!block) return -ENOMEM;
    wactor_wasi *w = (wactor_wasi *)block;
    const char **args = (const char **)(block + sizeof *w);
    const char **env = args + in->nargs;
    wactor_wasi_dir *dirs = (wactor_wasi_dir *)(env + in->nenv);
    char *text = (char *)(dirs + in->ndirs);
    *w = (wactor_wasi){.args = args, .nargs = in->nargs, .env = env, .nenv = in->nenv, .dirs = dirs,
                       .ndirs = in->ndirs, .inherit_stdio = in->inherit_stdio};
#define COPY_STR(dst, src)                   \
    do {                                     \
        size_t len_ = strlen(src) + 1;       \
        memcpy(text, (src), len_);           \
        (dst) = text;                        \
        text += len_;                        \
    } while (0)
    for (size_t i = 0; i < in->nargs; i++) COPY_STR(args[i], in->args[i]);
    for (size_t i = 0; i < in->nenv; i++) COPY_STR(env[i], in->env[i]);
    for (size_t i = 0; i < in->ndirs; i++) {
        dirs[i].read_only = in->dirs[i].read_only;
        COPY_STR(dirs[i].host, in->dirs[i].host);
        COPY_STR(dirs[i].guest, in->dirs[i].guest);
    }
#undef COPY_STR
    *out = w;
    return 0;
}

/* inherit_stdio: the guest's fd 1/2 are the process's, unprefixed. */
static void stdio_write(void *user, int fd, const uint8_t *bytes, size_t len) {
    (void)user;
    while (len) {
        ssize_t n = write(fd == 2 ? STDERR_FILENO : STDOUT_FILENO, bytes, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; /* a closed pipe: the bytes are dropped, as the guest cannot be told */
        bytes += n;
        len -= (size_t)n;
    }
}

static long stdio_read(void *user, uint8_t *buf, size_t len) {
    (void)user;
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, len);
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -1 : (long)n;
    }
}

int component_wasi_open(component *c, wactor_diag *diag) {
    const wactor_wasi *w = c->wasi_cfg;
    /* A component runs on a scheduler thread, many polls to a slice: a poll never blocks it (a sleep is an
     * early wake-up; waiting is what timers and messages are for). A command may block. */
    c->wasi = (eng_wasi){.write = component_wasi_write, .write_user = c,
                         .limits = {.max_poll_block_us = ENG_WASI_POLL_NEVER_BLOCKS}};
    if (!w) return eng_wasi_open(&c->wasi, diag);
    if (w->ndirs) {
        c->preopens = calloc(w->ndirs, sizeof *c->preopens);
        if (!c->preopens) {
            if (diag) snprintf(diag->message, sizeof diag->message, "wasi: out of memory");
            return -1;
        }
        for (size_t i = 0; i < w->ndirs; i++)
            c->preopens[i] = (eng_wasi_preopen){.host_path = w->dirs[i].host, .guest_path = w->dirs[i].guest,
                                                .read_only = w->dirs[i].read_only};
    }
    c->wasi.argv = w->args;
    c->wasi.argc = (int)w->nargs;
    c->wasi.environ = w->env;
    c->wasi.nenviron = (int)w->nenv;
    c->wasi.preopens = c->preopens;
    c->wasi.npreopens = w->ndirs;
    if (w->inherit_stdio) {
        c->wasi.write = stdio_write;
        c->wasi.read = stdio_read;
        c->wasi.limits.max_poll_block_us = UINT64_MAX;
    }
    return eng_wasi_open(&c->wasi, diag);
}

void component_wasi_free(component *c) {
    eng_wasi_close(&c->wasi);
    free(c->preopens);
    c->preopens = NULL;
    free(c->wasi_cfg);
    c->wasi_cfg = NULL;
}
