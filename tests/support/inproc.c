/* See inproc.h. */
#include "support/inproc.h"

#include "log.h"
#include "route.h"
#include "router.h"
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

void inproc_init(struct inproc *t, const char *method, const char *target)
{
    memset(t, 0, sizeof *t);
    log_set_level(LOG_WARN); /* no line per request in the test output */
    cr_assert_eq(ulfius_init_request(&t->in), U_OK);
    cr_assert_eq(ulfius_init_response(&t->out), U_OK);
    t->in.http_verb = o_strdup(method);
    t->in.http_url = o_strdup(target);
    size_t path_len = strcspn(target, "?");
    t->in.url_path = o_strndup(target, path_len);
    /* the query, "a=1&b=2", into map_url as ulfius fills it (no decoding) */
    char *query = target[path_len] ? strdup(target + path_len + 1) : NULL;
    char *save = NULL;
    for (char *pair = query ? strtok_r(query, "&", &save) : NULL; pair;
         pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (eq)
            *eq = '\0';
        u_map_put(t->in.map_url, pair, eq ? eq + 1 : "");
    }
    free(query);
    t->origins[0] = INPROC_ORIGIN;
    t->cfg.cors_origins = t->origins;
    t->cfg.max_body_bytes = 1 << 20;
    t->app.cfg = &t->cfg;
    t->app.verifier = (struct auth_verifier){
        .alg = TOKEN_HS256, .key = TEST_JWT_SECRET, .key_len = sizeof TEST_JWT_SECRET - 1};
    t->app.metrics = metrics_new(routes_count);
    t->req = (struct req){.in = &t->in, .out = &t->out, .app = &t->app};
}

void inproc_header(struct inproc *t, const char *name, const char *value)
{
    u_map_put(t->in.map_header, name, value);
}

long inproc_dispatch(struct inproc *t)
{
    cr_assert_eq(router_dispatch(&t->in, &t->out, &t->app), U_CALLBACK_COMPLETE);
    return (long)t->out.status;
}

const char *inproc_answer_header(const struct inproc *t, const char *name)
{
    return u_map_get_case(t->out.map_header, name);
}

json_t *inproc_body(const struct inproc *t)
{
    if (!t->out.binary_body)
        return NULL;
    return json_loadb(t->out.binary_body, t->out.binary_body_length, 0, NULL);
}

void inproc_free(struct inproc *t)
{
    metrics_free(t->app.metrics);
    ulfius_clean_request(&t->in);
    ulfius_clean_response(&t->out);
}
