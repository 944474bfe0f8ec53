/* Every error of a place in one answer (issue #14): the format checks (an
 * e-mail, a phone) and the reference checks (an INSEE code missing from the
 * communes table, a commune name that is not the code's) are all named at
 * once, on POST, PATCH and in a refused row of the import. */
#include "support/expect.h"
#include "support/fixture.h"

#include <stdlib.h>
#include <string.h>

static char *writer;

static void start(void)
{
    fixture_start();
    fixture_token(&writer, "france-services-mirande", "places:read places:write");
}

TestSuite(place_all_errors, .init = start, .fini = fixture_stop, .timeout = 120);

/* A valid place of Mirande tagged `tag`. */
static json_t *valid_place(const char *tag)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "source",
                     "integration-tests", "source_id", tag, "pivot", "00000000000000", "name",
                     "Lieu des erreurs", "street", "1 rue de l'Essai", "postal_code", "32300",
                     "commune", "Mirande", "insee_code", "32256", "latitude", 43.513985,
                     "longitude", 0.400199);
}

/* The `errors` of a 422 problem, asserted; the fields they name, in order,
 * "|"-joined into buf. */
static const char *named_fields(struct response *r, char *buf, size_t cap)
{
    cr_assert_eq(r->status, 422, "%ld %s", r->status, r->body);
    json_t *body = response_json(r);
    json_t *errors = json_object_get(body, "errors");
    cr_assert(json_is_array(errors), "%s", r->body);
    buf[0] = '\0';
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        size_t used = strlen(buf);
        snprintf(buf + used, cap - used, "%s%s", i ? "|" : "", json_str(e, "field"));
    }
    json_decref(body);
    return buf;
}

/* The three errors of the issue: a bad e-mail, a bad phone, an INSEE code of
 * the Gers missing from the communes table. */
static void break_three(json_t *doc)
{
    json_object_set_new(doc, "emails", json_pack("[s]", "not-an-address"));
    json_object_set_new(doc, "phone", json_string("12"));
    json_object_set_new(doc, "insee_code", json_string("32999"));
}

Test(place_all_errors, a_create_names_the_format_and_the_reference_errors_at_once)
{
    char tag[64], fields[256];
    test_nonce("errs", tag, sizeof tag);
    json_t *doc = valid_place(tag);
    break_three(doc);
    struct response *r = api_call_json("POST", "/v1/places", writer, doc);
    cr_expect_str_eq(named_fields(r, fields, sizeof fields), "phone|emails|insee_code");
    response_free(r);

    /* a commune that is not the code's name, with a bad phone */
    doc = valid_place(tag);
    json_object_set_new(doc, "commune", json_string("Auch"));
    json_object_set_new(doc, "phone", json_string("12"));
    r = api_call_json("POST", "/v1/places", writer, doc);
    cr_expect_str_eq(named_fields(r, fields, sizeof fields), "phone|commune");
    response_free(r);

    /* a member the API does not have, with the three */
    doc = valid_place(tag);
    break_three(doc);
    json_object_set_new(doc, "colour", json_string("blue"));
    r = api_call_json("POST", "/v1/places", writer, doc);
    cr_expect_str_eq(named_fields(r, fields, sizeof fields), "colour|phone|emails|insee_code");
    response_free(r);
}

Test(place_all_errors, a_patch_names_the_format_and_the_reference_errors_at_once)
{
    char tag[64], fields[256], id[64], path[128];
    test_nonce("errs", tag, sizeof tag);
    post_created("/v1/places", writer, valid_place(tag), NULL, id, sizeof id);
    snprintf(path, sizeof path, "/v1/places/%s", id);
    json_t *patch = json_object();
    break_three(patch);
    struct response *r = api_call_json("PATCH", path, writer, patch);
    cr_expect_str_eq(named_fields(r, fields, sizeof fields), "phone|emails|insee_code");
    response_free(r);
}

Test(place_all_errors, a_refused_import_row_names_every_error)
{
    char tag[64], csv[1024], auth[4096];
    test_nonce("errs", tag, sizeof tag);
    snprintf(csv, sizeof csv,
             "id,pivot,nom,commune,code_postal,code_insee,adresse,latitude,longitude,telephone,"
             "courriels,source,date_maj\n"
             "%s,00000000000000,Lieu des erreurs,Mirande,32300,32999,1 rue de l'Essai,43.513985,"
             "0.400199,12,not-an-address,integration-tests,2026-11-01\n",
             tag);
    const char *headers[] = {bearer_header(writer, auth, sizeof auth), "Content-Type: text/csv",
                             NULL};
    struct response *r = http_request("POST", url("/v1/places/import?dry_run=true"), headers, csv);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    json_t *body = response_json(r);
    json_t *refused = json_object_get(body, "refused");
    cr_assert_eq(json_array_size(refused), 1, "%s", r->body);
    json_t *errors = json_object_get(json_array_get(refused, 0), "errors");
    char fields[256] = "";
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        size_t used = strlen(fields);
        snprintf(fields + used, sizeof fields - used, "%s%s", i ? "|" : "", json_str(e, "field"));
    }
    cr_expect_str_eq(fields, "telephone|courriels|code_insee", "%s", r->body);
    json_decref(body);
    response_free(r);
}

Test(place_all_errors, a_stop_names_the_format_and_the_reference_errors_at_once)
{
    char tag[64], fields[256], bus[64], path[128];
    test_nonce("errs", tag, sizeof tag);
    json_t *doc = valid_place(tag);
    json_object_set_new(doc, "itinerance", json_pack("[s]", "itinerant"));
    post_created("/v1/places", writer, doc, NULL, bus, sizeof bus);
    snprintf(path, sizeof path, "/v1/places/%s/stops", bus);
    /* a bad start, an address too long, an INSEE code missing from the table */
    char address[300];
    memset(address, 'a', 260);
    address[260] = '\0';
    struct response *r =
        api_call_json("POST", path, writer,
                      json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "starts_at", "tomorrow at nine",
                                "ends_at", "2031-03-04T12:30:00+01:00", "insee_code", "32999",
                                "address", address, "latitude", 43.42938, "longitude", 0.309431));
    cr_expect_str_eq(named_fields(r, fields, sizeof fields), "starts_at|address|insee_code");
    response_free(r);
}
