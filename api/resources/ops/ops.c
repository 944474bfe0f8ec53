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
        http_problem_msg(r, 503, "not-ready",
                         current == 0 ? MSG_READY_SCHEMA_OLD : MSG_READY_NO_ANSWER);
}

/* The embedded file `name`, or NULL after a 404. */
static const struct embedded_file *embedded_or_404(struct req *r, const char *name)
{
    const struct embedded_file *doc = embedded_find(name);
    if (!doc)
        http_problem_msg(r, 404, "not-found", MSG_OPENAPI_NOT_EMBEDDED);
    return doc;
}

void ops_openapi(struct req *r)
{
    const struct embedded_file *doc = embedded_or_404(r, "openapi.yaml");
    if (doc)
        http_text(r, 200, "application/yaml", doc->data, doc->size);
}

void ops_openapi_json(struct req *r)
{
    const struct embedded_file *doc = embedded_or_404(r, "openapi.json");
    if (doc)
        http_text(r, 200, "application/json", doc->data, doc->size);
}

void ops_docs(struct req *r)
{
    const struct embedded_file *page = embedded_or_404(r, "docs.html");
    if (!page)
        return;
    http_set_header(r, "Content-Security-Policy", OPS_DOCS_CSP);
    http_set_header(r, "X-Content-Type-Options", "nosniff");
    http_set_header(r, "Referrer-Policy", "no-referrer");
    http_text(r, 200, "text/html; charset=utf-8", page->data, page->size);
}

void ops_docs_script(struct req *r)
{
    const struct embedded_file *script = embedded_or_404(r, "redoc.js");
    if (!script)
        return;
    http_set_header(r, "X-Content-Type-Options", "nosniff");
    http_text_cached(r, "text/javascript; charset=utf-8", script->data, script->size, NULL, 3600);
}
