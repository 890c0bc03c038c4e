/*
 * registry.h — concurrent registry: id -> object (an actor), and registered name -> id.
 *
 * What: two families of sharded hash tables (open addressing, linear probing, backward-shift deletion,
 * growing per shard). Every operation is O(1) expected; a lookup takes one shard's read lock.
 * An id may carry any number of registered names; a name names at most one id. Removing an id drops all
 * of its names.
 *
 * Ownership: the registry never owns the objects it maps to. registry_add() stores the pointer;
 * the caller must registry_remove() it before freeing the object. To make a looked-up object safe to
 * use after the lookup returns, pass a `retain` callback: registry_get()/registry_get_by_name() call it
 * under the shard's read lock, so an object cannot be removed-and-freed between finding and retaining
 * it as long as its owner removes it from the registry before dropping the reference the registry
 * stands for. Names are copied; the registry owns its copies.
 *
 * Names: non-empty NUL-terminated strings of at most REGISTRY_NAME_MAX bytes (excluding the NUL);
 * anything else is -EINVAL. Ids: any non-zero uint64_t (0 is "no id").
 *
 * Errors: functions returning int return 0 on success or a negative errno value as documented.
 * Thread-safety: every function except registry_new()/registry_free() may be called concurrently from any
 * number of threads. The retain callback must not call back into the registry.
 */
#ifndef WACTOR_REGISTRY_H
#define WACTOR_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#define REGISTRY_NAME_MAX 255

typedef struct registry registry;

/* Creates an empty registry. `retain` (may be NULL) is called on an object found by registry_get* while
 * the lookup still holds its lock. Returns NULL on allocation failure. */
registry *registry_new(void (*retain)(void *obj));

/* Frees the registry and its name copies; never touches the objects. NULL is a no-op.
 * No other call may run concurrently or afterwards. */
void registry_free(registry *r);

/* Maps `id` to `obj`. Returns 0, -EINVAL (id 0 or obj NULL), -EEXIST (id present), -ENOMEM. */
int registry_add(registry *r, uint64_t id, void *obj);

/* Returns the object of `id`, retained (see registry_new), or NULL if absent. */
void *registry_get(registry *r, uint64_t id);

/* Removes `id` and drops every name registered to it. Returns 0 or -ENOENT. */
int registry_remove(registry *r, uint64_t id);

/* Drops every name registered to `id` but keeps the id. Returns the number of names dropped (>= 0) or
 * -ENOENT if the id is absent. */
int registry_drop_names(registry *r, uint64_t id);

/* Registers `name` for `id` (an id may have several names). Returns 0, -EINVAL (bad name or id 0),
 * -ENOENT (no such id), -EEXIST (name taken, also if already registered to this same id), -ENOMEM. */
int registry_register_name(registry *r, const char *name, uint64_t id);

/* Removes a registered name. Returns 0, -EINVAL (bad name), -ENOENT (not registered). */
int registry_unregister_name(registry *r, const char *name);

/* Returns the id registered under `name`, or 0 if none (or the name is invalid). */
uint64_t registry_whereis(registry *r, const char *name);

/* registry_whereis() of a counted name: the `len` bytes at `name`, which need no NUL terminator. A name
 * that is empty, longer than REGISTRY_NAME_MAX or contains a NUL byte is invalid (0): "a\0b" is not "a".
 * Nothing is copied. Thread-safe, O(1). */
uint64_t registry_whereis_len(registry *r, const char *name, size_t len);

/* Looks `name` up and returns its object retained (as registry_get), or NULL. *id_out (may be NULL)
 * receives the id when found. Atomic: the name and the object belong together at one instant. */
void *registry_get_by_name(registry *r, const char *name, uint64_t *id_out);

/* Copies the first still-registered name of `id` (registration order) into buf as a NUL-terminated
 * string. Returns 0; -ENOENT (no such id, or it has no name); -ERANGE (cap too small: buf receives the
 * truncated name if cap > 0). */
int registry_name_of(registry *r, uint64_t id, char *buf, size_t cap);

/* Number of ids / of registered names right now (a snapshot under concurrency). */
size_t registry_count(registry *r);
size_t registry_name_count(registry *r);

#endif /* WACTOR_REGISTRY_H */
