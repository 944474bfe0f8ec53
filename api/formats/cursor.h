/* Opaque keyset-pagination cursors: the sort key of the last item returned,
 * as base64url of a JSON array of strings. */
#ifndef CURSOR_H
#define CURSOR_H

#include <stdbool.h>
#include <stddef.h>

/* Encodes `count` strings; returns a string the caller frees. */
char *cursor_encode(const char *const *keys, size_t count);

/* Decodes a cursor of exactly `count` strings of at most `max_len` bytes each
 * into keys (the caller frees each). False when the cursor is not one of ours. */
bool cursor_decode(const char *cursor, size_t count, size_t max_len, char **keys);

#endif
