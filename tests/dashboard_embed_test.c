/*
 * dashboard_embed_test.c — the dashboard page inside the binary is the file src/http/dashboard.html, byte
 * for byte: src/http/dashboard.cmake turned it into http_dashboard_html[] / http_dashboard_html_len at
 * build time. Also checks the properties the server relies on: NUL-terminated, a complete HTML document,
 * and no reference to anything off the node (the page must work without network).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char http_dashboard_html[];
extern const size_t http_dashboard_html_len;

static int failures;
#define CHECK(cond, ...)                                                                             \
    do {                                                                                             \
        if (!(cond)) {                                                                               \
            failures++;                                                                              \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                     \
            fprintf(stderr, __VA_ARGS__);                                                            \
            fputc('\n', stderr);                                                                     \
        }                                                                                            \
    } while (0)

/* The first occurrence of `needle` in the embedded page, or NULL. */
static const char *find(const char *needle) { return strstr(http_dashboard_html, needle); }

int main(void) {
    FILE *f = fopen(DASHBOARD_HTML, "rb");
    if (!f) {
        perror(DASHBOARD_HTML);
        return 1;
    }
    char *file = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            char *bigger = realloc(file, cap);
            if (!bigger) {
                free(file);
                fclose(f);
                return 1;
            }
            file = bigger;
        }
        size_t n = fread(file + len, 1, cap - len, f);
        if (n == 0) break;
        len += n;
    }
    fclose(f);

    CHECK(http_dashboard_html_len == len, "embedded %zu bytes, the file has %zu", http_dashboard_html_len, len);
    CHECK(http_dashboard_html_len == len && memcmp(http_dashboard_html, file, len) == 0,
          "embedded bytes differ from %s", DASHBOARD_HTML);
    CHECK(http_dashboard_html[http_dashboard_html_len] == '\0', "not NUL-terminated");
    CHECK(strlen(http_dashboard_html) == http_dashboard_html_len, "a NUL inside the page");
    CHECK(strncmp(http_dashboard_html, "<!DOCTYPE html>", 15) == 0, "does not start with <!DOCTYPE html>");
    CHECK(find("</html>") != NULL, "no </html>");
    /* Self-contained: nothing loaded from another origin, no innerHTML fed with data. */
    CHECK(find("http://") == NULL || find("http://www.w3.org/2000/svg") == find("http://"),
          "refers to an http:// URL other than the SVG namespace");
    CHECK(find("https://") == NULL, "refers to an https:// URL");
    CHECK(find("<script src") == NULL && find("<link") == NULL, "loads an external script or stylesheet");
    CHECK(find("innerHTML") == NULL && find("insertAdjacentHTML") == NULL && find("document.write") == NULL,
          "inserts markup from strings");
    /* It reads the API the server documents (docs/OPERATIONS.md), by relative URLs (so that it also works
     * behind a reverse proxy that serves the node under a path). */
    CHECK(find("'api/events'") && find("'api/components'") && find("'api/tree'") && find("'api/node'"),
          "does not use the documented endpoints");
    free(file);
    if (failures) return 1;
    printf("dashboard embedded: %zu bytes, identical to the file\n", len);
    return 0;
}
