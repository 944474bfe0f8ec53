/* Requests in flight per key (an organisation), for work too costly to run
 * many times at once: at most `limit` per key; the next is refused until one
 * leaves. Bounded memory: a fixed table of keys with a request in flight (a
 * key whose count falls to 0 gives its slot up); when the table is full a
 * new key is refused too. Thread-safe. */
#ifndef INFLIGHT_H
#define INFLIGHT_H

#include <stdbool.h>

#define INFLIGHT_KEY_MAX 80 /* longer keys are cut */

struct inflight;

/* A counter allowing `limit` (>= 1) requests in flight per key, or NULL when
 * out of memory. */
struct inflight *inflight_new(int limit);

/* Counts one more request of `key` in flight: true, or false (nothing counted)
 * when `key` already has `limit` of them or the table is full. Every true is
 * followed, on every path, by exactly one inflight_leave of the same key. */
bool inflight_enter(struct inflight *f, const char *key);

/* Counts one request of `key` out. */
void inflight_leave(struct inflight *f, const char *key);

/* How many requests of `key` are in flight (for tests). */
int inflight_count(struct inflight *f, const char *key);

void inflight_free(struct inflight *f);

#endif
