/* The France Services of the Gers, from the CSV embedded in the binary. */
#ifndef FRANCE_SERVICES_H
#define FRANCE_SERVICES_H

#include "csv.h"

#include <stddef.h>

#define FRANCE_SERVICES_CSV "france-services-32-gers.csv"

/* Parses the embedded France Services CSV into *csv (the caller frees it with
 * csv_free). Returns 0, or -1 with a message in err. */
int france_services_csv(struct csv *csv, char *err, size_t err_len);

/* The directory slug of the France Services of a commune: "france-services-mirande". */
void france_services_slug(const char *commune, char *out, size_t cap);

#endif
