/* /v1/organizations: the seeded directory, pagination, admin writes,
 * validation that names each field, ETags, and no half-writes. */
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *reader, *admin;

static void start(void)
{
    fixture_start();
    fixture_token(&reader, "france-services-mirande", "places:read");
    fixture_token(&admin, "gers-numerique", "admin");
}

TestSuite(organizations, .init = start, .fini = fixture_stop, .timeout = 60);

static struct response *send_json(const char *method, const char *path, const char *token,
                                  const char *body, const char *extra_header)
{
    char auth[4096];
    const char *headers[] = {bearer_header(token, auth, sizeof auth),
                             "Content-Type: application/json", extra_header, NULL};
    return http_request(method, url(path), headers, body);
}

/* A slug no other test run uses. */
static void unique_slug(char *buf, size_t cap, const char *prefix)
{
    snprintf(buf, cap, "%s-%d-%ld", prefix, getpid(), random() % 100000);
}

static json_t *errors_of(struct response *r)
{
    json_t *body = response_json(r);
    json_t *errors = json_incref(json_object_get(body, "errors"));
    json_decref(body);
    return errors;
}

static bool names_field(json_t *errors, const char *field)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) if (strcmp(json_string_value(json_object_get(e, "field")),
                                                field) == 0) return true;
    return false;
}

Test(organizations, the_seeded_directory_has_the_contract_slugs)
{
    const char *slugs[] = {"france-services-mirande",
                           "france-services-l-isle-jourdain",
                           "france-services-mielan",
                           "france-services-villecomtal-sur-arros",
                           "caf-gers",
                           "la-poste-gers",
                           "france-travail-gers",
                           "conseil-departemental-gers",
                           "prefecture-gers",
                           "gers-numerique",
                           NULL};
    for (size_t i = 0; slugs[i]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/organizations/%s", slugs[i]);
        struct response *r = http_get(server.base_url, path, reader);
        cr_expect_eq(r->status, 200, "%s: %ld", slugs[i], r->status);
        response_free(r);
    }
    struct response *r =
        http_get(server.base_url, "/v1/organizations?kind=france_services&limit=200", reader);
    json_t *body = response_json(r);
    cr_expect_eq(json_array_size(json_object_get(body, "items")), 27, "27 France Services");
    cr_expect(json_is_null(json_object_get(body, "next_cursor")));
    json_decref(body);
    response_free(r);
}

Test(organizations, pages_follow_the_cursor_in_a_stable_order)
{
    char path[512] = "/v1/organizations?limit=7";
    char previous[80] = "";
    int pages = 0, total = 0;
    for (;;) {
        struct response *r = http_get(server.base_url, path, reader);
        cr_assert_eq(r->status, 200, "%s", r->body);
        json_t *body = response_json(r);
        json_t *items = json_object_get(body, "items");
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item)
        {
            const char *slug = json_string_value(json_object_get(item, "slug"));
            cr_expect(strcmp(previous, slug) < 0, "ascending, no repeat: %s then %s", previous,
                      slug);
            snprintf(previous, sizeof previous, "%s", slug);
            total++;
        }
        pages++;
        const char *next = json_string_value(json_object_get(body, "next_cursor"));
        char link[1024];
        if (!next) {
            cr_expect_null(response_header(r, "Link", link, sizeof link));
            json_decref(body);
            response_free(r);
            break;
        }
        cr_expect_eq(json_array_size(items), 7);
        cr_assert_not_null(response_header(r, "Link", link, sizeof link));
        cr_expect(strstr(link, "rel=\"next\"") && strstr(link, next), "Link: %s", link);
        snprintf(path, sizeof path, "/v1/organizations?limit=7&cursor=%s", next);
        json_decref(body);
        response_free(r);
        cr_assert(pages < 100);
    }
    cr_expect_geq(total, 33);
}

Test(organizations, bad_queries_are_400_naming_the_parameter)
{
    const char *cases[][2] = {{"/v1/organizations?limit=0", "limit"},
                              {"/v1/organizations?limit=1000000", "limit"},
                              {"/v1/organizations?limit=ten", "limit"},
                              {"/v1/organizations?cursor=not-a-cursor", "cursor"},
                              {"/v1/organizations?kind=bank", "kind"},
                              {"/v1/organizations?sort=name", "sort"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct response *r = http_get(server.base_url, cases[i][0], reader);
        cr_expect_eq(r->status, 400, "%s", cases[i][0]);
        json_t *errors = errors_of(r);
        cr_expect(names_field(errors, cases[i][1]), "%s names %s: %s", cases[i][0], cases[i][1],
                  r->body);
        json_decref(errors);
        response_free(r);
    }
}

Test(organizations, unknown_slug_is_404)
{
    struct response *r = http_get(server.base_url, "/v1/organizations/nobody", reader);
    cr_expect_eq(r->status, 404);
    response_free(r);
    r = http_get(server.base_url, "/v1/organizations/NOT%20A%20SLUG", reader);
    cr_expect_eq(r->status, 404);
    response_free(r);
}

Test(organizations, admin_creates_reads_and_updates)
{
    char slug[64], body[256], path[128], etag[64], location[128];
    unique_slug(slug, sizeof slug, "mediatheque-test");
    snprintf(body, sizeof body,
             "{\"slug\":\"%s\",\"name\":\"Médiathèque d'essai\",\"kind\":\"mediatheque\"}", slug);
    struct response *r = send_json("POST", "/v1/organizations", admin, body, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    snprintf(path, sizeof path, "/v1/organizations/%s", slug);
    cr_expect_str_eq(response_header(r, "Location", location, sizeof location), path);
    json_t *created = response_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(created, "name")), "Médiathèque d'essai");
    json_decref(created);
    response_free(r);

    r = http_get(server.base_url, path, reader);
    cr_assert_eq(r->status, 200);
    cr_assert_not_null(response_header(r, "ETag", etag, sizeof etag));
    response_free(r);

    char if_none[96];
    snprintf(if_none, sizeof if_none, "If-None-Match: %s", etag);
    char auth[4096];
    const char *conditional[] = {bearer_header(reader, auth, sizeof auth), if_none, NULL};
    r = http_request("GET", url(path), conditional, NULL);
    cr_expect_eq(r->status, 304);
    response_free(r);

    r = send_json("PATCH", path, admin, "{\"name\":\"Médiathèque renommée\"}", "If-Match: \"1\"");
    cr_expect_eq(r->status, 412, "a stale If-Match: %s", r->body);
    response_free(r);

    char if_match[96];
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    r = send_json("PATCH", path, admin, "{\"name\":\"Médiathèque renommée\"}", if_match);
    cr_expect_eq(r->status, 200, "%s", r->body);
    json_t *updated = response_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(updated, "name")), "Médiathèque renommée");
    cr_expect_str_eq(json_string_value(json_object_get(updated, "kind")), "mediatheque");
    json_decref(updated);
    response_free(r);

    r = send_json("PATCH", path, admin, "{\"name\":\"Again\"}", if_match);
    cr_expect_eq(r->status, 412, "the old ETag no longer matches");
    response_free(r);

    r = send_json("POST", "/v1/organizations", admin, body, NULL);
    cr_expect_eq(r->status, 409, "the same slug twice");
    response_free(r);
}

Test(organizations, invalid_bodies_name_each_field_and_write_nothing)
{
    char slug[64], body[512], path[128];
    unique_slug(slug, sizeof slug, "asso-invalid");
    snprintf(body, sizeof body,
             "{\"slug\":\"%s\",\"name\":\"\",\"kind\":\"bank\",\"status\":\"x\",\"created_at\":"
             "\"2020-01-01T00:00:00Z\"}",
             slug);
    struct response *r = send_json("POST", "/v1/organizations", admin, body, NULL);
    cr_expect_eq(r->status, 422);
    json_t *errors = errors_of(r);
    cr_expect(names_field(errors, "name"));
    cr_expect(names_field(errors, "kind"));
    cr_expect(names_field(errors, "status"));
    cr_expect(names_field(errors, "created_at"));
    cr_expect(!names_field(errors, "slug"));
    json_decref(errors);
    response_free(r);
    snprintf(path, sizeof path, "/v1/organizations/%s", slug);
    r = http_get(server.base_url, path, reader);
    cr_expect_eq(r->status, 404, "nothing was written");
    response_free(r);

    r = send_json("POST", "/v1/organizations", admin, "{\"slug\":\"Bad Slug\",\"name\":1}", NULL);
    cr_expect_eq(r->status, 422);
    errors = errors_of(r);
    cr_expect(names_field(errors, "slug"));
    cr_expect(names_field(errors, "name"));
    cr_expect(names_field(errors, "kind"));
    json_decref(errors);
    response_free(r);

    r = send_json("PATCH", "/v1/organizations/caf-gers", admin, "{\"slug\":\"caf-32\"}", NULL);
    cr_expect_eq(r->status, 422);
    errors = errors_of(r);
    cr_expect(names_field(errors, "slug"));
    json_decref(errors);
    response_free(r);
    r = http_get(server.base_url, "/v1/organizations/caf-gers", reader);
    cr_expect_eq(r->status, 200, "the slug did not change");
    response_free(r);
}

Test(organizations, writes_need_admin)
{
    struct response *r =
        send_json("PATCH", "/v1/organizations/caf-gers", reader, "{\"name\":\"Hijacked\"}", NULL);
    cr_expect_eq(r->status, 403);
    response_free(r);
    r = send_json("PATCH", "/v1/organizations/nobody-known", admin, "{\"name\":\"X\"}", NULL);
    cr_expect_eq(r->status, 404);
    response_free(r);
}
