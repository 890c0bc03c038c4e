/* http.c — `wactor run --http HOST:PORT [--http-token-file FILE]` and the manifest's `http:` section: the
 * admin HTTP server (include/wactor_http.h, docs/OPERATIONS.md) started for the running system. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "wactor_http.h"

/* The token: the file's first line without its line end. Returns 0, or -1 after saying why on stderr. */
static int read_token(const char *path, char *out, size_t cap) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "wactor: cannot open --http-token-file %s: %s\n", path, strerror(errno));
        return -1;
    }
    out[0] = 0;
    bool got = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    size_t n = got ? strlen(out) : 0;
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r')) out[--n] = 0;
    if (n < WACTOR_HTTP_MIN_TOKEN_BYTES || n >= cap - 1) {
        fprintf(stderr, "wactor: --http-token-file %s: the token (its first line) must be %u to %u printable "
                "characters\n", path, WACTOR_HTTP_MIN_TOKEN_BYTES, WACTOR_HTTP_MAX_TOKEN_BYTES);
        return -1;
    }
    return 0;
}

int cli_http_start(wactor_runtime *rt, const char *listen, const char *token_file, const manifest_http *mh,
                   wactor_http **out) {
    *out = NULL;
    if (!listen && !mh->present) return CLI_OK;
    char *host = NULL;
    uint16_t port = mh->port;
    if (listen) {
        if (manifest_split_listen(listen, &host, &port) != 0) {
            fprintf(stderr, "wactor: --http needs HOST:PORT (e.g. 127.0.0.1:9100; port 0 = any free port), not '%s'\n",
                    listen);
            return CLI_BAD_INPUT;
        }
    }
    const char *file = token_file ? token_file : mh->token_file;
    static char token[WACTOR_HTTP_MAX_TOKEN_BYTES + 2];
    if (file && read_token(file, token, sizeof token) != 0) {
        free(host);
        return CLI_BAD_INPUT;
    }
    wactor_http_opts o = {.address = host ? host : mh->host, .port = port, .token = file ? token : NULL,
                          .max_body_bytes = mh->max_body_bytes, .max_connections = mh->max_connections};
    wactor_diag d = {0};
    wactor_error err = wactor_http_start(rt, &o, out, &d);
    memset(token, 0, sizeof token);
    if (err) fprintf(stderr, "wactor: admin HTTP server: %s\n", d.message[0] ? d.message : wactor_strerror(err));
    else fprintf(stderr, "wactor: admin HTTP server on http://%s:%u/\n", o.address, (unsigned)wactor_http_port(*out));
    free(host);
    return err ? CLI_BAD_INPUT : CLI_OK;
}
