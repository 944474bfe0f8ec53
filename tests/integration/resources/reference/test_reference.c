/* GET /v1/reference/{list}: every list in French and in English (the same
 * codes in the same order, labels in the language asked, Content-Language,
 * Vary, an ETag per language and 304), an unknown list 404, and a field
 * message of formats/ naming the list where the codes are. */
#include "support/expect.h"
#include "support/fixture.h"

#include <string.h>

static char *devices;

static void start(void)
{
    fixture_start();
    fixture_token(&devices, "gers-numerique", "devices:write");
}

TestSuite(reference, .init = start, .fini = fixture_stop, .timeout = 60);

static const char *const lists[] = {
    "needs",        "themes",          "audiences",         "accessibility",
    "device-types", "erasure-methods", "referral-statuses", "referral-moves"};

static struct response *get_in(const char *path, const char *lang, const char *extra)
{
    char al[64];
    snprintf(al, sizeof al, "Accept-Language: %s", lang);
    const char *headers[] = {al, extra, NULL};
    return http_request("GET", url(path), headers, NULL);
}

Test(reference, every_list_in_both_languages_with_the_same_codes)
{
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        char path[96], lang_fr[8], lang_en[8], vary[128], etag_fr[96], etag_en[96];
        snprintf(path, sizeof path, "/v1/reference/%s", lists[l]);
        struct response *fr = get_in(path, "fr-FR", NULL), *en = get_in(path, "en;q=0.9", NULL);
        cr_assert_eq(fr->status, 200, "%s: %ld %s", path, fr->status, fr->body);
        cr_assert_eq(en->status, 200, "%s: %ld %s", path, en->status, en->body);
        cr_expect_str_eq(response_header(fr, "Content-Language", lang_fr, sizeof lang_fr), "fr");
        cr_expect_str_eq(response_header(en, "Content-Language", lang_en, sizeof lang_en), "en");
        cr_expect(response_header(fr, "Vary", vary, sizeof vary) && strstr(vary, "Accept-Language"),
                  "%s: Vary", path);
        cr_assert_not_null(response_header(fr, "ETag", etag_fr, sizeof etag_fr));
        cr_assert_not_null(response_header(en, "ETag", etag_en, sizeof etag_en));
        cr_expect_str_neq(etag_fr, etag_en, "%s: one ETag per language", path);
        json_t *a = response_json(fr), *b = response_json(en);
        json_t *ia = json_object_get(a, "items"), *ib = json_object_get(b, "items");
        cr_expect_str_eq(json_str(a, "list") ? json_str(a, "list") : "", lists[l]);
        cr_assert(json_array_size(ia) >= 3, "%s: %s", path, fr->body);
        cr_assert_eq(json_array_size(ia), json_array_size(ib), "%s: as many codes", path);
        size_t differ = 0;
        for (size_t i = 0; i < json_array_size(ia); i++) {
            json_t *x = json_array_get(ia, i), *y = json_array_get(ib, i);
            cr_expect_str_eq(json_str(x, "code"), json_str(y, "code"), "%s: codes in order", path);
            cr_expect(json_str(x, "label") && json_str(x, "label")[0], "%s: a label", path);
            differ += strcmp(json_str(x, "label"), json_str(y, "label")) != 0;
        }
        cr_expect_gt(differ, 0, "%s: the labels are translated", path);
        json_decref(a);
        json_decref(b);
        response_free(fr);
        response_free(en);

        /* the ETag of a language answers 304 in that language only */
        char if_none[160];
        snprintf(if_none, sizeof if_none, "If-None-Match: %s", etag_en);
        struct response *r = get_in(path, "en", if_none);
        cr_expect_eq(r->status, 304, "%s: 304 in English", path);
        response_free(r);
        r = get_in(path, "fr", if_none);
        cr_expect_eq(r->status, 200, "%s: the English ETag is not the French one", path);
        response_free(r);
    }
}

Test(reference, known_codes_and_labels)
{
    struct response *r = get_in("/v1/reference/needs", "fr", NULL);
    json_t *body = response_json(r);
    json_t *first = json_array_get(json_object_get(body, "items"), 0);
    cr_expect_str_eq(json_str(first, "code"), "digital_identity");
    cr_expect(strstr(json_str(first, "label"), "Identité numérique") != NULL, "%s", r->body);
    json_decref(body);
    response_free(r);
    r = get_in("/v1/reference/accessibility", "en", NULL);
    body = response_json(r);
    first = json_array_get(json_object_get(body, "items"), 0);
    cr_expect_str_eq(json_str(first, "code"), "surdite");
    cr_expect_str_eq(json_str(first, "label"), "Deafness");
    json_decref(body);
    response_free(r);
    r = get_in("/v1/reference/accessibility", "fr", NULL);
    body = response_json(r);
    first = json_array_get(json_object_get(body, "items"), 0);
    cr_expect_str_eq(json_str(first, "label"), "Surdité", "the standard's label");
    json_decref(body);
    response_free(r);
}

Test(reference, the_skills_follow_the_language_and_keep_their_shape)
{
    struct response *fr = get_in("/v1/reference/skills", "fr", NULL);
    struct response *en = get_in("/v1/reference/skills", "en", NULL);
    json_t *a = response_json(fr), *b = response_json(en);
    json_t *sa = json_array_get(json_object_get(a, "skills"), 0);
    json_t *sb = json_array_get(json_object_get(b, "skills"), 0);
    cr_expect_str_eq(json_str(sa, "code"), json_str(sb, "code"));
    cr_expect_str_eq(json_str(sa, "label"),
                     "Utiliser un ordinateur, une tablette ou un smartphone");
    cr_expect_str_eq(json_str(sb, "label"), "Use a computer, a tablet or a smartphone");
    cr_expect(strstr(json_str(b, "autonomy"), "66.7") && strstr(json_str(a, "autonomy"), "66,7"));
    char lang[8];
    cr_expect_str_eq(response_header(fr, "Content-Language", lang, sizeof lang), "fr");
    json_decref(a);
    json_decref(b);
    response_free(fr);
    response_free(en);
}

Test(reference, an_unknown_list_is_404)
{
    struct response *r = get_in("/v1/reference/planets", "en", NULL);
    cr_expect_eq(r->status, 404);
    cr_expect(strstr(r->body, "urn:inclusion-api:problem:not-found") != NULL, "%s", r->body);
    response_free(r);
}

/* formats/validate.c's message for a code of a list names the list. */
Test(reference, a_bad_code_names_its_reference_list_in_both_languages)
{
    const char *body = "{\"type\":\"toaster\",\"origin\":\"individual\","
                       "\"collected_at\":\"2026-12-01T10:00:00+01:00\"}";
    const char *expect[][2] = {
        {"en", "must be one of the codes of /v1/reference/device-types"},
        {"fr", "doit être l'un des codes de /v1/reference/device-types"},
    };
    for (size_t i = 0; i < 2; i++) {
        char auth[4096], al[32];
        snprintf(al, sizeof al, "Accept-Language: %s", expect[i][0]);
        const char *headers[] = {bearer_header(devices, auth, sizeof auth),
                                 "Content-Type: application/json", al, NULL};
        struct response *r = http_request("POST", url("/v1/devices"), headers, body);
        cr_expect_eq(r->status, 422, "%ld %s", r->status, r->body);
        json_t *doc = response_json(r);
        json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
        cr_expect_str_eq(json_str(e, "field"), "type");
        cr_expect_str_eq(json_str(e, "message"), expect[i][1]);
        json_decref(doc);
        response_free(r);
    }
}
