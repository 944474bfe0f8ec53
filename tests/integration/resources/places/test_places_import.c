/* POST /v1/places/import: the national standard's CSV, upserted by (source,
 * id); dry runs; refused rows with their line and every error; nothing of a
 * refused row is written. */
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *token, *other;

static void start(void)
{
    fixture_start();
    fixture_token(&token, "france-services-mirande", "places:read places:write");
    fixture_token(&other, "caf-gers", "places:read places:write");
}

TestSuite(places_import, .init = start, .fini = fixture_stop, .timeout = 60);

#define HEADER                                                                                     \
    "id,pivot,nom,commune,code_postal,code_insee,adresse,latitude,longitude,telephone,courriels,"  \
    "source,date_maj,services\n"

static struct response *import(const char *who, const char *query, const char *csv)
{
    char auth[4096], path[128];
    snprintf(path, sizeof path, "/v1/places/import%s", query);
    const char *headers[] = {bearer_header(who, auth, sizeof auth), "Content-Type: text/csv", NULL};
    return http_request("POST", url(path), headers, csv);
}

static long count_of(struct response *r, const char *key)
{
    json_t *body = response_json(r);
    long n = (long)json_integer_value(json_object_get(body, key));
    json_decref(body);
    return n;
}

/* A CSV of one valid place of Mirande, with a unique source. */
static char *one_place(const char *source, const char *id, const char *name)
{
    char *csv = malloc(1024);
    snprintf(csv, 1024,
             HEADER "%s,43493312300029,%s,Mirande,32300,32256,1 rue de l'Évêché,43.5147,0.4047,"
                    "05 62 66 86 87,contact@mirande.example.fr,%s,2026-11-01,"
                    "Aide aux démarches administratives\n",
             id, name, source);
    return csv;
}

static long places_named(const char *name)
{
    char path[256];
    char *q = strdup(name);
    for (char *p = q; *p; p++)
        if (*p == ' ')
            *p = '+';
    snprintf(path, sizeof path, "/v1/places?q=%s", q);
    free(q);
    struct response *r = http_get(server.base_url, path, token);
    json_t *body = response_json(r);
    long n = (long)json_array_size(json_object_get(body, "items"));
    json_decref(body);
    response_free(r);
    return n;
}

Test(places_import, the_standards_example_imports_as_is_and_twice_changes_nothing)
{
    FILE *f = fopen("db/seeds/mediation-num-exemple-valide.csv", "rb");
    cr_assert_not_null(f);
    char csv[8192];
    size_t n = fread(csv, 1, sizeof csv - 1, f);
    csv[n] = '\0';
    fclose(f);
    /* The example's source+id may already be there from another run: first
     * import created or unchanged, then unchanged for sure. */
    struct response *r = import(token, "", csv);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *body = response_json(r);
    cr_expect_eq(json_array_size(json_object_get(body, "refused")), 0, "%s", r->body);
    json_decref(body);
    response_free(r);
    r = import(token, "", csv);
    cr_expect_eq(count_of(r, "unchanged"), 1, "%s", r->body);
    cr_expect_eq(count_of(r, "created") + count_of(r, "updated"), 0);
    response_free(r);
}

Test(places_import, dry_run_counts_but_writes_nothing)
{
    char source[64], name[64];
    snprintf(source, sizeof source, "dry-run-%d", getpid());
    snprintf(name, sizeof name, "Essai a blanc %d", getpid());
    char *csv = one_place(source, "p1", name);
    struct response *r = import(token, "?dry_run=true", csv);
    cr_expect_eq(r->status, 200, "%s", r->body);
    cr_expect_eq(count_of(r, "created"), 1);
    response_free(r);
    cr_expect_eq(places_named(name), 0, "nothing written by a dry run");
    r = import(token, "", csv);
    cr_expect_eq(count_of(r, "created"), 1);
    response_free(r);
    cr_expect_eq(places_named(name), 1);
    r = import(other, "", csv);
    json_t *body = response_json(r);
    cr_expect_eq(json_array_size(json_object_get(body, "refused")), 1,
                 "another organisation cannot overwrite it: %s", r->body);
    json_decref(body);
    response_free(r);
    free(csv);
}

Test(places_import, refused_rows_name_their_line_and_every_error_and_change_nothing)
{
    char csv[4096], source[64];
    snprintf(source, sizeof source, "defects-%d", getpid());
    snprintf(
        csv, sizeof csv,
        HEADER
        /* line 2: valid */
        "ok,43493312300029,Lieu valide %d,Mirande,32300,32256,1 rue "
        "A,43.5147,0.4047,,,%s,2026-11-01,\n"
        /* line 3: an e-mail with a comma, one without @ */
        "e1,43493312300029,Lieu e-mail %d,Mirande,32300,32256,1 rue "
        "A,43.5147,0.4047,,aubiet@france-service.gouv,fr,%s,2026-11-01,\n"
        /* line 4: a phone with one digit too many */
        "p1,43493312300029,Lieu tel %d,Mirande,32300,32256,1 rue "
        "A,43.5147,0.4047,+330562660408,,%s,2026-11-01,\n"
        /* line 5: a commune named GERS */
        "c1,43493312300029,Lieu GERS %d,GERS,32000,32013,1 rue A,43.6465,0.5855,,,%s,2026-11-01,\n"
        /* line 6: an unknown service label and a bad date */
        "s1,43493312300029,Lieu service %d,Mirande,32300,32256,1 rue "
        "A,43.5147,0.4047,,,%s,2026-13-01,Astrologie\n"
        /* line 7: a postal code of another département: accepted, with a warning */
        "w1,43493312300029,Lieu avertissement %d,Mirande,65300,32256,1 rue "
        "A,43.5147,0.4047,,,%s,2026-11-01,\n",
        getpid(), source, getpid(), source, getpid(), source, getpid(), source, getpid(), source,
        getpid(), source);
    /* the e-mail with a comma splits into two columns: quote it */
    char *comma = strstr(csv, "aubiet@france-service.gouv,fr");
    cr_assert_not_null(comma);
    char fixed[4096];
    snprintf(fixed, sizeof fixed, "%.*s\"aubiet@france-service.gouv,fr|gerssolidaire.org\"%s",
             (int)(comma - csv), csv, comma + strlen("aubiet@france-service.gouv,fr"));
    struct response *r = import(token, "", fixed);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *body = response_json(r);
    cr_expect_eq(json_integer_value(json_object_get(body, "created")), 2, "%s", r->body);
    json_t *refused = json_object_get(body, "refused");
    cr_expect_eq(json_array_size(refused), 4, "%s", r->body);
    const long lines[] = {3, 4, 5, 6};
    const char *fields[] = {"courriels", "telephone", "commune", "services"};
    for (size_t i = 0; i < 4 && i < json_array_size(refused); i++) {
        json_t *row = json_array_get(refused, i);
        cr_expect_eq(json_integer_value(json_object_get(row, "line")), lines[i]);
        json_t *first = json_array_get(json_object_get(row, "errors"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(first, "field")), fields[i], "%s",
                         r->body);
    }
    json_t *row6 = json_array_get(refused, 3);
    cr_expect_eq(json_array_size(json_object_get(row6, "errors")), 2, "every error of a row: %s",
                 r->body);
    json_t *warnings = json_object_get(body, "warnings");
    cr_expect_eq(json_array_size(warnings), 1, "%s", r->body);
    cr_expect_eq(json_integer_value(json_object_get(json_array_get(warnings, 0), "line")), 7);
    json_decref(body);
    response_free(r);
    char name[64];
    snprintf(name, sizeof name, "Lieu GERS %d", getpid());
    cr_expect_eq(places_named(name), 0, "a refused row writes nothing");
    snprintf(name, sizeof name, "Lieu valide %d", getpid());
    cr_expect_eq(places_named(name), 1);
}

Test(places_import, bad_bodies)
{
    char auth[4096];
    const char *json_headers[] = {bearer_header(token, auth, sizeof auth),
                                  "Content-Type: application/json", NULL};
    struct response *r = http_request("POST", url("/v1/places/import"), json_headers, "{}");
    cr_expect_eq(r->status, 415);
    response_free(r);
    r = import(token, "", "id,nom\n\"unterminated,x\n");
    cr_expect_eq(r->status, 400);
    response_free(r);
    r = import(token, "", HEADER);
    cr_expect_eq(r->status, 400, "a header alone");
    response_free(r);
    r = import(token, "", "id,nom\nx,y\n");
    cr_expect_eq(r->status, 422, "required columns missing");
    response_free(r);
    r = import(token, "?dry_run=maybe", HEADER);
    cr_expect_eq(r->status, 400);
    response_free(r);
    char *reader = test_token("france-services-mirande", "places:read");
    r = import(reader, "", HEADER);
    cr_expect_eq(r->status, 403);
    response_free(r);
    free(reader);
}
