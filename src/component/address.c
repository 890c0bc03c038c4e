/*
 * address.c — guest addresses (docs/ABI.md, "Addresses"): how an actor is written as text for guests, and
 * how guest text is read back, strictly.
 *
 * Grammar (every other byte string is malformed, -EINVAL):
 *   "host"            the embedding program (id 0)
 *   "#" pid           pid in decimal: 1 to 18446744073709551615, digits only, no sign, no leading zero,
 *                     no spaces ("#01", "# 1", "#+1", "#-1", "#1x", "#" and overflow are malformed)
 *   name              a registered name: 1 to REGISTRY_NAME_MAX bytes, no NUL byte ("a\0b" is not "a"),
 *                     not starting with '#'
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "component/internal.h"
#include "registry/registry.h"

void component_address(actor_system *sys, actor_id id, char *buf, size_t cap) {
    if (id == 0) {
        snprintf(buf, cap, "host");
        return;
    }
    if (registry_name_of(actor_system_registry(sys), id, buf, cap) == 0) return;
    snprintf(buf, cap, "#%" PRIu64, id);
}

bool component_parse_pid(const char *text, size_t len, actor_id *out) {
    if (len < 2 || len > 21 || text[0] != '#' || text[1] < '1' || text[1] > '9') return false;
    uint64_t v = 0;
    for (size_t i = 1; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') return false;
        unsigned d = (unsigned)(text[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false; /* overflow */
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

int component_resolve(actor_system *sys, const char *text, size_t len, actor_id *out) {
    if (len == 4 && memcmp(text, "host", 4) == 0) {
        *out = 0;
        return 0;
    }
    if (len > 0 && text[0] == '#') {
        actor_id id;
        if (!component_parse_pid(text, len, &id)) return -EINVAL;
        if (!actor_alive(sys, id)) return -ENOENT;
        *out = id;
        return 0;
    }
    if (len == 0 || len > REGISTRY_NAME_MAX || memchr(text, 0, len)) return -EINVAL;
    actor_id id = registry_whereis_len(actor_system_registry(sys), text, len);
    if (!id) return -ENOENT;
    *out = id;
    return 0;
}
