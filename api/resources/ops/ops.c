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

void ops_metrics(struct req *r)
{
    const char **labels = calloc(routes_count, sizeof *labels);
    char *storage = calloc(routes_count, 128);
    char *text = NULL;
    if (labels && storage) {
        for (size_t i = 0; i < routes_count; i++) {
            snprintf(storage + i * 128, 128, "%s %s", routes[i].method, routes[i].pattern);
            labels[i] = storage + i * 128;
        }
        struct app *app = r->app;
        struct metrics_db db = {
            .in_use = db_pool_in_use(app->pool),
            .size = app->cfg->db_pool_size,
            .acquired_primary = db_pool_acquired(app->pool),
            .acquired_replica = app->replica ? db_pool_acquired(app->replica) : 0,
            .replica_fallbacks = atomic_load(&app->replica_fallbacks),
            .has_replica = app->replica != NULL,
        };
        text = metrics_render(app->metrics, labels, &db, atomic_load(&app->in_flight));
    }
    free(labels);
    free(storage);
    if (!text) {
        http_problem(r, 500, "internal", "Metrics could not be rendered.");
        return;
    }
    http_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
    free(text);
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
