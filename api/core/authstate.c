#include "authstate.h"

#include "core_sql.h"
#include "db.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One row of the view: an organisation or a client (active), or a revoked
 * jti (expires). Keys point into the snapshot's arena. */
struct entry {
    const char *key;
    bool active;
    long long expires;
};

/* An immutable view; the current one is swapped whole under the lock. */
struct snapshot {
    struct entry *orgs, *clients, *jtis;
    size_t n_orgs, n_clients, n_jtis;
    char *arena;
};

struct authstate {
    pthread_rwlock_t lock;
    struct snapshot *view;  /* NULL before the first load */
    atomic_llong loaded_at; /* when the view was read; 0: invalidated */
    atomic_ulong changes;   /* authstate_invalidate calls: a reload that began
                             * before one does not count as fresh */
    char *url;
    int timeout_ms;
    int wake[2]; /* a pipe: authstate_free writes to it to stop the thread */
    pthread_t thread;
    bool started;
};

static void snapshot_free(struct snapshot *v)
{
    if (!v)
        return;
    free(v->orgs);
    free(v->clients);
    free(v->jtis);
    free(v->arena);
    free(v);
}

/* The rows of CORE_SQL_AUTH_STATE as a snapshot (rows come sorted by kind,
 * then key in byte order: each list is ready for bsearch). */
static struct snapshot *snapshot_of(const PGresult *rows)
{
    int n = PQntuples(rows);
    size_t bytes = 0;
    for (int i = 0; i < n; i++)
        bytes += (size_t)PQgetlength(rows, i, 1) + 1;
    struct snapshot *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->arena = malloc(bytes ? bytes : 1);
    v->orgs = calloc((size_t)n + 1, sizeof *v->orgs);
    v->clients = calloc((size_t)n + 1, sizeof *v->clients);
    v->jtis = calloc((size_t)n + 1, sizeof *v->jtis);
    if (!v->arena || !v->orgs || !v->clients || !v->jtis) {
        snapshot_free(v);
        return NULL;
    }
    char *at = v->arena;
    for (int i = 0; i < n; i++) {
        const char *kind = PQgetvalue(rows, i, 0);
        struct entry e = {.key = at,
                          .active = strcmp(PQgetvalue(rows, i, 2), "true") == 0 ||
                                    strcmp(PQgetvalue(rows, i, 2), "t") == 0,
                          .expires = atoll(PQgetvalue(rows, i, 3))};
        size_t len = (size_t)PQgetlength(rows, i, 1);
        memcpy(at, PQgetvalue(rows, i, 1), len + 1);
        at += len + 1;
        if (kind[0] == 'o')
            v->orgs[v->n_orgs++] = e;
        else if (kind[0] == 'c')
            v->clients[v->n_clients++] = e;
        else if (kind[0] == 'j')
            v->jtis[v->n_jtis++] = e;
        else {
            snapshot_free(v);
            return NULL;
        }
    }
    return v;
}

static int by_key(const void *key, const void *e)
{
    return strcmp(key, ((const struct entry *)e)->key);
}

static const struct entry *find(const struct entry *list, size_t n, const char *key)
{
    return bsearch(key, list, n, sizeof *list, by_key);
}

/* Swaps in the rows, read at `now` after `changes` invalidations. */
static bool replace(struct authstate *s, const PGresult *rows, time_t now, unsigned long changes)
{
    struct snapshot *fresh = snapshot_of(rows);
    if (!fresh)
        return false;
    pthread_rwlock_wrlock(&s->lock);
    struct snapshot *old = s->view;
    s->view = fresh;
    if (atomic_load(&s->changes) == changes)
        atomic_store(&s->loaded_at, (long long)now);
    pthread_rwlock_unlock(&s->lock);
    snapshot_free(old);
    return true;
}

bool authstate_replace(struct authstate *s, const PGresult *rows, time_t now)
{
    return replace(s, rows, now, atomic_load(&s->changes));
}

/* One query on `conn`, then the swap. */
static bool reload(struct authstate *s, PGconn *conn, char *err, size_t err_len)
{
    time_t now = time(NULL);
    unsigned long changes = atomic_load(&s->changes);
    PGresult *rows = PQexec(conn, CORE_SQL_AUTH_STATE);
    bool ok = PQresultStatus(rows) == PGRES_TUPLES_OK && replace(s, rows, now, changes);
    if (!ok)
        snprintf(err, err_len, "%s",
                 PQresultStatus(rows) == PGRES_TUPLES_OK ? "the view could not be built"
                                                         : PQresultErrorMessage(rows));
    PQclear(rows);
    return ok;
}

enum authstate_answer authstate_check(struct authstate *s, const char *org, const char *jti,
                                      const char *client, time_t now)
{
    long long loaded = atomic_load(&s->loaded_at);
    if (loaded == 0 || now - loaded > AUTHSTATE_MAX_AGE_S)
        return AUTHSTATE_ASK_DATABASE;
    enum authstate_answer answer = AUTHSTATE_ADMIT;
    pthread_rwlock_rdlock(&s->lock);
    const struct snapshot *v = s->view;
    const struct entry *e = v ? find(v->orgs, v->n_orgs, org) : NULL;
    if (!e)
        answer = AUTHSTATE_ASK_DATABASE;
    else if (!e->active)
        answer = AUTHSTATE_ORG_INACTIVE;
    else if (jti && (e = find(v->jtis, v->n_jtis, jti)) != NULL)
        answer = AUTHSTATE_REVOKED;
    else if (client && !(e = find(v->clients, v->n_clients, client)))
        answer = AUTHSTATE_ASK_DATABASE;
    else if (client && !e->active)
        answer = AUTHSTATE_CLIENT_INACTIVE;
    pthread_rwlock_unlock(&s->lock);
    return answer;
}

void authstate_invalidate(struct authstate *s)
{
    if (s) {
        atomic_fetch_add(&s->changes, 1);
        atomic_store(&s->loaded_at, 0);
    }
}

/* Waits for a notification on `conn`, the stop pipe, or the refresh period;
 * false when asked to stop. */
static bool wait_for_change(struct authstate *s, PGconn *conn)
{
    /* a notification that arrived during the reload is already in libpq's
     * buffer, where poll cannot see it: reload again at once */
    PGnotify *early = conn ? PQnotifies(conn) : NULL;
    if (early) {
        do
            PQfreemem(early);
        while ((early = PQnotifies(conn)) != NULL);
        return true;
    }
    struct pollfd fds[2] = {{.fd = s->wake[0], .events = POLLIN},
                            {.fd = conn ? PQsocket(conn) : -1, .events = POLLIN}};
    int ready = poll(fds, conn ? 2 : 1, AUTHSTATE_REFRESH_S * 1000);
    if (ready > 0 && (fds[0].revents & POLLIN))
        return false;
    if (conn && ready > 0 && (fds[1].revents & POLLIN)) {
        PQconsumeInput(conn);
        PGnotify *note;
        while ((note = PQnotifies(conn)) != NULL)
            PQfreemem(note);
    }
    return true;
}

static PGconn *listen_on(struct authstate *s, char *err, size_t err_len)
{
    PGconn *conn = db_connect(s->url, s->timeout_ms, err, err_len);
    if (!conn)
        return NULL;
    PGresult *res = PQexec(conn, CORE_SQL_AUTH_LISTEN);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(err, err_len, "%s", PQresultErrorMessage(res));
    PQclear(res);
    if (!ok) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

static void *keep_current(void *arg)
{
    struct authstate *s = arg;
    PGconn *conn = NULL;
    do {
        char err[512] = "";
        if (!conn || PQstatus(conn) != CONNECTION_OK) {
            PQfinish(conn);
            conn = listen_on(s, err, sizeof err);
        }
        /* listening first, then reading: no change falls between the two */
        if (!conn || !reload(s, conn, err, sizeof err)) {
            log_event(LOG_WARN, "cannot refresh the guard's view",
                      json_pack("{s:s}", "error", err));
            PQfinish(conn);
            conn = NULL;
        }
    } while (wait_for_change(s, conn));
    PQfinish(conn);
    return NULL;
}

struct authstate *authstate_new(void)
{
    struct authstate *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_rwlock_init(&s->lock, NULL);
    s->wake[0] = s->wake[1] = -1;
    return s;
}

bool authstate_start(struct authstate *s, const char *url, int statement_timeout_ms, char *err,
                     size_t err_len)
{
    s->url = strdup(url);
    s->timeout_ms = statement_timeout_ms;
    if (!s->url || pipe(s->wake) != 0) {
        snprintf(err, err_len, "%s", strerror(errno));
        return false;
    }
    s->started = pthread_create(&s->thread, NULL, keep_current, s) == 0;
    if (!s->started)
        snprintf(err, err_len, "cannot start the guard's view thread");
    return s->started;
}

void authstate_free(struct authstate *s)
{
    if (!s)
        return;
    if (s->started) {
        ssize_t n = write(s->wake[1], "x", 1);
        (void)n;
        pthread_join(s->thread, NULL);
    }
    if (s->wake[0] >= 0)
        close(s->wake[0]);
    if (s->wake[1] >= 0)
        close(s->wake[1]);
    pthread_rwlock_destroy(&s->lock);
    snapshot_free(s->view);
    free(s->url);
    free(s);
}
