/* Token buckets per key (an organisation, a client address), in memory, for
 * one instance: each key earns `rate` tokens a second up to `burst`; a
 * request takes one. Bounded memory: a fixed table, where a key that has not
 * been seen for long gives its slot to a new one. Thread-safe. */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stdbool.h>

struct ratelimit;

/* A limiter of `rate` tokens a second and `burst` at most (rate > 0, burst
 * >= 1), or NULL when out of memory. */
struct ratelimit *ratelimit_new(double rate, double burst);

/* Takes a token for `key` at `now` (seconds, any monotonic origin). True when
 * allowed; otherwise false with the seconds until the next token in
 * *retry_after. */
bool ratelimit_take(struct ratelimit *rl, const char *key, double now, double *retry_after);

/* Whether `key` has a token at `now`, without taking it nor making room for
 * a key it does not follow (a key not followed has a full bucket): true, or
 * false with the seconds until the next token in *retry_after. For budgets
 * that only failures spend (ratelimit_take after each). */
bool ratelimit_peek(struct ratelimit *rl, const char *key, double now, double *retry_after);

void ratelimit_free(struct ratelimit *rl);

#endif
