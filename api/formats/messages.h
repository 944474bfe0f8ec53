/* The message catalogue: every text the API writes for people, in each
 * language of lang.h, keyed by message id. Codes (problem types, field names,
 * the codes of the lists) are never here: they do not change with the
 * language.
 *
 * A message is a printf format; its conversions (%s, %d, %zu …) are the same,
 * in the same order, in every language (tests/unit/formats/test_messages.c
 * checks it, and that no message lacks a language). Pure: static tables. */
#ifndef MESSAGES_H
#define MESSAGES_H

#include "lang.h"

#include <stdarg.h>
#include <stddef.h>

enum msg_id {
    /* Problem titles, by status. */
    MSG_TITLE_400,
    MSG_TITLE_401,
    MSG_TITLE_403,
    MSG_TITLE_404,
    MSG_TITLE_405,
    MSG_TITLE_409,
    MSG_TITLE_412,
    MSG_TITLE_413,
    MSG_TITLE_414,
    MSG_TITLE_415,
    MSG_TITLE_422,
    MSG_TITLE_429,
    MSG_TITLE_431,
    MSG_TITLE_500,
    MSG_TITLE_501,
    MSG_TITLE_503,
    MSG_TITLE_504,
    MSG_TITLE_OTHER,
    /* Problem details of api/core/. */
    MSG_BAD_REQUEST_SEE_ERRORS,
    MSG_VALIDATION_SEE_ERRORS,
    MSG_BODY_TOO_LARGE,
    MSG_BODY_MEDIA_TYPE,
    MSG_VALUE_OUT_OF_RANGE,
    MSG_QUERY_TOO_EXPENSIVE,
    MSG_DATABASE_UNAVAILABLE,
    MSG_INTERNAL,
    MSG_ENCODING_FAILED,
    MSG_URI_TOO_LONG,
    MSG_HEADERS_TOO_LARGE,
    MSG_FRAMING_METHOD,
    MSG_FRAMING_HEADER_NAME,
    MSG_FRAMING_TWO_LENGTHS,
    MSG_FRAMING_LENGTH_AND_CODING,
    MSG_FRAMING_CODING,
    MSG_FRAMING_QUERY_UTF8,
    MSG_NOTHING_AT_PATH,
    MSG_METHOD_NOT_ALLOWED,
    MSG_RATE_LIMITED,
    MSG_MISSING_TOKEN,
    MSG_TOKEN_REFUSED,
    MSG_TOKEN_SCHEME,
    MSG_TOKEN_ORG_UNKNOWN,
    MSG_TOKEN_EXPIRED,
    MSG_TOKEN_NOT_YET_VALID,
    MSG_TOKEN_BAD_SIGNATURE,
    MSG_TOKEN_MALFORMED,
    MSG_TOKEN_ALGORITHM,
    MSG_TOKEN_ISSUER,
    MSG_TOKEN_AUDIENCE,
    MSG_TOKEN_CLAIMS,
    MSG_INSUFFICIENT_SCOPE,
    MSG_NOT_OWNER,
    MSG_IDEMPOTENCY_IN_FLIGHT,
    MSG_IDEMPOTENCY_OTHER_ROUTE,
    MSG_IDEMPOTENCY_OTHER_BODY,
    MSG_OPENAPI_NOT_EMBEDDED,
    MSG_REFERENCE_UNKNOWN,
    /* Texts of the answers (GET /v1/reference/skills). */
    MSG_SKILLS_SCORE,
    MSG_SKILLS_AUTONOMY,
    /* Field messages (errors[].message) of api/core/ and api/formats/validate.c. */
    MSG_FIELD_UNKNOWN_QUERY,
    MSG_FIELD_INVALID_JSON,
    MSG_FIELD_NOT_OBJECT,
    MSG_FIELD_READ_ONLY,
    MSG_FIELD_UNKNOWN,
    MSG_FIELD_REQUIRED,
    MSG_FIELD_NOT_STRING,
    MSG_FIELD_LENGTH,
    MSG_FIELD_CONTROL_CHARS,
    MSG_FIELD_ONE_OF,
    MSG_FIELD_ONE_OF_CODES,
    MSG_FIELD_INTEGER_RANGE,
    MSG_FIELD_INT_RANGE,
    MSG_FIELD_RFC3339,
    MSG_COUNT
};

/* The format of `id` in `lang` (never NULL for a complete catalogue). */
const char *msg_text(enum msg_id id, enum lang lang);

/* The text of `id` in `lang` as the catalogue holds it: NULL when missing
 * (for the completeness test; msg_text falls back on English). */
const char *msg_raw(enum msg_id id, enum lang lang);

/* The message id's name ("MSG_TITLE_400"), for tests and logs. */
const char *msg_name(enum msg_id id);

/* Formats `id` in `lang` into buf (truncated to cap); returns buf. */
char *msg_format(char *buf, size_t cap, enum lang lang, enum msg_id id, ...);
char *msg_vformat(char *buf, size_t cap, enum lang lang, enum msg_id id, va_list ap);

#endif
