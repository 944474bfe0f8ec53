/* A place as the service stores it: the JSON a partner sends, checked field by
 * field and turned into the parameters of places_sql.h. The same checks serve
 * POST, PATCH (on the merged document), the CSV import and the seed. */
#ifndef PLACE_INPUT_H
#define PLACE_INPUT_H

#include "place_fields.h"

#include <jansson.h>

/* The parameters of enum place_column (place_fields.h) as text (NULL for SQL
 * NULL); lists as JSON arrays. Owned: release with place_input_free. */
struct place_input {
    char *values[PC_COUNT];
};

/* The members a partner may write, NULL-terminated (for validate_fields). */
extern const char *const place_writable_fields[];
/* The members the server sets, NULL-terminated. */
extern const char *const place_read_only_fields[];

/* Checks a whole place document (every member of place_writable_fields; `doc`
 * may hold read-only members, ignored here) and fills *out. `owner` is the
 * place's organisation. data_updated_on left out means today (in SQL).
 * Appends one {field, message} per bad field to `errors`; *out is complete only
 * when nothing was appended. The caller frees *out with place_input_free. */
void place_input_from_json(json_t *doc, const char *owner, struct place_input *out, json_t *errors);

void place_input_free(struct place_input *in);

#endif
