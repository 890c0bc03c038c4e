/*
 * wactor_errors.h — the public error codes, defined once.
 *
 * One list, three users: include/wactor.h makes it the `wactor_error` enum of the embedding API
 * (WACTOR_EINVAL == 1, ...), the host functions return the negated values to guests (docs/ABI.md,
 * "Results"), and sdk/c/wactor_guest.h makes the guest's WACTOR_ERR_* constants from it (WACTOR_ERR_INVAL
 * == -1, ...). The values are explicit and part of the guest ABI: never renumber, only append.
 *
 * X(NAME, value, "static description") — NAME without its prefix; WACTOR_OK (0) is not in the list.
 * Inside the runtime's layers errors are negative errno values; each edge converts once
 * (src/common/errors.c: wactor_error_from_errno / wactor_error_to_errno), with the errno given here.
 *
 * Pure preprocessor definitions: usable from C, C++ and from guests (clang --target=wasm32-wasi).
 */
#ifndef WACTOR_ERRORS_H
#define WACTOR_ERRORS_H

/*      NAME       value  errno inside      description */
#define WACTOR_ERROR_LIST(X)                                                                          \
    X(INVAL,       1,  EINVAL,          "invalid argument")                                        \
    X(NOMEM,       2,  ENOMEM,          "out of memory")                                           \
    X(NOENT,       3,  ENOENT,          "no such actor, name, export or file")                     \
    X(EXIST,       4,  EEXIST,          "name already registered")                                 \
    X(MODULE,      5,  ENOEXEC,         "invalid WebAssembly module")                              \
    X(TRAP,        6,  ENOTRECOVERABLE, "the component trapped")                                   \
    X(TIMEDOUT,    7,  ETIMEDOUT,       "timed out")                                               \
    X(CODEC,       8,  EBADMSG,         "malformed or unknown-codec payload")                      \
    X(ARITY,       9,  EDOM,            "wrong number of arguments")                               \
    X(TYPE,        10, ERANGE,          "argument of the wrong type")                              \
    X(STATE,       11, EBUSY,           "the actor is not in a state that allows this")            \
    X(FULL,        12, EAGAIN,          "full")                                                    \
    X(TOOBIG,      13, EMSGSIZE,        "message too big")                                         \
    X(IO,          14, EIO,             "I/O error")                                               \
    X(NOHANDLER,   15, ENOSYS,          "the component has no handler for this message")           \
    X(PERM,        16, EPERM,           "not permitted by the component's capabilities")           \
    X(LIMIT,       17, EDQUOT,          "a per-component limit was reached")

#endif /* WACTOR_ERRORS_H */
