#include "stream.h"

#include "core_sql.h"
#include "db.h"
#include "log.h"
#include "route.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define STREAM_BLOCK_BYTES (32 * 1024)
#define STREAM_BATCH_ROWS  256  /* rows held per stream: about 300 KB of GeoJSON */
#define STREAM_WAIT_MS     2000 /* how long a stream waits for its turn (db_pool_acquire's) */
#define STREAM_POLL_MS     10
#define STREAM_RAW_BYTES   (32 * 1024) /* text gathered before gzip compresses it */
/* gzip of a stream: windowBits 15 + 16 (the gzip wrapper), memLevel 8: about
 * 256 KB of zlib state per stream */
#define STREAM_GZIP_WINDOW (15 + 16)

enum step { STEP_HEAD, STEP_ROW, STEP_VALUE, STEP_TAIL, STEP_DONE };

struct stream {
    atomic_int *gate;     /* app->streams, while this stream counts there; NULL otherwise */
    struct db_pool *pool; /* NULL: no connection held (a HEAD, a 304) */
    int slot;
    PGconn *db;
    PGresult *batch; /* the rows fetched and not all written yet */
    int next;        /* the next row of the batch */
    long rows;       /* rows written */
    enum step step;
    const char *value; /* the row after the separator being written */
    const char *piece; /* what is being written, and what is left of it */
    size_t left;
    char *head, *separator, *tail;
    char request_id[65];
    bool gzip;      /* Content-Encoding: gzip: z compresses what raw_read writes */
    bool raw_done;  /* raw_read has written the tail */
    bool gzip_done; /* deflate has written the gzip trailer */
    z_stream z;
    char *raw; /* STREAM_RAW_BYTES, when gzip */
};

static void stream_free(void *data)
{
    struct stream *s = data;
    PQclear(s->batch);
    if (s->pool) /* rolls back the transaction, and with it the cursor */
        db_pool_release(s->pool, s->slot);
    if (s->gate)
        atomic_fetch_sub(s->gate, 1);
    if (s->gzip)
        deflateEnd(&s->z);
    free(s->raw);
    free(s->head);
    free(s->separator);
    free(s->tail);
    free(s);
}

static void set_piece(struct stream *s, const char *text)
{
    s->piece = text;
    s->left = strlen(text);
}

/* The next batch of the cursor; false (logged) when the database failed. */
static bool fetch(struct stream *s)
{
    char sql[64];
    snprintf(sql, sizeof sql, CORE_SQL_STREAM_FETCH, STREAM_BATCH_ROWS);
    PQclear(s->batch);
    s->batch = PQexec(s->db, sql);
    s->next = 0;
    if (PQresultStatus(s->batch) == PGRES_TUPLES_OK)
        return true;
    const char *state = PQresultErrorField(s->batch, PG_DIAG_SQLSTATE);
    log_event(LOG_ERROR, "stream failed",
              json_pack("{s:s, s:s, s:i}", "request_id", s->request_id, "sqlstate",
                        state ? state : "none", "rows", (int)s->rows));
    return false;
}

/* Moves to the next piece to write; false when the database failed. */
static bool advance(struct stream *s)
{
    switch (s->step) {
    case STEP_HEAD:
        set_piece(s, s->head);
        s->step = s->pool ? STEP_ROW : STEP_TAIL;
        return true;
    case STEP_ROW:
        if (s->next >= PQntuples(s->batch)) {
            /* a batch short of STREAM_BATCH_ROWS was the last one */
            if (PQntuples(s->batch) < STREAM_BATCH_ROWS || !fetch(s) || PQntuples(s->batch) == 0) {
                if (PQresultStatus(s->batch) != PGRES_TUPLES_OK)
                    return false;
                s->step = STEP_TAIL;
                return advance(s);
            }
        }
        s->value = PQgetvalue(s->batch, s->next++, 0);
        if (s->rows++ > 0) {
            set_piece(s, s->separator);
            s->step = STEP_VALUE;
        } else {
            set_piece(s, s->value);
        }
        return true;
    case STEP_VALUE:
        set_piece(s, s->value);
        s->step = STEP_ROW;
        return true;
    case STEP_TAIL:
        set_piece(s, s->tail);
        s->step = STEP_DONE;
        return true;
    case STEP_DONE: break;
    }
    return true;
}

/* Writes up to `max` bytes of the document into buf; 0 once it is all
 * written, -1 when the database failed. */
static ssize_t raw_read(struct stream *s, char *buf, size_t max)
{
    size_t written = 0;
    while (written < max) {
        if (s->left == 0) {
            if (s->step == STEP_DONE)
                break;
            if (!advance(s))
                return -1;
            continue;
        }
        size_t n = s->left < max - written ? s->left : max - written;
        memcpy(buf + written, s->piece, n);
        s->piece += n;
        s->left -= n;
        written += n;
    }
    return (ssize_t)written;
}

/* The same, gzipped: as much as fits in buf, or 0 after the trailer. */
static ssize_t gzip_read(struct stream *s, char *buf, size_t max)
{
    z_stream *z = &s->z;
    z->next_out = (Bytef *)buf;
    z->avail_out = (uInt)max;
    while (z->avail_out > 0 && !s->gzip_done) {
        if (z->avail_in == 0 && !s->raw_done) {
            ssize_t n = raw_read(s, s->raw, STREAM_RAW_BYTES);
            if (n < 0)
                return -1;
            s->raw_done = n == 0;
            z->next_in = (Bytef *)s->raw;
            z->avail_in = (uInt)n;
        }
        int rc = deflate(z, s->raw_done ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_END)
            s->gzip_done = true;
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return -1;
    }
    return (ssize_t)(max - z->avail_out);
}

/* libmicrohttpd's content reader: fills `buf` with up to `max` bytes. */
static ssize_t stream_read(void *data, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *s = data;
    ssize_t n = s->gzip ? gzip_read(s, buf, max) : raw_read(s, buf, max);
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

/* Cache-Control, Vary, Last-Modified; true after answering 304. */
static bool not_modified(struct req *r, const struct http_stream *s)
{
    http_cache_control(r, s->max_age);
    if (s->varies_by_accept)
        http_vary(r, "Accept");
    http_vary(r, "Accept-Encoding");
    if (r->route && (r->route->flags & ROUTE_OPEN_DATA))
        http_vary(r, "Authorization");
    if (s->last_modified <= 0)
        return false;
    char modified[40];
    http_date(s->last_modified, modified, sizeof modified);
    http_set_header(r, "Last-Modified", modified);
    if (http_header(r, "If-None-Match") || http_if_modified_since(r) < s->last_modified)
        return false;
    /* no body, and no Content-Length (the 200's is unknown): a stream of
     * unknown size, of which libmicrohttpd sends nothing for a 304 */
    return true;
}

/* Streams that may hold a connection at once: all of the pool but one (at
 * least one), so that a crowd loading the map leaves a connection to every
 * other route. */
static int stream_cap(const struct req *r)
{
    int size = r->app->cfg->db_pool_size;
    return size > 1 ? size - 1 : 1;
}

/* Counts the stream in app->streams, waiting up to STREAM_WAIT_MS for a
 * place as db_pool_acquire waits for a connection (and holding none while it
 * waits); false after having answered 503 with Retry-After. */
static bool enter(struct req *r, struct stream *st)
{
    atomic_int *gate = &r->app->streams;
    for (int waited = 0;; waited += STREAM_POLL_MS) {
        int n = atomic_load(gate);
        while (n < stream_cap(r))
            if (atomic_compare_exchange_weak(gate, &n, n + 1)) {
                st->gate = gate;
                return true;
            }
        if (waited >= STREAM_WAIT_MS)
            break;
        if (r->db) { /* no connection held while waiting (the handler's Last-Modified one) */
            db_pool_release(r->db_pool, r->db_slot);
            r->db = NULL;
        }
        struct timespec pause = {0, STREAM_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    http_problem_msg(r, 503, "busy", MSG_STREAM_BUSY); /* with Retry-After */
    return false;
}

/* Declares the cursor in a transaction and fetches its first batch; NULL
 * after having answered. */
static PGresult *first_batch(struct req *r, const struct http_stream *s)
{
    if (!http_connection(r) || !http_begin(r))
        return NULL;
    char *declare = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&declare, &len);
    fprintf(out, CORE_SQL_STREAM_DECLARE, s->sql);
    fclose(out);
    PGresult *res = PQexecParams(r->db, declare, s->nparams, NULL, s->params, NULL, NULL, 0);
    free(declare);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        char fetch_sql[64];
        snprintf(fetch_sql, sizeof fetch_sql, CORE_SQL_STREAM_FETCH, STREAM_BATCH_ROWS);
        res = PQexec(r->db, fetch_sql);
        if (PQresultStatus(res) == PGRES_TUPLES_OK)
            return res;
    }
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    bool unavailable = db_is_unavailable(r->db, res);
    log_event(
        unavailable ? LOG_WARN : LOG_ERROR, "database statement failed",
        json_pack("{s:s, s:s}", "request_id", r->request_id, "sqlstate", state ? state : "none"));
    PQclear(res);
    if (unavailable)
        http_problem_msg(r, 503, "database-unavailable", MSG_DATABASE_UNAVAILABLE);
    else
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
    return NULL;
}

/* Content-Encoding: gzip for the stream; false when out of memory. */
static bool start_gzip(struct stream *st)
{
    st->raw = malloc(STREAM_RAW_BYTES);
    if (!st->raw || deflateInit2(&st->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, STREAM_GZIP_WINDOW, 8,
                                 Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    st->gzip = true;
    return true;
}

void http_stream_rows(struct req *r, const struct http_stream *s)
{
    struct stream *st = calloc(1, sizeof *st);
    if (!st) {
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
        return;
    }
    st->head = strdup(s->head);
    st->separator = strdup(s->separator);
    st->tail = strdup(s->tail);
    snprintf(st->request_id, sizeof st->request_id, "%s", r->request_id);
    bool head_only = strcmp(r->in->http_verb, "HEAD") == 0;
    if (!st->head || !st->separator || !st->tail) {
        stream_free(st);
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
        return;
    }
    int status = 200;
    if (not_modified(r, s)) {
        status = 304;
    } else if (!head_only) {
        PGresult *first = enter(r, st) ? first_batch(r, s) : NULL;
        if (!first) {
            stream_free(st);
            return;
        }
        /* the stream owns the connection from here: the router leaves it */
        st->pool = r->db_pool;
        st->slot = r->db_slot;
        st->db = r->db;
        st->batch = first;
        r->db = NULL;
    }
    if (status == 304)
        st->step = STEP_DONE;
    else if (http_accepts_gzip(http_header(r, "Accept-Encoding")) && !start_gzip(st)) {
        stream_free(st);
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
        return;
    }
    if (ulfius_set_stream_response(r->out, (unsigned)status, stream_read, stream_free,
                                   U_STREAM_SIZE_UNKNOWN, STREAM_BLOCK_BYTES, st) != U_OK) {
        stream_free(st);
        http_problem_msg(r, 500, "internal", MSG_INTERNAL);
        return;
    }
    if (status == 200)
        http_set_header(r, "Content-Type", s->content_type);
    if (st->gzip)
        http_set_header(r, "Content-Encoding", "gzip");
    r->answered = true;
}
