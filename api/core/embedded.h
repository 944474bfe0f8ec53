/* Files compiled into the binary: migrations, seed data, the OpenAPI document. */
#ifndef EMBEDDED_H
#define EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* base name, e.g. "001_organizations.sql" */
    const char *data; /* NUL-terminated, static */
    size_t size;      /* without the terminating NUL */
};

extern const struct embedded_file embedded_files[];
extern const size_t embedded_files_count;

/* The embedded file with this base name, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
