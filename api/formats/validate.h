/* Checks shared by every resource's request validation. Each check appends
 * {field, message} to `errors` and never answers by itself. */
#ifndef VALIDATE_H
#define VALIDATE_H

#include "codes.h"
#include "messages.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Appends {field, message} to an errors array: the one way every check
 * reports a bad field. */
void validate_error(json_t *errors, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same with a message of the catalogue (messages.h), in the language of
 * the request being answered (lang_current). */
void validate_error_msg(json_t *errors, const char *field, enum msg_id id, ...);

/* Every member of `body` must be in `writable`; members in `read_only` (may be
 * NULL) are reported as server-owned, others as unknown. */
void validate_fields(json_t *body, const char *const *writable, const char *const *read_only,
                     json_t *errors);

/* A string member of min..max characters without control characters; absent is
 * an error only when `required`. Returns the string or NULL. */
const char *validate_string(const json_t *body, const char *field, bool required, size_t min,
                            size_t max, json_t *errors);

/* A string member that is one of `list` (NULL-terminated); the message lists
 * them ("must be one of: a, b, c"). Returns it or NULL. */
const char *validate_enum(const json_t *body, const char *field, bool required,
                          const char *const *list, json_t *errors);

/* A string member that is one of the codes of `list` (codes.h); the message
 * says where to find them ("must be one of the codes of /v1/reference/needs").
 * Returns it or NULL. */
const char *validate_code(const json_t *body, const char *field, bool required, enum code_list list,
                          json_t *errors);

/* The same message for a value found elsewhere (a query parameter). */
void validate_code_error(json_t *errors, const char *field, enum code_list list);

/* An integer member within min..max (1.0, 1.5 and "1" are refused). Returns
 * true with the value in *out when present and valid. */
bool validate_integer(const json_t *body, const char *field, bool required, long min, long max,
                      json_t *errors, long *out);

/* A string member holding an RFC 3339 date-time (see validate_rfc3339).
 * Returns it or NULL. */
const char *validate_time(const json_t *body, const char *field, bool required, json_t *errors);

/* A string member holding a UUID; `message` (of the catalogue) names it
 * ("must be the UUID of a place": MSG_FIELD_UUID_PLACE). Returns it or NULL. */
const char *validate_uuid_member(const json_t *body, const char *field, bool required,
                                 enum msg_id message, json_t *errors);

/* Moves the entries of `sub` (stolen) into `errors`, their fields prefixed
 * with "prefix." (beneficiary.phone, levels.email). */
void validate_nest(json_t *errors, const char *prefix, json_t *sub);

/* True when `value` is one of the NULL-terminated `list`. */
bool validate_in_list(const char *value, const char *const *list);

/* Number of characters of a valid UTF-8 string. */
size_t validate_utf8_length(const char *s);

/* True when an If-None-Match / If-Match header value (a list, or "*") matches
 * the entity tag `etag`, comparing weakly. */
bool validate_etag_matches(const char *header, const char *etag);

/* True for an RFC 3339 date-time with an offset: 2026-12-08T09:00:00+01:00,
 * 2026-12-08T08:00:00.5Z (a real calendar date and time, an offset within
 * ±15:59 as PostgreSQL stores them). */
bool validate_rfc3339(const char *s);

/* True for a UUID in its canonical 8-4-4-4-12 hexadecimal form. */
bool validate_uuid(const char *s);

#endif
