/* Answers that are sent as PostgreSQL returns their rows: the whole
 * département as GeoJSON without holding it in memory (issue #18).
 *
 * http_stream_rows declares the statement as a cursor in a transaction of
 * the request's connection and fetches its first batch of rows before
 * answering: a statement that fails answers 500/503. Then it answers 200 with
 * a stream (ulfius_set_stream_response, chunked): the head, each row's column
 * 0 with the separator between rows, the tail, fetching the next batch (256
 * rows) when the last one is written. statement_timeout bounds each batch,
 * not the time a client takes to read the answer; at most one batch is held
 * in memory per stream.
 *
 * The stream OWNS the connection from then on: r->db is set to NULL, so the
 * router does not return it, and the stream's free callback always returns
 * it to the pool, whether the stream ended, failed or its client went away
 * (the rollback there closes the cursor). Each stream being sent thus holds
 * one connection of the pool, and at most DB_POOL_SIZE - 1 streams (at least
 * 1) are sent at once, so that a crowd loading the map leaves a connection to
 * every other route: the next waits up to 2 s for its turn, then answers 503
 * `busy` (app->streams counts them). A client that stops reading is dropped after
 * CONNECTION_TIMEOUT_S (libmicrohttpd), and the pool's
 * idle_in_transaction_session_timeout (60 s) ends the transaction of one that
 * reads a batch per minute or less. A failure mid-stream (the database gone, a
 * batch over statement_timeout) is logged and ends the connection: the client
 * sees a truncated chunked body, never a well-formed document missing rows.
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
