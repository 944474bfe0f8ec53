#include "stream.h"

#include "db.h"
#include "log.h"
#include "route.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define STREAM_BLOCK_BYTES (32 * 1024)
#define STREAM_RAW_BYTES   (32 * 1024) /* text gathered before gzip compresses it */
/* gzip of a stream: windowBits 15 + 16 (the gzip wrapper), memLevel 8: about
 * 256 KB of zlib state per stream */
#define STREAM_GZIP_WINDOW (15 + 16)

enum step { STEP_HEAD, STEP_ROW, STEP_VALUE, STEP_TAIL, STEP_DONE };

struct stream {
    struct db_pool
        *pool; /* where each batch borrows its connection; NULL: no rows (a HEAD, a 304) */
    char *next_sql;
    int nparams; /* the statement's own, then after_columns of the last row */
    int after_columns;
    char **params;   /* nparams + after_columns, owned */
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
    if (s->params)
        for (int i = 0; i < s->nparams + s->after_columns; i++)
            free(s->params[i]);
    free(s->params);
    free(s->next_sql);
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

static void stream_failed(const struct stream *s, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    log_event(LOG_ERROR, "stream failed",
              json_pack("{s:s, s:s, s:i}", "request_id", s->request_id, "sqlstate",
                        state ? state : "none", "rows", (int)s->rows));
}

/* The batch after the last row of the current one, on a connection borrowed
 * for this statement only; false (logged) when the database failed. */
static bool fetch(struct stream *s)
{
    int last = PQntuples(s->batch) - 1;
    for (int c = 0; c < s->after_columns; c++) {
        free(s->params[s->nparams + c]);
        s->params[s->nparams + c] = strdup(PQgetvalue(s->batch, last, 1 + c));
        if (!s->params[s->nparams + c]) {
            stream_failed(s, NULL);
            return false;
        }
    }
    PQclear(s->batch);
    s->batch = NULL;
    s->next = 0;
    int slot;
    if (!db_pool_acquire(s->pool, &slot)) {
        stream_failed(s, NULL);
        return false;
    }
    s->batch = db_pool_exec(s->pool, slot, s->next_sql, s->nparams + s->after_columns,
                            (const char *const *)s->params);
    db_pool_release(s->pool, slot);
    if (PQresultStatus(s->batch) == PGRES_TUPLES_OK)
        return true;
    stream_failed(s, s->batch);
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
            /* a batch short of HTTP_STREAM_BATCH_ROWS was the last one */
            if (PQntuples(s->batch) < HTTP_STREAM_BATCH_ROWS) {
                s->step = STEP_TAIL;
                return advance(s);
            }
            if (!fetch(s))
                return false;
            if (PQntuples(s->batch) == 0) {
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

/* Copies what the batches after the first need; false when out of memory. */
static bool keep_statement(struct stream *st, const struct http_stream *s)
{
    st->nparams = s->nparams;
    st->after_columns = s->after_columns;
    st->next_sql = strdup(s->next_sql);
    st->params = calloc((size_t)(s->nparams + s->after_columns), sizeof *st->params);
    if (!st->next_sql || !st->params)
        return false;
    for (int i = 0; i < s->nparams; i++)
        if (s->params[i] && !(st->params[i] = strdup(s->params[i])))
            return false;
    return true;
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
        if (!keep_statement(st, s)) {
            stream_free(st);
            http_problem_msg(r, 500, "internal", MSG_INTERNAL);
            return;
        }
        st->batch = http_sql(r, s->sql, s->nparams, s->params, false);
        if (!st->batch) {
            stream_free(st);
            return;
        }
        st->pool = r->db_pool;
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
