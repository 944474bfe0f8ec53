/* The list shape every collection shares: limit, cursor, Link rel="next". */
#ifndef PAGING_H
#define PAGING_H

#include "http.h"

#include <jansson.h>

#define PAGING_DEFAULT_LIMIT 50
#define PAGING_MAX_LIMIT 200

/* Reads `limit` (1..200, default 50) into *limit; adds errors to `errors`. */
void paging_read_limit(struct req *r, json_t *errors, int *limit);

/* The same with the collection's own default and maximum. */
void paging_read_limit_within(struct req *r, json_t *errors, int fallback, int max, int *limit);

/* Sets `Link: <path?...&cursor=next>; rel="next"`, repeating every query
 * parameter of the request but `cursor`. Nothing when next_cursor is NULL. */
void paging_link(struct req *r, const char *next_cursor);

/* Answers 200 with { items, next_cursor } (items stolen) and the Link header. */
void paging_answer(struct req *r, json_t *items, const char *next_cursor);

#endif
