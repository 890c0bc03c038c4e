/*
 * broker.h — the pub/sub subject index: subscription patterns -> subscribers (actor ids).
 *
 * What: a concurrent index answering "which subscribers want a message published on subject S?". It
 * stores (pattern, subscriber) pairs — a subscription — and matches a published subject against all
 * patterns at once. It only indexes; delivering (fan-out into mailboxes) is the caller's job.
 *
 * Subject syntax: NATS subject syntax ("Subject-Based Messaging" in the NATS docs, and NATS ADR-6 on
 * naming), followed exactly where NATS is strict, and at its strict reading where NATS leaves room:
 *   - A subject is one or more tokens separated by '.'. Tokens are non-empty: "a..b", ".a", "a." and ""
 *     are invalid. Subjects are case-sensitive.
 *   - A token consists of printable ASCII bytes 0x21..0x7E other than '.', '*' and '>' — so no
 *     whitespace (space, tab, CR, LF...), no control bytes, no DEL and no non-ASCII (UTF-8) bytes.
 *     '*' and '>' are reserved for wildcards and never part of a literal token: "foo*" and "a.b>" are
 *     invalid everywhere (the NATS server accepts them as literals unless "pedantic"; we do not).
 *   - Patterns (subscriptions) may use wildcards, each a whole token: '*' matches exactly one token, at
 *     any position, any number of times ("a.*.c", "*.*"); '>' matches one or more trailing tokens and is
 *     only valid as the last token ("a.>" matches "a.b" and "a.b.c", not "a"; ">" alone matches every
 *     subject).
 *   - Published subjects may not contain wildcards at all.
 *   - Subjects beginning with '$' are reserved for system use by NATS convention; they are valid here
 *     (the broker does not police naming conventions).
 *   - Length: at most BROKER_SUBJECT_MAX bytes excluding the NUL. (NATS sets no fixed limit; this one is
 *     wactor's, so that tokenizing needs no allocation.)
 *
 * Subscribers: any non-zero uint64_t (an actor_id; 0 is "no actor" and rejected with -EINVAL). A
 * subscriber may hold any number of distinct patterns, including overlapping ones; a match reports it
 * once. The broker never looks at or owns what an id refers to; patterns are copied (token by token
 * into its trie), the caller keeps ownership of every string it passes.
 *
 * Cost: subscribe/unsubscribe are O(tokens + log s) amortized (s = subscribers of that pattern, plus
 * a shift of that sorted array); broker_match is O(trie paths the subject can take + matched ids)
 * — independent of the number of subscriptions that do not match. broker_unsubscribe_all is
 * O(patterns of that subscriber).
 *
 * Errors: functions returning int or ssize_t return a negative errno value on failure, as documented.
 *
 * Thread-safety: every function except broker_new()/broker_free() may be called concurrently from any
 * number of threads. Matches run in parallel with each other (a shared read lock); subscribe,
 * unsubscribe and unsubscribe_all are serialized (an exclusive lock, preferred over new readers so a
 * steady stream of publishes cannot starve them). A match sees each subscription either fully present
 * or fully absent. No function calls back into the caller.
 */
#ifndef WACTOR_BROKER_H
#define WACTOR_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BROKER_SUBJECT_MAX 255

typedef struct broker broker;

/* Creates an empty broker. Returns NULL on allocation failure. */
broker *broker_new(void);

/* Frees the broker and everything it holds. NULL is a no-op. No other call on `b` may run concurrently
 * or afterwards. */
void broker_free(broker *b);

/* True when `subject` is a valid subject under the syntax above: with `allow_wildcards` false, a
 * publishable subject (no '*' or '>' tokens); with it true, a subscription pattern. NULL is invalid.
 * Pure function, safe from any thread. */
bool broker_subject_valid(const char *subject, bool allow_wildcards);

/* Pattern algebra for capability grants (src/broker/subject.c), NATS semantics as above. Pure functions,
 * safe from any thread; nothing is allocated; NULL or invalid arguments give false.
 *
 * broker_subject_matches: does `pattern` (wildcards allowed) match the publishable `subject` (none)?
 *   "a.*" matches "a.b"; "a.>" matches "a.b" and "a.b.c" but not "a".
 * broker_pattern_covers: does every subject that `want` (a pattern) can match also match `grant`? Token by
 *   token: '>' in the grant covers the rest (one or more tokens), '*' in the grant covers a literal or '*',
 *   a literal covers only itself, and only a '>' grant covers a '>' in `want`. So "chat.>" covers "chat.*",
 *   "chat.a.>" and "chat.room1"; "chat.*" covers "chat.room1" but not "chat.>"; nothing but ">" covers ">". */
bool broker_subject_matches(const char *pattern, const char *subject);
bool broker_pattern_covers(const char *grant, const char *want);

/* Adds the subscription (pattern, subscriber).
 * Returns 0; -EINVAL (pattern NULL/invalid, or subscriber 0); -EEXIST (this subscriber already holds
 * exactly this pattern — overlapping but different patterns are fine); -ENOMEM (nothing changed). */
int broker_subscribe(broker *b, const char *pattern, uint64_t subscriber);

/* Removes the subscription (pattern, subscriber); `pattern` must be spelled as when subscribed (it is
 * compared token by token, wildcards literally: unsubscribing "a.*" does not touch "a.b").
 * Returns 0; -ENOENT (no such subscription); -EINVAL (pattern NULL/invalid, or subscriber 0). */
int broker_unsubscribe(broker *b, const char *pattern, uint64_t subscriber);

/* Removes every subscription of `subscriber` (call it when an actor stops). Returns how many were
 * removed (0 when it had none, or for subscriber 0). Never fails. */
size_t broker_unsubscribe_all(broker *b, uint64_t subscriber);

/* Finds every subscriber holding at least one pattern that matches the published `subject`.
 * Each subscriber is reported ONCE, however many of its patterns match, in ascending id order. The
 * first min(total, cap) of them are written to out[0..cap) (out may be NULL when cap is 0).
 * Returns the total number of distinct matching subscribers (>= 0), which may exceed cap: then out
 * holds the smallest `cap` ids and the caller may retry with a buffer of the returned size (the set may
 * have changed meanwhile under concurrent subscribes). Errors: -EINVAL (subject NULL, invalid, or
 * containing a wildcard), -ENOMEM (only possible when several patterns with very many subscribers match
 * at once and a scratch buffer cannot be allocated). */
ssize_t broker_match(broker *b, const char *subject, uint64_t *out, size_t cap);

/* broker_match() of every subscriber at once: into the caller's `local` buffer (`cap` ids) when they fit,
 * else into a malloc'd buffer of the right size (matched again, and again while the set keeps growing under
 * concurrent subscribes). Returns the count (>= 0) and sets *out to `local` or to the heap buffer, which the
 * caller frees when *out != local. Errors as broker_match(), and -ENOMEM when the buffer cannot be
 * allocated; *out is then `local` (nothing to free). Thread-safe. */
ssize_t broker_match_all(broker *b, const char *subject, uint64_t *local, size_t cap, uint64_t **out);

/* Number of subscriptions ((pattern, subscriber) pairs) right now (a snapshot under concurrency). */
size_t broker_subscription_count(broker *b);

#endif /* WACTOR_BROKER_H */
