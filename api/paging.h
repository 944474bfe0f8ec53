/* The list shape every collection shares: limit, cursor, Link rel="next". */
#ifndef PAGING_H
#define PAGING_H

#include "http.h"

#include <jansson.h>

#define PAGING_DEFAULT_LIMIT 50
#define PAGING_MAX_LIMIT     200

/* Reads `limit` (1..200, default 50) into *limit; adds errors to `errors`. */
void paging_read_limit(struct req *r, json_t *errors, int *limit);

/* Answers 200 with { items, next_cursor } (items stolen) and, when next_cursor
 * is not NULL, a Link header to the next page that repeats the given filters
 * (name/value pairs, NULL-terminated; NULL values skipped). */
void paging_answer(struct req *r, json_t *items, const char *next_cursor, int limit,
                   const char *const *filters);

#endif
