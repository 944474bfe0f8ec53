#include "db.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACQUIRE_WAIT_MS  2000
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS   2000

struct slot {
    PGconn *conn;
    bool busy;
    long long retry_at_ms; /* no reconnection attempt before this time */
    int backoff_ms;
};

struct db_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    char *url;
    int statement_timeout_ms;
    bool read_only;
    int size;
    int in_use;
    atomic_ulong acquired; /* connections handed out since start, for /metrics */
    struct slot *slots;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Server notices (a FATAL before a restart, say) would go to stderr raw: the
 * service reports what matters through its own statuses and log. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *connect_with(const char *url, int statement_timeout_ms, bool read_only, char *err,
                            size_t err_len)
{
    /* The service's queries are short: JIT compilation (8.5 ms measured on a
     * 6 ms nearest-places query) and parallel workers cost more than they save. */
    char options[320];
    snprintf(options, sizeof options,
             "-c search_path=public -c statement_timeout=%d -c TimeZone=Europe/Paris "
             "-c idle_in_transaction_session_timeout=60000 -c jit=off "
             "-c max_parallel_workers_per_gather=0%s",
             statement_timeout_ms, read_only ? " -c default_transaction_read_only=on" : "");
    /* fallback_application_name: an application_name in the URL wins, so that
     * operators (and tests) can tell the pools apart in pg_stat_activity. */
    const char *const keys[] = {"dbname",          "options",
                                "connect_timeout", "fallback_application_name",
                                "keepalives_idle", NULL};
    const char *const values[] = {url, options, "3", "inclusion-api", "30", NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (PQstatus(conn) != CONNECTION_OK) {
        if (err) {
            /* The first line only: libpq's message never holds the password. */
            snprintf(err, err_len, "%s", PQerrorMessage(conn));
            err[strcspn(err, "\n")] = '\0';
        }
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, ignore_notice, NULL);
    return conn;
}

PGconn *db_connect(const char *url, int statement_timeout_ms, char *err, size_t err_len)
{
    return connect_with(url, statement_timeout_ms, false, err, err_len);
}

struct db_pool *db_pool_new(const char *url, int size, int statement_timeout_ms, bool read_only)
{
    struct db_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->slots = calloc((size_t)size, sizeof *pool->slots);
    pool->url = strdup(url);
    if (!pool->slots || !pool->url) {
        free(pool->slots);
        free(pool->url);
        free(pool);
        return NULL;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->freed, NULL);
    pool->size = size;
    pool->statement_timeout_ms = statement_timeout_ms;
    pool->read_only = read_only;
    return pool;
}

void db_pool_free(struct db_pool *pool)
{
    if (!pool)
        return;
    for (int i = 0; i < pool->size; i++)
        PQfinish(pool->slots[i].conn);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->freed);
    free(pool->slots);
    free(pool->url);
    free(pool);
}

/* Whether an idle connection is still alive. An idle connection has nothing
 * to read: anything waiting is the server saying goodbye (a termination
 * notice before a restart) or the socket closing. */
static bool still_alive(PGconn *conn)
{
    if (PQstatus(conn) != CONNECTION_OK)
        return false;
    struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

static struct slot *take_slot(struct db_pool *pool)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += ACQUIRE_WAIT_MS / 1000;
    pthread_mutex_lock(&pool->lock);
    struct slot *found = NULL;
    while (!found) {
        /* Prefer a slot with an open connection. */
        for (int i = 0; i < pool->size && !found; i++)
            if (!pool->slots[i].busy && pool->slots[i].conn)
                found = &pool->slots[i];
        for (int i = 0; i < pool->size && !found; i++)
            if (!pool->slots[i].busy)
                found = &pool->slots[i];
        if (!found && pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline) != 0)
            break;
    }
    if (found) {
        found->busy = true;
        pool->in_use++;
    }
    pthread_mutex_unlock(&pool->lock);
    return found;
}

static void give_back(struct db_pool *pool, struct slot *s)
{
    pthread_mutex_lock(&pool->lock);
    s->busy = false;
    pool->in_use--;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}

PGconn *db_pool_acquire(struct db_pool *pool, int *slot)
{
    struct slot *s = take_slot(pool);
    if (!s)
        return NULL;
    *slot = (int)(s - pool->slots);
    if (s->conn && !still_alive(s->conn)) {
        PQfinish(s->conn);
        s->conn = NULL;
    }
    if (!s->conn) {
        /* The slot is ours alone while busy: its fields need no lock. */
        if (now_ms() < s->retry_at_ms) {
            give_back(pool, s);
            return NULL;
        }
        s->conn = connect_with(pool->url, pool->statement_timeout_ms, pool->read_only, NULL, 0);
        if (!s->conn) {
            s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : BACKOFF_FIRST_MS;
            if (s->backoff_ms > BACKOFF_MAX_MS)
                s->backoff_ms = BACKOFF_MAX_MS;
            s->retry_at_ms = now_ms() + s->backoff_ms;
            give_back(pool, s);
            return NULL;
        }
        s->backoff_ms = 0;
    }
    atomic_fetch_add_explicit(&pool->acquired, 1, memory_order_relaxed);
    return s->conn;
}

void db_pool_release(struct db_pool *pool, int slot)
{
    struct slot *s = &pool->slots[slot];
    PGconn *conn = s->conn;
    if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
        PQclear(PQexec(conn, "ROLLBACK"));
    if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE) {
        PQfinish(conn);
        s->conn = NULL;
    }
    give_back(pool, s);
}

int db_pool_in_use(struct db_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    int n = pool->in_use;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

unsigned long db_pool_acquired(struct db_pool *pool)
{
    return atomic_load_explicit(&pool->acquired, memory_order_relaxed);
}

bool db_is_unavailable(const PGconn *conn, const PGresult *res)
{
    if (PQstatus(conn) != CONNECTION_OK || !res)
        return true;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (!state)
        return PQresultStatus(res) == PGRES_FATAL_ERROR;
    /* 08: connection exception; 57P0x: shutdown, crash, cannot connect now;
     * 57014: statement timeout; 53: insufficient resources. */
    return strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
           strcmp(state, "57014") == 0 || strncmp(state, "53", 2) == 0;
}
