#include "stream.h"

#include "db.h"
#include "log.h"
#include "route.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_BLOCK_BYTES (32 * 1024)

enum step { STEP_HEAD, STEP_ROW, STEP_VALUE, STEP_TAIL, STEP_DONE };

struct stream {
    struct db_pool *pool; /* NULL: a HEAD, no connection held */
    int slot;
    PGconn *db;
    PGresult *row;   /* the row being written, or the first result */
    bool first_kept; /* s->row is the first result, not yet consumed */
    bool reading;    /* the statement still has results to read */
    long rows;
    enum step step;
    const char *piece; /* what is being written, and what is left of it */
    size_t left;
    char *head, *separator, *tail;
    char request_id[65];
};

static void drain(struct stream *s)
{
    PGresult *res;
    while ((res = PQgetResult(s->db)))
        PQclear(res);
    s->reading = false;
}

static void stream_free(void *data)
{
    struct stream *s = data;
    PQclear(s->row);
    if (s->pool) {
        if (s->reading) { /* the client went away (or the stream failed) mid-way */
            PGcancel *cancel = PQgetCancel(s->db);
            char err[256];
            if (cancel) {
                PQcancel(cancel, err, sizeof err);
                PQfreeCancel(cancel);
            }
            drain(s);
        }
        db_pool_release(s->pool, s->slot); /* rolls back what is open */
    }
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

/* Moves to the next piece to write; false when the statement failed. */
static bool advance(struct stream *s)
{
    switch (s->step) {
    case STEP_HEAD:
        set_piece(s, s->head);
        s->step = s->pool ? STEP_ROW : STEP_TAIL;
        return true;
    case STEP_ROW:
        if (s->first_kept) {
            s->first_kept = false;
        } else {
            PQclear(s->row);
            s->row = PQgetResult(s->db);
        }
        switch (PQresultStatus(s->row)) {
        case PGRES_SINGLE_TUPLE:
            if (s->rows++ > 0) {
                set_piece(s, s->separator);
                s->step = STEP_VALUE;
            } else {
                set_piece(s, PQgetvalue(s->row, 0, 0));
            }
            return true;
        case PGRES_TUPLES_OK:
            drain(s); /* the NULL that ends the statement */
            s->step = STEP_TAIL;
            return advance(s);
        default:
            log_event(LOG_ERROR, "stream failed",
                      json_pack("{s:s, s:s, s:i}", "request_id", s->request_id, "sqlstate",
                                PQresultErrorField(s->row, PG_DIAG_SQLSTATE)
                                    ? PQresultErrorField(s->row, PG_DIAG_SQLSTATE)
                                    : "none",
                                "rows", (int)s->rows));
            return false;
        }
    case STEP_VALUE:
        set_piece(s, PQgetvalue(s->row, 0, 0));
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

/* libmicrohttpd's content reader: fills `buf` with up to `max` bytes. */
static ssize_t stream_read(void *data, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *s = data;
    size_t written = 0;
    while (written < max) {
        if (s->left == 0) {
            if (s->step == STEP_DONE)
                break;
            if (!advance(s))
                return MHD_CONTENT_READER_END_WITH_ERROR;
            continue;
        }
        size_t n = s->left < max - written ? s->left : max - written;
        memcpy(buf + written, s->piece, n);
        s->piece += n;
        s->left -= n;
        written += n;
    }
    if (written == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return (ssize_t)written;
}

/* Cache-Control, Vary, Last-Modified; true after answering 304. */
static bool not_modified(struct req *r, const struct http_stream *s)
{
    http_cache_control(r, s->max_age);
    if (s->varies_by_accept)
        http_vary(r, "Accept");
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

/* The statement's first result, or NULL after having answered. */
static PGresult *send_statement(struct req *r, const struct http_stream *s)
{
    if (!http_connection(r))
        return NULL;
    PGresult *first = NULL;
    if (PQsendQueryParams(r->db, s->sql, s->nparams, NULL, s->params, NULL, NULL, 0) &&
        PQsetSingleRowMode(r->db))
        first = PQgetResult(r->db);
    ExecStatusType st = PQresultStatus(first);
    if (first && (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK))
        return first;
    const char *state = first ? PQresultErrorField(first, PG_DIAG_SQLSTATE) : NULL;
    bool unavailable = db_is_unavailable(r->db, first);
    log_event(
        unavailable ? LOG_WARN : LOG_ERROR, "database statement failed",
        json_pack("{s:s, s:s}", "request_id", r->request_id, "sqlstate", state ? state : "none"));
    PQclear(first);
    PGresult *res;
    while ((res = PQgetResult(r->db)))
        PQclear(res);
    if (unavailable)
        http_problem(r, 503, "database-unavailable", "The database is unreachable; retry shortly.");
    else
        http_problem(r, 500, "internal", "An internal error occurred; it has been logged.");
    return NULL;
}

void http_stream_rows(struct req *r, const struct http_stream *s)
{
    struct stream *st = calloc(1, sizeof *st);
    if (!st) {
        http_problem(r, 500, "internal", "An internal error occurred; it has been logged.");
        return;
    }
    st->head = strdup(s->head);
    st->separator = strdup(s->separator);
    st->tail = strdup(s->tail);
    snprintf(st->request_id, sizeof st->request_id, "%s", r->request_id);
    bool head_only = strcmp(r->in->http_verb, "HEAD") == 0;
    if (!st->head || !st->separator || !st->tail) {
        stream_free(st);
        http_problem(r, 500, "internal", "An internal error occurred; it has been logged.");
        return;
    }
    int status = 200;
    if (not_modified(r, s)) {
        status = 304;
    } else if (!head_only) {
        PGresult *first = send_statement(r, s);
        if (!first) {
            stream_free(st);
            return;
        }
        /* the stream owns the connection from here: the router leaves it */
        st->pool = r->db_pool;
        st->slot = r->db_slot;
        st->db = r->db;
        st->row = first;
        st->first_kept = true;
        st->reading = true;
        r->db = NULL;
    }
    if (status == 304)
        st->step = STEP_DONE;
    if (ulfius_set_stream_response(r->out, (unsigned)status, stream_read, stream_free,
                                   U_STREAM_SIZE_UNKNOWN, STREAM_BLOCK_BYTES, st) != U_OK) {
        stream_free(st);
        http_problem(r, 500, "internal", "An internal error occurred; it has been logged.");
        return;
    }
    if (status == 200)
        http_set_header(r, "Content-Type", s->content_type);
    r->answered = true;
}
