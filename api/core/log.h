/* Structured logging: one JSON object per line on stdout.
 * Never pass a token or a resident's personal data to these functions. */
#ifndef LOG_H
#define LOG_H

#include "config.h"

#include <jansson.h>

void log_set_level(enum log_level level);

/* Logs `message` with the given fields (an object; may be NULL; stolen). */
void log_event(enum log_level level, const char *message, json_t *fields);

/* Whether log_event writes lines of `level` (to skip building their fields). */
bool log_enabled(enum log_level level);

/* A JSON string of bytes that came from the network (a method, a header):
 * printable ASCII kept, every other byte written as \xNN, so that no byte can
 * make the line invalid or forge another. NULL gives "". */
json_t *log_bytes(const char *bytes);

#endif
