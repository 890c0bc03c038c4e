/* dashboard.c — the page served at `/` (issue 13 item 4): one static HTML file inside the binary, no build
 * step, no third-party JS. A placeholder until the dashboard is written; it reads the JSON API of
 * docs/OPERATIONS.md. */
#include "http/internal.h"

const char http_dashboard_html[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>wactor</title></head>\n"
    "<body><h1>wactor</h1><p>The dashboard is not built yet. The node answers at "
    "<a href=\"/metrics\">/metrics</a>, <a href=\"/api/components\">/api/components</a>, "
    "<a href=\"/api/tree\">/api/tree</a>, <a href=\"/api/node\">/api/node</a> and "
    "<a href=\"/api/events\">/api/events</a> (docs/OPERATIONS.md).</p></body></html>\n";
const size_t http_dashboard_html_len = sizeof http_dashboard_html - 1;
