/*
 * errors.c — the one conversion between the layers' errno values and the public wactor_error codes
 * (include/wactor_errors.h), and the static names of errors and trap kinds.
 */
#include <errno.h>
#include <limits.h>

#include "common/errors.h"

WACTOR_API const char *wactor_version(void) {
#define WACTOR_STR2_(x) #x
#define WACTOR_STR_(x) WACTOR_STR2_(x)
    return WACTOR_STR_(WACTOR_VERSION_MAJOR) "." WACTOR_STR_(WACTOR_VERSION_MINOR) "." WACTOR_STR_(WACTOR_VERSION_PATCH);
}

WACTOR_API const char *wactor_strerror(wactor_error err) {
    switch (err) {
    case WACTOR_OK: return "success";
#define WACTOR_ERR_TEXT_(name, value, errno_name, text) case WACTOR_E##name: return text;
        WACTOR_ERROR_LIST(WACTOR_ERR_TEXT_)
#undef WACTOR_ERR_TEXT_
    }
    return "unknown error";
}

wactor_error wactor_error_from_errno(int rc) {
    if (rc >= 0) return WACTOR_OK;
    if (rc == INT_MIN) return WACTOR_EIO; /* not an errno value, and -INT_MIN does not exist */
    switch (-rc) {
#define WACTOR_ERR_FROM_(name, value, errno_name, text) case errno_name: return WACTOR_E##name;
        WACTOR_ERROR_LIST(WACTOR_ERR_FROM_)
#undef WACTOR_ERR_FROM_
    case ESHUTDOWN: return WACTOR_ENOENT; /* an actor that is ending is as good as gone */
    case EPROTOTYPE: return WACTOR_EINVAL; /* actor_send: a message for another kind of actor (a component's
                                              message to a supervisor, a supervisor request to a component) */
    default: return WACTOR_EIO;
    }
}

int wactor_error_to_errno(wactor_error err) {
    switch (err) {
    case WACTOR_OK: return 0;
#define WACTOR_ERR_TO_(name, value, errno_name, text) case WACTOR_E##name: return -errno_name;
        WACTOR_ERROR_LIST(WACTOR_ERR_TO_)
#undef WACTOR_ERR_TO_
    }
    return -EIO;
}

WACTOR_API const char *wactor_trap_name(wactor_trap_kind kind) {
    static const char *const names[] = {
        [WACTOR_TRAP_NONE] = "none",
        [WACTOR_TRAP_UNREACHABLE] = "unreachable",
        [WACTOR_TRAP_INT_DIV_BY_ZERO] = "integer divide by zero",
        [WACTOR_TRAP_INT_OVERFLOW] = "integer overflow",
        [WACTOR_TRAP_INVALID_CONVERSION] = "invalid conversion to integer",
        [WACTOR_TRAP_OOB_MEMORY] = "out of bounds memory access",
        [WACTOR_TRAP_OOB_TABLE] = "out of bounds table access",
        [WACTOR_TRAP_UNINITIALIZED_ELEMENT] = "uninitialized table element",
        [WACTOR_TRAP_INDIRECT_CALL_TYPE] = "indirect call signature mismatch",
        [WACTOR_TRAP_STACK_EXHAUSTED] = "call stack exhausted",
        [WACTOR_TRAP_FUEL_EXHAUSTED] = "fuel exhausted",
        [WACTOR_TRAP_MEMORY_LIMIT] = "memory limit",
        [WACTOR_TRAP_HOST] = "host error",
        [WACTOR_TRAP_EXIT] = "exit",
        [WACTOR_TRAP_START] = "start failure",
        [WACTOR_TRAP_OTHER] = "trap",
    };
    if ((unsigned)kind < sizeof names / sizeof names[0] && names[kind]) return names[kind];
    return "trap";
}
