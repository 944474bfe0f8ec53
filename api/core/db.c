#include "db.h"

#include "core_sql.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACQUIRE_WAIT_MS  2000
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS   2000
/* Statements prepared per connection: the service has about 150 distinct
 * statement texts (places queries vary with their filters); past this, the
 * others run unnamed, as before. */
#define PREPARED_MAX 256

/* A statement prepared on a connection, named "s<index>" in its slot. */
struct prepared {
    uint64_t hash;
    char *sql; /* owned */
};

struct slot {
    PGconn *conn;
    struct prepared *prepared; /* owned; PREPARED_MAX, allocated on first use */
    int nprepared;
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
    bool prepare;
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

/* Closes the slot's connection: the statements prepared on it go with it. */
static void close_slot(struct slot *s)
{
    PQfinish(s->conn);
    s->conn = NULL;
    for (int i = 0; i < s->nprepared; i++)
        free(s->prepared[i].sql);
    s->nprepared = 0;
}

struct db_pool *db_pool_new(const char *url, int size, int statement_timeout_ms, bool read_only,
                            bool prepare)
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
    pool->prepare = prepare;
    return pool;
}

void db_pool_free(struct db_pool *pool)
{
    if (!pool)
        return;
    for (int i = 0; i < pool->size; i++) {
        close_slot(&pool->slots[i]);
        free(pool->slots[i].prepared);
    }
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
    if (s->conn && !still_alive(s->conn))
        close_slot(s);
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
        PQclear(PQexec(conn, CORE_SQL_ROLLBACK));
    if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE)
        close_slot(s);
    give_back(pool, s);
}

static uint64_t fnv1a(const char *text)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

PGresult *db_pool_exec(struct db_pool *pool, int slot, const char *sql, int nparams,
                       const char *const *params)
{
    struct slot *s = &pool->slots[slot];
    if (!pool->prepare)
        return PQexecParams(s->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    uint64_t hash = fnv1a(sql);
    char name[16];
    for (int i = 0; i < s->nprepared; i++)
        if (s->prepared[i].hash == hash && strcmp(s->prepared[i].sql, sql) == 0) {
            snprintf(name, sizeof name, "s%d", i);
            return PQexecPrepared(s->conn, name, nparams, params, NULL, NULL, 0);
        }
    if (!s->prepared)
        s->prepared = calloc(PREPARED_MAX, sizeof *s->prepared);
    char *copy = s->prepared && s->nprepared < PREPARED_MAX ? strdup(sql) : NULL;
    if (copy) {
        snprintf(name, sizeof name, "s%d", s->nprepared);
        PGresult *prepared = PQprepare(s->conn, name, sql, nparams, NULL);
        bool ok = PQresultStatus(prepared) == PGRES_COMMAND_OK;
        PQclear(prepared);
        if (ok) {
            s->prepared[s->nprepared++] = (struct prepared){.hash = hash, .sql = copy};
            return PQexecPrepared(s->conn, name, nparams, params, NULL, NULL, 0);
        }
        free(copy);
    }
    /* Not prepared (cache full, no memory, or the statement failed to
     * prepare, in an aborted transaction say): unnamed, whose result carries
     * the error if there is one. */
    return PQexecParams(s->conn, sql, nparams, NULL, params, NULL, NULL, 0);
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
