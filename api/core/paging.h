/* The list shape every collection shares: limit, cursor, Link rel="next". */
#ifndef PAGING_H
#define PAGING_H

#include "http.h"

#include <jansson.h>

#define PAGING_DEFAULT_LIMIT 50
#define PAGING_MAX_LIMIT     200

/* Reads `limit` (1..200, default 50) into *limit; adds errors to `errors`. */
void paging_read_limit(struct req *r, json_t *errors, int *limit);

/* The same with the collection's own default and maximum. */
void paging_read_limit_within(struct req *r, json_t *errors, int fallback, int max, int *limit);

/* Sets `Link: <path?...&cursor=next>; rel="next"`, repeating every query
 * parameter of the request but `cursor`. Nothing when next_cursor is NULL. */
void paging_link(struct req *r, const char *next_cursor);

/* Answers 200 with { items, next_cursor } and the Link header, the items being
 * the JSON texts in column `col` of the first `rows` rows of `res`, as
 * PostgreSQL built them: concatenated, never parsed and serialised again. */
void paging_answer_rows(struct req *r, const PGresult *res, int col, int rows,
                        const char *next_cursor);

/* Answers 200 with { items, next_cursor }, `items_json` being the items as one
 * JSON array text (json_agg's), used as it is. Sets no Link header. */
void paging_answer_array(struct req *r, const char *items_json, const char *next_cursor);

/* Answers a page of open data, through http_cached (max-age 60, Vary:
 * Accept): { items, next_cursor }, or when `geojson` a FeatureCollection
 * { type, features, next_cursor } of the items (each one already a Feature),
 * with the Link header. `items` (an array) is stolen. */
void paging_answer_cached(struct req *r, json_t *items, const char *next_cursor, bool geojson);

#endif
