/*
 * http_client.h — a minimal HTTP/1.1 client over a TCP socket to 127.0.0.1, for the admin-server tests:
 * one request per connection (Connection: close), the whole answer read until the server closes, or (SSE)
 * read until a substring shows up. Every wait is bounded (hang guards, not timing assertions).
 */
#ifndef WACTOR_TESTS_HTTP_CLIENT_H
#define WACTOR_TESTS_HTTP_CLIENT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support.h"

typedef struct http_reply {
    int status;
    char *head;   /* status line and headers, NUL-terminated */
    char *body;   /* NUL-terminated (binary-safe up to body_len) */
    size_t body_len;
} http_reply;

static inline void http_reply_free(http_reply *r) {
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof *r);
}

static inline int http_connect(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static inline bool http_write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        p += w, n -= (size_t)w;
    }
    return true;
}

/* Reads into *buf (grown) until EOF, `until` appears (NULL: EOF only), or timeout_ms passes. */
static inline size_t http_read_until(int fd, char **buf, size_t *len, size_t *cap, const char *until, int timeout_ms) {
    uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        if (until && *buf && strstr(*buf, until)) return *len;
        uint64_t t = now_ms();
        if (t >= deadline) return *len;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)(deadline - t)) <= 0) return *len;
        if (*len + 4097 > *cap) {
            *cap = (*cap + 4097) * 2;
            *buf = realloc(*buf, *cap);
        }
        ssize_t r = recv(fd, *buf + *len, 4096, 0);
        if (r <= 0) return *len;
        *len += (size_t)r;
        (*buf)[*len] = 0;
    }
}

/* Sends a raw request text and reads the answer (until close, at most 20 s). Returns 0 or -1. */
static inline int http_raw(uint16_t port, const char *req, size_t reqlen, http_reply *out) {
    memset(out, 0, sizeof *out);
    int fd = http_connect(port);
    if (fd < 0) return -1;
    http_write_all(fd, req, reqlen); /* the server may answer (413) before reading it all */
    char *buf = NULL;
    size_t len = 0, cap = 0;
    http_read_until(fd, &buf, &len, &cap, NULL, 20000);
    close(fd);
    if (!buf) return -1;
    char *sep = strstr(buf, "\r\n\r\n");
    if (!sep || sscanf(buf, "HTTP/1.%*d %d", &out->status) != 1) {
        free(buf);
        return -1;
    }
    *sep = 0;
    out->head = strdup(buf);
    out->body_len = len - (size_t)(sep + 4 - buf);
    out->body = malloc(out->body_len + 1);
    memcpy(out->body, sep + 4, out->body_len);
    out->body[out->body_len] = 0;
    free(buf);
    return 0;
}

/* METHOD PATH with an optional bearer token and body (JSON). */
static inline int http_do(uint16_t port, const char *method, const char *path, const char *token, const char *body,
                          http_reply *out) {
    size_t blen = body ? strlen(body) : 0;
    size_t cap = strlen(path) + blen + (token ? strlen(token) : 0) + 256;
    char *req = malloc(cap);
    int n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s"
                     "Content-Length: %zu\r\n\r\n",
                     method, path, token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "", blen);
    char *full = malloc((size_t)n + blen + 1);
    memcpy(full, req, (size_t)n);
    if (blen) memcpy(full + n, body, blen);
    int rc = http_raw(port, full, (size_t)n + blen, out);
    free(req);
    free(full);
    return rc;
}

#endif
