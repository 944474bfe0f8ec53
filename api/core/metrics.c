#include "metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATUS_MIN   100
#define STATUS_COUNT 500
static const double bucket_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,   0.25,   0.5,   1,    2.5,   5};
#define BUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

struct route_metrics {
    atomic_ulong by_status[STATUS_COUNT];
    atomic_ulong
        buckets[BUCKETS + 1]; /* not cumulative (summed at render); last: above all bounds */
    atomic_ulong count;
    atomic_ullong sum_us;
};

struct metrics {
    size_t routes; /* route_count + 1 */
    struct route_metrics *per_route;
};

struct metrics *metrics_new(size_t route_count)
{
    struct metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->routes = route_count + 1;
    m->per_route = calloc(m->routes, sizeof *m->per_route);
    if (!m->per_route) {
        free(m);
        return NULL;
    }
    return m;
}

void metrics_free(struct metrics *m)
{
    if (m)
        free(m->per_route);
    free(m);
}

void metrics_observe(struct metrics *m, size_t route_index, int status, double seconds)
{
    if (route_index >= m->routes)
        route_index = m->routes - 1;
    struct route_metrics *rm = &m->per_route[route_index];
    if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_COUNT)
        atomic_fetch_add_explicit(&rm->by_status[status - STATUS_MIN], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < BUCKETS && seconds > bucket_bounds[b])
        b++;
    atomic_fetch_add_explicit(&rm->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rm->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rm->sum_us, (unsigned long long)(seconds * 1e6),
                              memory_order_relaxed);
}

/* A growing string buffer; on allocation failure it stops growing and
 * metrics_render returns NULL. */
struct buf {
    char *data;
    size_t len, cap;
    int failed;
};

__attribute__((format(printf, 2, 3))) static void put(struct buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
}

char *metrics_render(const struct metrics *m, const char *const *labels,
                     const struct metrics_db *db, int in_flight)
{
    struct buf b = {malloc(4096), 0, 4096, 0};
    if (!b.data)
        return NULL;
    b.data[0] = '\0';
    put(&b, "# HELP http_requests_total HTTP requests by route and status.\n"
            "# TYPE http_requests_total counter\n");
    for (size_t r = 0; r < m->routes; r++) {
        const char *label = r + 1 < m->routes ? labels[r] : "unmatched";
        for (int s = 0; s < STATUS_COUNT; s++) {
            unsigned long n = atomic_load(&m->per_route[r].by_status[s]);
            if (n)
                put(&b, "http_requests_total{route=\"%s\",status=\"%d\"} %lu\n", label,
                    s + STATUS_MIN, n);
        }
    }
    put(&b, "# HELP http_request_duration_seconds Time spent handling a request.\n"
            "# TYPE http_request_duration_seconds histogram\n");
    for (size_t r = 0; r < m->routes; r++) {
        const struct route_metrics *rm = &m->per_route[r];
        unsigned long count = atomic_load(&rm->count);
        if (!count)
            continue;
        const char *label = r + 1 < m->routes ? labels[r] : "unmatched";
        /* Every line from one reading of the buckets, so that they agree. */
        unsigned long cumulative = 0;
        for (size_t i = 0; i < BUCKETS; i++) {
            cumulative += atomic_load(&rm->buckets[i]);
            put(&b, "http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n", label,
                bucket_bounds[i], cumulative);
        }
        cumulative += atomic_load(&rm->buckets[BUCKETS]);
        put(&b, "http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n", label,
            cumulative);
        put(&b, "http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", label,
            (double)atomic_load(&rm->sum_us) / 1e6);
        put(&b, "http_request_duration_seconds_count{route=\"%s\"} %lu\n", label, cumulative);
    }
    put(&b,
        "# HELP db_pool_connections_in_use Database connections borrowed by requests.\n"
        "# TYPE db_pool_connections_in_use gauge\ndb_pool_connections_in_use %d\n"
        "# HELP db_pool_connections_max Size of the database connection pool.\n"
        "# TYPE db_pool_connections_max gauge\ndb_pool_connections_max %d\n"
        "# HELP http_requests_in_flight Requests received and not yet completed.\n"
        "# TYPE http_requests_in_flight gauge\nhttp_requests_in_flight %d\n",
        db->in_use, db->size, in_flight);
    put(&b,
        "# HELP db_pool_acquired_total Database connections borrowed by requests, by pool.\n"
        "# TYPE db_pool_acquired_total counter\n"
        "db_pool_acquired_total{pool=\"primary\"} %lu\n",
        db->acquired_primary);
    if (db->has_replica)
        put(&b,
            "db_pool_acquired_total{pool=\"replica\"} %lu\n"
            "# HELP db_replica_fallbacks_total Replica reads served by the primary "
            "(replica unreachable or its pool busy).\n"
            "# TYPE db_replica_fallbacks_total counter\ndb_replica_fallbacks_total %lu\n",
            db->acquired_replica, db->replica_fallbacks);
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    return b.data;
}
