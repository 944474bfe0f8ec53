/* The embedded list of the Gers' France Services (db/seeds), read by the seed
 * of the directory and by the seed of places. */
#include "france_services.h"

#include "embedded.h"
#include "slug.h"

#include <stdio.h>
#include <string.h>

int france_services_csv(struct csv *csv, char *err, size_t err_len)
{
    const struct embedded_file *file = embedded_find(FRANCE_SERVICES_CSV);
    size_t bad_line = 0;
    memset(csv, 0, sizeof *csv);
    if (!file || csv_parse(file->data, file->size, ',', csv, &bad_line) != 0) {
        snprintf(err, err_len, "%s: unreadable CSV (line %zu)", FRANCE_SERVICES_CSV, bad_line);
        csv_free(csv);
        return -1;
    }
    return 0;
}

void france_services_slug(const char *commune, char *out, size_t cap)
{
    char name[64];
    slug_from_name(commune, name, sizeof name);
    snprintf(out, cap, "france-services-%s", name);
}
