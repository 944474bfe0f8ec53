/* A place as the service stores it: the JSON a partner sends, checked field by
 * field and turned into the parameters of places_sql.h. The same checks serve
 * POST, PATCH (on the merged document), the CSV import and the seed. */
#ifndef PLACE_INPUT_H
#define PLACE_INPUT_H

#include <jansson.h>

/* Parameters of PLACES_SQL_INSERT / PLACES_SQL_UPSERT / PLACES_SQL_UPDATE, in order. */
enum place_column {
    PC_OWNER,
    PC_SOURCE,
    PC_SOURCE_ID,
    PC_PIVOT,
    PC_NAME,
    PC_STREET,
    PC_ADDRESS_COMPLEMENT,
    PC_POSTAL_CODE,
    PC_COMMUNE,
    PC_INSEE_CODE,
    PC_LATITUDE,
    PC_LONGITUDE,
    PC_TYPOLOGIES,
    PC_PHONE,
    PC_EMAILS,
    PC_WEBSITES,
    PC_OPENING_HOURS,
    PC_OPEN_MINUTES,
    PC_CLOSED_ON_PH,
    PC_SUMMARY,
    PC_DESCRIPTION,
    PC_ITINERANCE,
    PC_PARENT_STRUCTURE,
    PC_SERVICES,
    PC_PUBLICS,
    PC_SPECIFIC_SUPPORT,
    PC_FEES,
    PC_NATIONAL_PROGRAMMES,
    PC_TRAINING_LABELS,
    PC_OTHER_LABELS,
    PC_ACCESS_MODES,
    PC_SUPPORT_MODES,
    PC_ACCESSIBILITY_URL,
    PC_BOOKING_URL,
    PC_DATA_UPDATED_ON,
    PC_COUNT
};

/* Column values as text (NULL for SQL NULL); lists as JSON arrays. Owned:
 * release with place_input_free. */
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
