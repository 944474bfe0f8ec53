/* Answers that are sent as PostgreSQL returns their rows: the whole
 * département as GeoJSON without holding it in memory (issue #18).
 *
 * http_stream_rows sends the statement on the request's connection in
 * single-row mode (PQsendQueryParams + PQsetSingleRowMode) and reads its first
 * result before answering: a statement that fails answers 500/503 as http_sql
 * would. Then it answers 200 with a stream (ulfius_set_stream_response,
 * chunked): the head, each row's column 0 with the separator between rows,
 * the tail. The stream OWNS the connection from then on: r->db is set to NULL,
 * so the router does not return it, and the stream's free callback always
 * returns it to the pool, after a cancel and drain of what is still being
 * read (a client that went away mid-stream) and a rollback of what is open.
 * A failure mid-stream (the database gone, a statement timeout) is logged and
 * ends the connection: the client sees a truncated chunked body, never a
 * well-formed document missing rows.
 *
 * HTTP caching of a stream: no ETag (it would need the whole body) and no
 * gzip (identity only; Vary therefore omits Accept-Encoding); Cache-Control
 * as http_cached (http_cache_control), Vary: Accept when the body depends on
 * it (and Authorization on an open-data route), Last-Modified when given, and
 * 304 without a body when If-Modified-Since is not before it and the request
 * has no If-None-Match. A HEAD answers the same headers and runs no statement. */
#ifndef STREAM_H
#define STREAM_H

#include "http.h"

struct http_stream {
    const char *content_type;
    const char *head;      /* written before the first row (copied) */
    const char *separator; /* between two rows (copied) */
    const char *tail;      /* after the last row (copied) */
    const char *sql;       /* its column 0 is a row's text */
    int nparams;
    const char *const *params; /* read before http_stream_rows returns */
    long long last_modified;   /* Unix seconds for Last-Modified; 0: none */
    int max_age;               /* seconds */
    bool varies_by_accept;
};

/* Answers `r` with the stream of `s` (200, 304, or 500/503 when the statement
 * fails before its first row). */
void http_stream_rows(struct req *r, const struct http_stream *s);

#endif
