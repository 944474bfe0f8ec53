/* Prometheus counters: requests by route and status, a latency histogram, the
 * database pools. */
#ifndef METRICS_H
#define METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct metrics;

/* Counters for `route_count` routes plus one for unmatched paths. The caller
 * frees with metrics_free. */
struct metrics *metrics_new(size_t route_count);
void metrics_free(struct metrics *m);

/* Records one request; route_index == route_count for an unmatched path. */
void metrics_observe(struct metrics *m, size_t route_index, int status, double seconds);

/* The database figures of /metrics, read by the caller from the pools. */
struct metrics_db {
    int in_use, size;               /* the primary's pool */
    unsigned long acquired_primary; /* connections borrowed since start, per pool */
    unsigned long acquired_replica;
    unsigned long replica_fallbacks; /* replica_ok requests served by the primary */
    bool has_replica;                /* DATABASE_READ_URL set: the replica lines are shown */
};

/* The text exposition format (version 0.0.4). `labels[i]` names route i as
 * "METHOD pattern". Returns a string the caller frees. */
char *metrics_render(const struct metrics *m, const char *const *labels,
                     const struct metrics_db *db, int in_flight);

#endif
