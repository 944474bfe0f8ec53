#include "ops.h"

#include "embedded.h"
#include "migrate.h"
#include "ops_sql.h"
#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ops_healthz(struct req *r)
{
    http_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

void ops_readyz(struct req *r)
{
    PGresult *res = http_sql(r, OPS_SQL_PING, 0, NULL, false);
    if (!res)
        return; /* 503 already */
    PQclear(res);
    int current = migrate_is_current(r->db);
    if (current == 1)
        http_json(r, 200, json_pack("{s:s, s:s}", "status", "ready", "schema", migrate_latest()));
    else
        http_problem(r, 503, "not-ready",
                     current == 0 ? "The database schema is not current; run migrate."
                                  : "The database does not answer.");
}

void ops_openapi(struct req *r)
{
    const struct embedded_file *doc = embedded_find("openapi.yaml");
    if (!doc) {
        http_problem(r, 404, "not-found", "The OpenAPI document is not embedded in this build.");
        return;
    }
    http_text(r, 200, "application/yaml", doc->data, doc->size);
}
