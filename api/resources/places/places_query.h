/* GET /v1/places: its query parameters, checked and turned into one SQL
 * statement with numbered parameters (the statement text never holds input). */
#ifndef PLACES_QUERY_H
#define PLACES_QUERY_H

#include "http.h"

#include <jansson.h>
#include <stdbool.h>

#define PLACES_MAX_PARAMS 24

enum places_order { ORDER_BY_ID, ORDER_BY_DISTANCE, ORDER_BY_UPDATE };
enum places_format { FORMAT_JSON, FORMAT_GEOJSON, FORMAT_CSV };

struct places_query {
    enum places_order order;
    enum places_format format;
    int limit;
    /* GeoJSON with neither limit, cursor nor updated_since: every place that
     * matches, streamed (places_list) in batches of HTTP_STREAM_BATCH_ROWS:
     * q->sql the first, q->next_sql those after the last row's columns 1 ..
     * after_columns (stream.h) */
    bool whole;
    char *sql;      /* owned */
    char *next_sql; /* owned; only when whole */
    int after_columns;
    const char *params[PLACES_MAX_PARAMS];
    int nparams;
    char owned[PLACES_MAX_PARAMS][192]; /* storage for parameters made here */
    char *cursor_keys[3];               /* owned, from the cursor */
};

/* Reads the query string of r into q; appends an error per bad parameter to
 * `errors`. The caller releases q with places_query_free (also on errors). */
void places_query_read(struct req *r, struct places_query *q, json_t *errors);
void places_query_free(struct places_query *q);

/* The cursor that continues after the last row of a page of `res` (row
 * index `last`), as places_query_read expects it back; caller frees. */
char *places_query_next_cursor(const struct places_query *q, PGresult *res, int last);

/* Result columns of q->sql: the item's JSON text, its id, its sort key, and
 * for a deleted place (sync feed only) its tombstone's JSON text. */
enum { PQ_COL_JSON, PQ_COL_ID, PQ_COL_KEY, PQ_COL_TOMBSTONE };

#endif
