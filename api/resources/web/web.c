#include "web.h"

#include "embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SECONDS  300  /* pages: revalidated by ETag after 5 minutes */
#define ASSET_SECONDS 3600 /* scripts and styles */

/* What /carte's page holds in place of the tile template (carte.js reads it). */
#define TILES_SLOT "data-tiles=\"\""

static const struct asset {
    const char *name; /* /assets/<name> */
    const char *file; /* the embedded file's base name */
    const char *content_type;
} assets[] = {
    {"carte.js", "carte.js", "text/javascript; charset=utf-8"},
    {"carte.css", "carte.css", "text/css; charset=utf-8"},
    {"leaflet.js", "leaflet.min.js", "text/javascript; charset=utf-8"},
    {"leaflet.css", "leaflet.css", "text/css; charset=utf-8"},
    {"accueil.css", "accueil.css", "text/css; charset=utf-8"},
    {"favicon.svg", "favicon.svg", "image/svg+xml"},
    {"tableau-de-bord.js", "tableau-de-bord.js", "text/javascript; charset=utf-8"},
    {"tableau-de-bord.css", "tableau-de-bord.css", "text/css; charset=utf-8"},
};

static void security_headers(struct req *r)
{
    const char *origin = r->app->cfg->map_tiles_origin;
    char csp[700];
    snprintf(csp, sizeof csp,
             "default-src 'self'; img-src 'self'%s%s; base-uri 'self'; form-action 'self'; "
             "frame-ancestors 'none'",
             origin ? " " : "", origin ? origin : "");
    http_set_header(r, "Content-Security-Policy", csp);
    http_set_header(r, "X-Content-Type-Options", "nosniff");
    http_set_header(r, "Referrer-Policy", "same-origin");
}

static const struct embedded_file *file_or_404(struct req *r, const char *name)
{
    const struct embedded_file *f = embedded_find(name);
    if (!f)
        http_problem_msg(r, 404, "not-found", MSG_WEB_NOT_FOUND);
    return f;
}

void web_home(struct req *r)
{
    const struct embedded_file *f = file_or_404(r, "index.html");
    if (!f)
        return;
    security_headers(r);
    http_text_cached(r, "text/html; charset=utf-8", f->data, f->size, NULL, PAGE_SECONDS);
}

void web_carte(struct req *r)
{
    const struct embedded_file *f = file_or_404(r, "carte.html");
    if (!f)
        return;
    security_headers(r);
    const char *tiles = r->app->cfg->map_tiles_url; /* checked by config.c: no quote */
    const char *slot = tiles ? strstr(f->data, TILES_SLOT) : NULL;
    if (!slot) {
        http_text_cached(r, "text/html; charset=utf-8", f->data, f->size, NULL, PAGE_SECONDS);
        return;
    }
    char *page = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&page, &len);
    fprintf(out, "%.*sdata-tiles=\"%s\"%s", (int)(slot - f->data), f->data, tiles,
            slot + strlen(TILES_SLOT));
    fclose(out);
    http_text_cached(r, "text/html; charset=utf-8", page, len, NULL, PAGE_SECONDS);
    free(page);
}

const char *const web_dashboard_query[] = {"lien", NULL};

void web_dashboard(struct req *r)
{
    const struct embedded_file *f = file_or_404(r, "tableau-de-bord.html");
    if (!f)
        return;
    security_headers(r);
    /* ?lien=SECRET: the page takes the secret out of the address bar at
     * once; no Referer carries it meanwhile */
    http_set_header(r, "Referrer-Policy", "no-referrer");
    http_text_cached(r, "text/html; charset=utf-8", f->data, f->size, NULL, PAGE_SECONDS);
}

void web_asset(struct req *r)
{
    const char *name = r->params[0];
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
        if (strcmp(assets[i].name, name) == 0) {
            const struct embedded_file *f = file_or_404(r, assets[i].file);
            if (!f)
                return;
            http_set_header(r, "X-Content-Type-Options", "nosniff");
            http_text_cached(r, assets[i].content_type, f->data, f->size, NULL, ASSET_SECONDS);
            return;
        }
    http_problem_msg(r, 404, "not-found", MSG_WEB_NOT_FOUND);
}
