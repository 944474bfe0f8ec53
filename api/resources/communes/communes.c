#include "communes.h"

#include "communes_sql.h"

#include <string.h>

/* The communes change with a new seed only: kept an hour, revalidated by ETag. */
#define CACHE_SECONDS 3600

void communes_geojson(struct req *r)
{
    PGresult *res = http_sql(r, COMMUNES_SQL_GEOJSON, 0, NULL, false);
    if (!res)
        return;
    const char *text = PQgetvalue(res, 0, 0);
    http_text_cached(r, "application/geo+json", text, strlen(text), NULL, CACHE_SECONDS);
    PQclear(res);
}
