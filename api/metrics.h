/* Prometheus counters: requests by route and status, a latency histogram. */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

struct metrics;

/* Counters for `route_count` routes plus one for unmatched paths. The caller
 * frees with metrics_free. */
struct metrics *metrics_new(size_t route_count);
void metrics_free(struct metrics *m);

/* Records one request; route_index == route_count for an unmatched path. */
void metrics_observe(struct metrics *m, size_t route_index, int status, double seconds);

/* The text exposition format (version 0.0.4). `labels[i]` names route i as
 * "METHOD pattern". Returns a string the caller frees. */
char *metrics_render(const struct metrics *m, const char *const *labels, int pool_in_use,
                     int pool_size, int in_flight);

#endif
