/*
 * server.c — the admin HTTP server (include/wactor_http.h): libmicrohttpd in thread-per-connection mode,
 * bearer-token checks (RFC 6750), bounded request bodies, routing to the command layer (src/admin/),
 * /metrics, the SSE stream and the dashboard page. Every error is a JSON object (docs/OPERATIONS.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "admin/admin.h"
#include "http/internal.h"

struct wactor_http {
    wactor_runtime *rt;
    struct MHD_Daemon *daemon;
    uint16_t port;
    char *token;
    size_t token_len;
    size_t max_body;
    http_hub hub;
    bool handler_added;
};

/* Per request: the body read so far. */
typedef struct request {
    http_buf body;
    bool too_big;
} request;

/* ----------------------------------------------------------------- answers */

static enum MHD_Result send_bytes(struct MHD_Connection *c, int status, const char *type, const char *data,
                                  size_t len, bool must_free) {
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data,
                                                             must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        if (must_free) free((void *)data);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == MHD_HTTP_UNAUTHORIZED) MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_json(struct MHD_Connection *c, admin_answer a) {
    char *text = a.json ? json_dumps(a.json, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(9) | JSON_ENCODE_ANY) : NULL;
    json_decref(a.json);
    if (!text) {
        static const char oom[] = "{\"error\":\"out of memory\"}";
        return send_bytes(c, 500, "application/json", oom, sizeof oom - 1, false);
    }
    size_t n = strlen(text);
    return send_bytes(c, a.status, "application/json", text, n, true);
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *text) {
    return send_json(c, admin_error(status, "%s", text));
}

static enum MHD_Result method_not_allowed(struct MHD_Connection *c, const char *allow) {
    admin_answer a = admin_error(405, "method not allowed here: use %s", allow);
    char *text = json_dumps(a.json, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(9));
    json_decref(a.json);
    if (!text) return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
    MHD_destroy_response(r);
    return rc;
}

/* ----------------------------------------------------------------- authentication */

static bool same_secret(const char *a, size_t alen, const char *b, size_t blen) {
    unsigned char diff = alen != blen;
    for (size_t i = 0; i < alen && i < blen; i++) diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* 0 if the request may go on, else the status of the refusal (and *why). */
static int authorize(wactor_http *h, struct MHD_Connection *c, bool mutating, const char **why) {
    if (!h->token) {
        if (!mutating) return 0;
        *why = "POST needs a bearer token: start the server with a token (--http-token-file)";
        return 403;
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!auth) {
        *why = "this server needs 'Authorization: Bearer TOKEN'";
        return 401;
    }
    if (strncmp(auth, "Bearer ", 7) != 0) {
        *why = "the Authorization header must be 'Bearer TOKEN'";
        return 401;
    }
    const char *t = auth + 7;
    if (!same_secret(t, strlen(t), h->token, h->token_len)) {
        *why = "wrong bearer token";
        return 403;
    }
    return 0;
}

/* ----------------------------------------------------------------- routes */

static bool is(const char *method, const char *m) { return strcmp(method, m) == 0; }

static enum MHD_Result get_sse(wactor_http *h, struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    http_sse_client *client = http_sse_client_new(&h->hub, ci ? ci->connect_fd : -1);
    if (!client) return send_error(c, 500, "out of memory");
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, http_sse_read, client,
                                                               http_sse_free);
    if (!r) {
        http_sse_free(client);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result get_metrics(wactor_http *h, struct MHD_Connection *c) {
    http_buf b = {0};
    http_metrics(h->rt, &h->hub, &b);
    if (b.failed || !b.data) {
        http_buf_free(&b);
        return send_error(c, 500, "out of memory");
    }
    return send_bytes(c, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len, true);
}

/* The JSON object body of a POST, or an error answer. */
static json_t *body_object(const request *rq, admin_answer *err, bool empty_ok) {
    if (!rq->body.len) {
        if (empty_ok) return json_object();
        *err = admin_error(400, "this POST needs a JSON object body");
        return NULL;
    }
    json_error_t je;
    json_t *o = json_loadb(rq->body.data, rq->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        *err = admin_error(400, "invalid JSON at line %d, column %d: %s", je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        *err = admin_error(400, "the body must be a JSON object");
        return NULL;
    }
    return o;
}

static const char *member_string(json_t *o, const char *key, admin_answer *err) {
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) {
        *err = admin_error(400, "member \"%s\" must be a string", key);
        return NULL;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        *err = admin_error(400, "member \"%s\" holds a NUL byte", key);
        return NULL;
    }
    return json_string_value(v);
}

static admin_answer post_message(wactor_http *h, const char *what, const request *rq) {
    admin_answer err;
    json_t *o = body_object(rq, &err, false);
    if (!o) return err;
    bool publish = strcmp(what, "publish") == 0;
    const char *to = member_string(o, publish ? "topic" : "to", &err);
    json_t *message = json_object_get(o, "message");
    admin_answer a;
    if (!to) a = err;
    else if (!message) a = admin_error(400, "member \"message\" (any JSON value) is missing");
    else if (publish) a = admin_publish(h->rt, to, message);
    else if (strcmp(what, "send") == 0) a = admin_send(h->rt, to, message);
    else {
        json_t *t = json_object_get(o, "timeout_ms");
        if (t && !json_is_integer(t)) a = admin_error(400, "member \"timeout_ms\" must be an integer");
        else {
            json_int_t ms = t ? json_integer_value(t) : WACTOR_DEFAULT_REQUEST_TIMEOUT_MS;
            a = ms < 1 || ms > ADMIN_ASK_TIMEOUT_MAX ? admin_error(400, "timeout_ms must be 1 to %d", ADMIN_ASK_TIMEOUT_MAX)
                                                   : admin_ask(h->rt, to, message, (int)ms);
        }
    }
    json_decref(o);
    return a;
}

static admin_answer post_command(wactor_http *h, const request *rq) {
    admin_answer err;
    json_t *o = body_object(rq, &err, false);
    if (!o) return err;
    const char *line = member_string(o, "command", &err);
    admin_answer a = err;
    if (line) {
        admin_session s;
        admin_session_init(&s);
        bool end = false;
        a = admin_command(h->rt, &s, line, strlen(line), &end);
        if (!a.json) a = admin_error(400, "empty command");
    }
    json_decref(o);
    return a;
}

/* /api/supervisors/SUP/children[/ID/ACTION] */
static enum MHD_Result supervisors(wactor_http *h, struct MHD_Connection *c, const char *method, const char *rest,
                                   const request *rq) {
    char buf[1024];
    if (strlen(rest) >= sizeof buf) return send_error(c, 404, "no such path");
    strcpy(buf, rest);
    char *parts[5] = {0};
    int n = 0;
    for (char *save = NULL, *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (n == 4) return send_error(c, 404, "no such path");
        parts[n++] = t;
    }
    if (n < 2 || strcmp(parts[1], "children") != 0 || n == 3) return send_error(c, 404, "no such path");
    if (!is(method, "POST")) return method_not_allowed(c, "POST");
    if (n == 2) {
        admin_answer err;
        json_t *o = body_object(rq, &err, true);
        if (!o) return send_json(c, err);
        json_decref(o);
        return send_json(c, admin_start_child(h->rt, parts[0]));
    }
    const char *sup = parts[0], *id = parts[2], *action = parts[3];
    if (!strcmp(action, "restart")) return send_json(c, admin_restart_child(h->rt, sup, id));
    if (!strcmp(action, "terminate")) return send_json(c, admin_terminate_child(h->rt, sup, id));
    if (!strcmp(action, "delete")) return send_json(c, admin_delete_child(h->rt, sup, id));
    return send_error(c, 404, "no such action: restart, terminate or delete");
}

static enum MHD_Result route(wactor_http *h, struct MHD_Connection *c, const char *url, const char *method,
                             const request *rq) {
    bool get = is(method, "GET") || is(method, "HEAD");
    if (!strcmp(url, "/") || !strcmp(url, "/index.html")) {
        if (!get) return method_not_allowed(c, "GET");
        return send_bytes(c, 200, "text/html; charset=utf-8", http_dashboard_html, http_dashboard_html_len, false);
    }
    if (!strcmp(url, "/metrics")) return get ? get_metrics(h, c) : method_not_allowed(c, "GET");
    if (!strcmp(url, "/api/events")) return get ? get_sse(h, c) : method_not_allowed(c, "GET");
    if (!strcmp(url, "/api/node")) {
        if (!get) return method_not_allowed(c, "GET");
        http_hub_figures f;
        http_hub_figures_get(&h->hub, &f);
        free(f.shutdowns);
        return send_json(c, admin_node(h->rt, f.rate, f.uptime_s));
    }
    if (!strcmp(url, "/api/components")) return get ? send_json(c, admin_components(h->rt)) : method_not_allowed(c, "GET");
    if (!strncmp(url, "/api/components/", 16) && url[16]) {
        if (!get) return method_not_allowed(c, "GET");
        return send_json(c, admin_component(h->rt, url + 16));
    }
    if (!strcmp(url, "/api/tree")) return get ? send_json(c, admin_tree(h->rt)) : method_not_allowed(c, "GET");
    if (!strcmp(url, "/api/send") || !strcmp(url, "/api/ask") || !strcmp(url, "/api/publish")) {
        if (!is(method, "POST")) return method_not_allowed(c, "POST");
        return send_json(c, post_message(h, url + 5, rq));
    }
    if (!strcmp(url, "/api/command")) {
        if (!is(method, "POST")) return method_not_allowed(c, "POST");
        return send_json(c, post_command(h, rq));
    }
    if (!strncmp(url, "/api/supervisors/", 17)) return supervisors(h, c, method, url + 17, rq);
    return send_error(c, 404, "no such path (docs/OPERATIONS.md lists the endpoints)");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state) {
    (void)version;
    wactor_http *h = cls;
    request *rq = *state;
    if (!rq) { /* first call: headers only. Refuse early what needs no body to refuse. */
        const char *why = NULL;
        int status = authorize(h, c, is(method, "POST"), &why);
        if (status) return send_error(c, status, why);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end = NULL;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || end == cl || *end || n > h->max_body) {
                char text[128];
                snprintf(text, sizeof text, "request body over %zu bytes", h->max_body);
                return send_error(c, 413, text);
            }
        }
        rq = calloc(1, sizeof *rq);
        if (!rq) return MHD_NO;
        *state = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rq->body.len + *upload_size > h->max_body) rq->too_big = true;
        else http_buf_add(&rq->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (rq->too_big) {
        char text[128];
        snprintf(text, sizeof text, "request body over %zu bytes", h->max_body);
        return send_error(c, 413, text);
    }
    if (rq->body.failed) return send_error(c, 500, "out of memory");
    return route(h, c, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode code) {
    (void)cls, (void)c, (void)code;
    request *rq = *state;
    if (!rq) return;
    http_buf_free(&rq->body);
    free(rq);
    *state = NULL;
}

/* ----------------------------------------------------------------- start / stop */

static void set_diag(wactor_diag *d, const char *fmt, const char *arg) {
    if (!d) return;
    memset(d, 0, sizeof *d);
    snprintf(d->message, sizeof d->message, fmt, arg ? arg : "");
}

wactor_error wactor_http_start(wactor_runtime *rt, const wactor_http_opts *opts, wactor_http **out,
                               wactor_diag *diag) {
    if (!rt || !out) return WACTOR_EINVAL;
    *out = NULL;
    wactor_http_opts o = opts ? *opts : (wactor_http_opts){0};
    const char *address = o.address ? o.address : "127.0.0.1";
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(o.port)};
    if (inet_pton(AF_INET, address, &sa.sin_addr) != 1) {
        set_diag(diag, "--http: '%s' is not an IPv4 address", address);
        return WACTOR_EINVAL;
    }
    bool loopback = (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
    if (o.token) {
        size_t n = strlen(o.token);
        bool printable = true;
        for (size_t i = 0; i < n; i++)
            if (o.token[i] <= 0x20 || o.token[i] >= 0x7f) printable = false;
        if (n < WACTOR_HTTP_MIN_TOKEN_BYTES || n > WACTOR_HTTP_MAX_TOKEN_BYTES || !printable) {
            set_diag(diag, "the HTTP token must be 16 to 4096 printable ASCII characters without spaces%s", "");
            return WACTOR_EINVAL;
        }
    } else if (!loopback) {
        set_diag(diag, "refusing to serve %s without a token: a non-loopback address needs a bearer token "
                 "(--http-token-file)", address);
        return WACTOR_EPERM;
    }
    wactor_http *h = calloc(1, sizeof *h);
    if (!h) return WACTOR_ENOMEM;
    h->rt = rt;
    h->max_body = o.max_body_bytes ? o.max_body_bytes : WACTOR_HTTP_DEFAULT_MAX_BODY_BYTES;
    if (o.token && !(h->token = strdup(o.token))) {
        free(h);
        return WACTOR_ENOMEM;
    }
    h->token_len = h->token ? strlen(h->token) : 0;
    if (http_hub_start(&h->hub, rt, o.sse_buffer_bytes ? o.sse_buffer_bytes : WACTOR_HTTP_DEFAULT_SSE_BUFFER_BYTES)) {
        free(h->token);
        free(h);
        return WACTOR_ENOMEM;
    }
    wactor_error err = wactor_add_event_handler(rt, http_hub_on_event, &h->hub);
    if (err) {
        set_diag(diag, "no event handler slot left in the runtime%s", "");
        wactor_http_stop(h);
        return err;
    }
    h->handler_added = true;
    unsigned maxc = o.max_connections ? o.max_connections : WACTOR_HTTP_DEFAULT_MAX_CONNECTIONS;
    h->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, o.port, NULL, NULL,
                                 on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                 MHD_OPTION_CONNECTION_LIMIT, maxc, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
    if (!h->daemon) {
        char what[96];
        snprintf(what, sizeof what, "%s:%u", address, (unsigned)o.port);
        set_diag(diag, "cannot listen on %s (address in use, or not this host's)", what);
        wactor_http_stop(h);
        return WACTOR_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : o.port;
    *out = h;
    return WACTOR_OK;
}

uint16_t wactor_http_port(const wactor_http *h) { return h ? h->port : 0; }

void wactor_http_stop(wactor_http *h) {
    if (!h) return;
    if (h->handler_added) wactor_remove_event_handler(h->rt, http_hub_on_event, &h->hub);
    http_hub_stop(&h->hub); /* SSE readers return: their connections can end */
    if (h->daemon) MHD_stop_daemon(h->daemon);
    http_hub_free(&h->hub);
    free(h->token);
    free(h);
}
