/* Answers that are sent as PostgreSQL returns their rows: the whole
 * département as GeoJSON without holding it in memory (issue #18).
 *
 * The rows come in batches of HTTP_STREAM_BATCH_ROWS, each its own statement
 * (keyset pagination, as a client walking the pages with `cursor` would):
 * `sql` gives the first batch, on the request's connection, before answering,
 * so that a statement that fails answers 500/503/504; then 200 with a stream
 * (ulfius_set_stream_response, chunked): the head, each row's column 0 with
 * the separator between rows, the tail. When a batch is written, `next_sql`
 * gives the next one, with `sql`'s parameters followed by the last row's
 * columns 1 .. after_columns; a batch shorter than HTTP_STREAM_BATCH_ROWS is
 * the last. Each batch borrows a pooled connection (of the pool the request
 * used) for the time of its statement only: a stream being sent holds no
 * connection, so any number of clients may load the map at once, each
 * holding one batch in memory (about 300 KB), and a client that stops reading
 * holds no database resource (it is dropped after CONNECTION_TIMEOUT_S by
 * libmicrohttpd). Each batch sees the data committed when it runs: a place
 * changed during a stream appears once, as it was when its batch was read.
 * statement_timeout bounds each batch. A failure mid-stream (the database
 * gone, a batch over statement_timeout) is logged and ends the connection:
 * the client sees a truncated chunked body, never a well-formed document
 * missing rows.
 *
 * HTTP caching of a stream: no ETag (it would need the whole body);
 * Cache-Control as http_cached (http_cache_control), Vary: Accept when the
 * body depends on it, Accept-Encoding, and Authorization on an open-data
 * route; Last-Modified when given, and 304 without a body when
 * If-Modified-Since is not before it and the request has no If-None-Match.
 * gzip when Accept-Encoding allows it (http_accepts_gzip), compressed as it is
 * sent (zlib's deflate, about 256 KB of state per stream), whatever its size.
 * A HEAD answers the same headers and runs no statement. */
#ifndef STREAM_H
#define STREAM_H

#include "http.h"

/* The LIMIT of a stream's statements: rows held in memory per stream. */
#define HTTP_STREAM_BATCH_ROWS 256

struct http_stream {
    const char *content_type;
    const char *head;      /* written before the first row (copied) */
    const char *separator; /* between two rows (copied) */
    const char *tail;      /* after the last row (copied) */
    const char *sql;       /* the first batch; its column 0 is a row's text */
    const char *next_sql;  /* the batches after it (copied) */
    int after_columns;     /* the last row's columns that follow the parameters in next_sql */
    int nparams;
    const char *const *params; /* copied */
    long long last_modified;   /* Unix seconds for Last-Modified; 0: none */
    int max_age;               /* seconds */
    bool varies_by_accept;
};

/* Answers `r` with the stream of `s` (200, 304, or 500/503/504 when the
 * first batch fails). */
void http_stream_rows(struct req *r, const struct http_stream *s);

#endif
