/* Slugs for directory entries: lower-case ASCII letters, digits and hyphens. */
#ifndef SLUG_H
#define SLUG_H

#include <stddef.h>

/* Writes the slug of a UTF-8 name ("L'Isle-Jourdain" -> "l-isle-jourdain",
 * "Miélan" -> "mielan") into out (cap bytes, truncated). Latin accented
 * letters lose their accents; every other run of characters becomes one hyphen. */
void slug_from_name(const char *name, char *out, size_t cap);

#endif
