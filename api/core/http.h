/* One HTTP request as handlers see it, and the only ways they answer it.
 *
 * THE HOUSE RULES (every handler follows them; read them once):
 *
 * Answering. A handler answers exactly once, with one of http_json,
 * http_json_text, http_cached (every cacheable read: Cache-Control, Vary,
 * ETag, Last-Modified, 304, gzip), http_json_cached, http_text,
 * http_text_cached, http_empty, http_problem or http_invalid. A function of
 * this header that returns false or NULL has already answered (400, 404, 413,
 * 415, 422, 500, 503 …): the handler releases what it holds and returns, it
 * never answers again. The router answers 500 for a handler that returned
 * without answering.
 *
 * Ownership (as jq's jv.h says it: the answerers consume, the readers lend).
 *   - http_json, http_json_cached and http_invalid steal the json_t they are
 *     given; every other json_t a handler gets from http_read_object is a new
 *     reference it decrefs.
 *   - A PGresult from http_sql or http_sql_lock is the caller's: PQclear it on
 *     every path (PQclear(NULL) is harmless, so one `out:` label does it all).
 *   - Strings from http_query, http_header, http_subject and r->params point
 *     into the request and live as long as it: never freed, never kept.
 *   - Text given to http_text, http_json_text and http_set_header is copied.
 *   - The database connection is borrowed on first use and returned by the
 *     router after the handler; an open transaction is rolled back there.
 *
 * Errors. Bad input is collected, not answered field by field: a handler
 * creates `json_t *errors = json_array()`, lets every check append to it with
 * validate_error (formats/validate.h: {field, message}, never personal data),
 * and when it is not empty answers once with http_invalid(r, 400 or 422,
 * errors), naming every bad field at once.
 *
 * Who acts. The guard admitted the request before the handler runs and filled
 * r->who (organisation, scopes); on an open-data route read without a token
 * (PUBLIC_READS) r->who is empty (r->who.org[0] == '\0') and the handler
 * shows only public data; a handler reads the acting organisation as
 * r->who.org and the acting person as http_subject(r). Ownership of an object
 * is checked with guard_owns, and what a caller may not know exists is 404. */
#ifndef HTTP_H
#define HTTP_H

#include "app.h"
#include "auth.h"
#include "lang.h"
#include "messages.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <time.h>
#include <ulfius.h>

#define HTTP_MAX_PATH_PARAMS 4

/* How http_json serialises a body (idempotency.c keeps the same text). */
#define HTTP_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

struct route;

struct req {
    const struct _u_request *in;
    struct _u_response *out;
    struct app *app;
    const struct route *route;
    const char *params[HTTP_MAX_PATH_PARAMS]; /* path parameters, in pattern order */
    struct auth_identity who;                 /* set when the route needs a token */
    PGconn *db;                               /* borrowed on first use, returned by the router */
    struct db_pool *db_pool;                  /* the pool it was borrowed from */
    int db_slot;                              /* its slot in that pool */
    char request_id[65];
    char path[2048];         /* a copy of the path that params point into */
    struct timespec started; /* CLOCK_MONOTONIC, when the headers arrived */
    enum lang lang;          /* negotiated from Accept-Language by the router */
    bool answered;
};

/* Query parameter, or NULL. */
const char *http_query(const struct req *r, const char *name);

/* Answers 400 and returns false when the query holds a parameter not in
 * `allowed` (NULL-terminated, may be NULL). The router calls it for every route. */
bool http_query_only(struct req *r, const char *const *allowed);

/* Request header (case-insensitive), or NULL. */
const char *http_header(const struct req *r, const char *name);

/* Adds a response header. */
void http_set_header(struct req *r, const char *name, const char *value);

/* Reads the body as one JSON object: 415 unless JSON, 413 over MAX_BODY_BYTES,
 * 400 when malformed, with duplicate keys, or not an object. Returns a new
 * reference the caller decrefs, or NULL after having answered. */
json_t *http_read_object(struct req *r);

/* The raw body when its media type is `media_type` (charset utf-8 at most):
 * 415 otherwise, 413 over the route's limit (http_body_limit). Returns a
 * pointer into the request (not NUL-terminated) with its length in *len, or
 * NULL after having answered. */
const char *http_read_text(struct req *r, const char *media_type, size_t *len);

/* The most body bytes the route takes: IMPORT_MAX_BYTES for a route marked
 * large_body, MAX_BODY_BYTES otherwise (MAX_BODY_BYTES before a route is
 * known). connection.c answers 413 from the headers when Content-Length is
 * over it, and keeps no more than one byte over it. */
size_t http_body_limit(const struct req *r);

/* False after answering 413 when the declared Content-Length or the body
 * kept is over http_body_limit. */
bool http_body_fits(struct req *r);

/* Answers `status` with a JSON body (stolen). */
void http_json(struct req *r, int status, json_t *body);

/* How a read answers a cache (http_cached): what its body is, what it
 * depends on and how long it may be kept. */
struct http_cache {
    const char *content_type;
    const char *etag;        /* strong, quoted; NULL: one computed from the body */
    long long last_modified; /* Unix seconds for Last-Modified; 0: none */
    int max_age;             /* seconds */
    bool varies_by_accept;   /* the body depends on Accept: Vary: Accept */
    const char *disposition; /* Content-Disposition, or NULL */
};

/* Answers a read, the one way every cacheable read does (RFC 9110, 9111):
 *   - Cache-Control (http_cache_control);
 *   - Vary: Accept-Encoding, plus Accept when the body depends on it, plus
 *     Authorization on an open-data route (the router adds Origin);
 *   - the body gzipped when over 1 KiB and Accept-Encoding allows gzip
 *     (q-values; "gzip;q=0" refuses), with Content-Encoding: gzip and the
 *     ETag's "-gz" variant ("abc" -> "abc-gz");
 *   - ETag, and Last-Modified when given;
 *   - 304 without a body (its Content-Length the 200's, never 0: RFC 9110
 *     §8.6; libmicrohttpd always writes one) when If-None-Match
 *     names either variant of the ETag, or, only when there is no
 *     If-None-Match (RFC 9110 §13.2.2), when If-Modified-Since is not before
 *     Last-Modified. `text` is copied. */
void http_cached(struct req *r, const struct http_cache *c, const char *text, size_t len);

/* Cache-Control of a read: on a public route and on an open-data route read
 * anonymously "public, max-age=N, stale-while-revalidate=300"; on an
 * open-data route read with a token "private, max-age=N"; anything else
 * keeps the router's "no-store". */
void http_cache_control(struct req *r, int max_age);

/* Adds `field` to the response's Vary (once). */
void http_vary(struct req *r, const char *field);

/* Answers 200 with a JSON body (stolen) of the given content type, the ETag
 * `etag` (NULL: a strong one computed from the body) and max-age `max_age`:
 * http_cached. */
void http_json_cached(struct req *r, const char *content_type, json_t *body, const char *etag,
                      int max_age);

/* The same for a body that is already text (copied). */
void http_text_cached(struct req *r, const char *content_type, const char *text, size_t len,
                      const char *etag, int max_age);

/* True when a request's Accept-Encoding allows gzip (RFC 9110 §12.5.3:
 * "gzip" or "x-gzip" with a q-value above 0, or "*" above 0 when gzip is
 * not named). */
bool http_accepts_gzip(const char *accept_encoding);

/* True when the request's Accept names `media_type` (case-insensitive) with a
 * q-value above 0: the reads that map something answer GeoJSON when it names
 * application/geo+json. */
bool http_accept_names(const struct req *r, const char *media_type);

/* An IMF-fixdate (RFC 9110 §5.6.7) of Unix seconds, for Last-Modified. */
void http_date(long long seconds, char *out, size_t cap);

/* The request's If-Modified-Since as Unix seconds, or -1 when absent or not
 * an IMF-fixdate. */
long long http_if_modified_since(const struct req *r);

/* Answers `status` (204, 304) with no body and no Content-Type. */
void http_empty(struct req *r, int status);

/* The person acting: the token's `sub`, or "unknown" when it has none. Points
 * into r (see the house rules). */
const char *http_subject(const struct req *r);

/* Answers `status` with JSON already serialised, e.g. by PostgreSQL (copied). */
void http_json_text(struct req *r, int status, const char *json);

/* Answers `status` with a body of the given content type (copied). */
void http_text(struct req *r, int status, const char *content_type, const char *body, size_t len);

/* Answers application/problem+json. `code` names the problem type
 * (urn:inclusion-api:problem:<code>); `detail` is for humans and never holds
 * personal data, SQL or internals. */
void http_problem(struct req *r, int status, const char *code, const char *detail);

/* The same with a detail of the catalogue (messages.h) in the request's
 * language: what api/core/ answers. */
void http_problem_msg(struct req *r, int status, const char *code, enum msg_id id, ...);

/* Marks the answer as depending on the request's language: Content-Language
 * (r->lang) and Accept-Language added to Vary. http_problem and http_invalid
 * do it; a handler whose text depends on the language (the reference lists)
 * calls it before answering. */
void http_language(struct req *r);

/* Answers 400 or 422 with an `errors` array (stolen) of {field, message}. */
void http_invalid(struct req *r, int status, json_t *errors);

/* Runs a parameterised statement on the request's connection (borrowed on first
 * use: from the replica's pool when the route is replica_ok and there is one,
 * from the primary's otherwise). Returns the result (the caller PQclears it), or NULL after having
 * answered 503 (database unreachable) or 500. A constraint violation (class 23)
 * is returned to the caller instead when `constraint_ok` is true. */
PGresult *http_sql(struct req *r, const char *sql, int nparams, const char *const *params,
                   bool constraint_ok);

/* Borrows the request's connection (r->db) as http_sql does; false after
 * having answered 503. For http_stream_rows (stream.h). */
bool http_connection(struct req *r);

/* Opens a transaction and locks the row that `sql` ($1: the path's UUID
 * r->params[0]; $2.. the `nextra` (0 to 7) values of `extra`, may be 0 and NULL)
 * selects FOR UPDATE. Returns the row (the caller PQclears it), or NULL after
 * having answered 404 (`not_found`, a message of the catalogue, as detail: not
 * a UUID, or no row) or 503/500. */
PGresult *http_sql_lock(struct req *r, const char *sql, int nextra, const char *const *extra,
                        enum msg_id not_found);

/* Runs a statement that returns no rows (INDICATORS_SQL_REFRESH, say); false
 * after having answered. */
bool http_sql_command(struct req *r, const char *sql);

/* BEGIN, COMMIT and ROLLBACK on the request's connection; false after having
 * answered. A transaction still open when the handler returns is rolled back
 * by the router. http_begin joins a transaction already open (one that
 * idempotency_begin opened) without a round trip. */
bool http_begin(struct req *r);
bool http_commit(struct req *r);
bool http_rollback(struct req *r);

#endif
