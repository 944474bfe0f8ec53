/* Languages (issue 20): every error class that api/core/ answers (401, 403,
 * 404, 405, 409, 413, 415, 422, 429, 503) in French and in English on
 * request, with Content-Language and Vary: Accept-Language (503: in
 * tests/faults/test_database_outage.c, which stops the cluster); DEFAULT_LANGUAGE
 * when Accept-Language decides nothing; problem types and field names the
 * same in both languages; one error of each resource, and the OAuth
 * error_description, in both languages. */
#include "support/fixture.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *admin, *reader, *activity, *writer, *indicators;

static void start_with(const char *const *extra)
{
    const char *env[8] = {"MAX_BODY_BYTES=2048", NULL};
    for (size_t i = 0; extra && extra[i] && i < 6; i++)
        env[i + 1] = extra[i];
    fixture_start_with(env);
    fixture_token(&admin, "gers-numerique", "admin");
    fixture_token(&reader, "caf-gers", "places:read");
    fixture_token(&activity, "france-services-mirande", "activity:write");
    fixture_token(&writer, "france-services-mirande",
                  "places:read places:write referrals:read referrals:write devices:write "
                  "workshops:read webhooks:write");
    fixture_token(&indicators, "france-services-mirande", "indicators:read");
}

static void start(void)
{
    start_with(NULL);
}

static void start_french_default(void)
{
    const char *env[] = {"DEFAULT_LANGUAGE=fr", NULL};
    start_with(env);
}

static void start_rate_limited(void)
{
    const char *env[] = {"RATE_LIMIT_IP_PER_S=1", "RATE_LIMIT_IP_BURST=1", NULL};
    start_with(env);
}

TestSuite(languages, .init = start, .fini = fixture_stop, .timeout = 60);
TestSuite(languages_default, .init = start_french_default, .fini = fixture_stop, .timeout = 60);
TestSuite(languages_429, .init = start_rate_limited, .fini = fixture_stop, .timeout = 60);

static void start_issuing(void)
{
    const char *env[] = {"TOKEN_ISSUER=http://127.0.0.1:1/languages", NULL};
    start_with(env);
}

TestSuite(languages_oauth, .init = start_issuing, .fini = fixture_stop, .timeout = 60);

struct answer {
    long status;
    char type[128], title[128], detail[512], language[16], vary[256];
    char field_message[256]; /* errors[0].message, when any */
    char field[64];          /* errors[0].field */
    char errors[1024];       /* every "field: message\n" */
};

/* Sends a request with Accept-Language `lang` (NULL: none) and reads the problem. */
static void ask(struct answer *a, const char *method, const char *path, const char *token,
                const char *lang, const char *content_type, const char *body, const char *extra)
{
    char auth[4096], al[64], ct[96];
    const char *headers[6] = {0};
    size_t n = 0;
    if (token)
        headers[n++] = bearer_header(token, auth, sizeof auth);
    if (lang) {
        snprintf(al, sizeof al, "Accept-Language: %s", lang);
        headers[n++] = al;
    }
    if (content_type) {
        snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
        headers[n++] = ct;
    }
    if (extra)
        headers[n++] = extra;
    struct response *r = http_request_raw(method, url(path), headers, body);
    memset(a, 0, sizeof *a);
    a->status = r->status;
    json_t *doc = response_json(r);
    const char *s;
    if ((s = json_string_value(json_object_get(doc, "type"))))
        snprintf(a->type, sizeof a->type, "%s", s);
    if ((s = json_string_value(json_object_get(doc, "title"))))
        snprintf(a->title, sizeof a->title, "%s", s);
    if ((s = json_string_value(json_object_get(doc, "detail"))))
        snprintf(a->detail, sizeof a->detail, "%s", s);
    json_t *first = json_array_get(json_object_get(doc, "errors"), 0);
    if ((s = json_string_value(json_object_get(first, "message"))))
        snprintf(a->field_message, sizeof a->field_message, "%s", s);
    if ((s = json_string_value(json_object_get(first, "field"))))
        snprintf(a->field, sizeof a->field, "%s", s);
    size_t i, used = 0;
    json_t *e;
    json_array_foreach(json_object_get(doc, "errors"), i, e)
    {
        int w = snprintf(a->errors + used, sizeof a->errors - used, "%s: %s\n",
                         json_string_value(json_object_get(e, "field")),
                         json_string_value(json_object_get(e, "message")));
        if (w < 0 || (size_t)w >= sizeof a->errors - used)
            break;
        used += (size_t)w;
    }
    json_decref(doc);
    response_header(r, "Content-Language", a->language, sizeof a->language);
    response_header(r, "Vary", a->vary, sizeof a->vary);
    response_free(r);
}

/* The same request in French and in English: the status and the problem
 * type are the same, the texts are those given, Content-Language and Vary
 * say so. */
static void expect_both(long status, const char *type, const char *title_fr, const char *title_en,
                        const char *detail_fr, const char *detail_en, const char *method,
                        const char *path, const char *token, const char *content_type,
                        const char *body, const char *extra)
{
    struct answer fr, en;
    ask(&fr, method, path, token, "fr-FR,fr;q=0.9,en;q=0.5", content_type, body, extra);
    ask(&en, method, path, token, "en-GB, fr;q=0.3", content_type, body, extra);
    cr_expect_eq(fr.status, status, "%s %s in French: %ld %s", method, path, fr.status, fr.detail);
    cr_expect_eq(en.status, status, "%s %s in English: %ld %s", method, path, en.status, en.detail);
    cr_expect_str_eq(fr.type, type, "%s %s: the type does not change with the language", method,
                     path);
    cr_expect_str_eq(en.type, type, "%s %s", method, path);
    cr_expect_str_eq(fr.title, title_fr, "%s %s", method, path);
    cr_expect_str_eq(en.title, title_en, "%s %s", method, path);
    if (detail_fr)
        cr_expect_str_eq(fr.detail, detail_fr, "%s %s", method, path);
    if (detail_en)
        cr_expect_str_eq(en.detail, detail_en, "%s %s", method, path);
    cr_expect_str_eq(fr.language, "fr", "%s %s: Content-Language", method, path);
    cr_expect_str_eq(en.language, "en", "%s %s: Content-Language", method, path);
    cr_expect(strstr(fr.vary, "Accept-Language") != NULL, "%s %s: Vary \"%s\"", method, path,
              fr.vary);
    cr_expect(strstr(en.vary, "Accept-Language") != NULL, "%s %s: Vary \"%s\"", method, path,
              en.vary);
    cr_expect_str_eq(fr.field, en.field, "%s %s: field names do not change", method, path);
}

#define P "urn:inclusion-api:problem:"

Test(languages, errors_401_403_404_405_in_both_languages)
{
    expect_both(401, P "missing-token", "Authentification requise", "Unauthorized",
                "Cette opération demande un jeton (bearer token).",
                "This operation needs a bearer token.", "GET", "/v1/referrals", NULL, NULL, NULL,
                NULL); /* the places are open data (PUBLIC_READS) */
    expect_both(401, P "invalid-token", "Authentification requise", "Unauthorized",
                "Le schéma de l'en-tête Authorization doit être Bearer.",
                "The Authorization scheme must be Bearer.", "GET", "/v1/places", NULL, NULL, NULL,
                "Authorization: Basic Y2FmOmdlcnM=");
    expect_both(401, P "invalid-token", "Authentification requise", "Unauthorized",
                "Le jeton n'est pas un JWT signé bien formé : token is not a signed JWT.",
                "The token is not a well-formed signed JWT: token is not a signed JWT.", "GET",
                "/v1/places", NULL, NULL, NULL, "Authorization: Bearer not-a-token");
    char *claims = test_claims("caf-gers", "places:read", -3600);
    char *expired = jws_sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, "HS256",
                             TEST_JWT_SECRET, sizeof TEST_JWT_SECRET - 1);
    expect_both(401, P "invalid-token", "Authentification requise", "Unauthorized",
                "Le jeton a expiré ; demandez-en un nouveau.",
                "The token has expired; get a new one.", "GET", "/v1/places", expired, NULL, NULL,
                NULL);
    free(expired);
    free(claims);
    expect_both(403, P "insufficient-scope", "Accès refusé", "Forbidden",
                "Cette opération demande le scope « places:write ».",
                "This operation needs the scope \"places:write\".", "POST", "/v1/places", reader,
                "application/json", "{}", NULL);
    expect_both(404, P "not-found", "Introuvable", "Not Found", "Il n'y a rien à cette adresse.",
                "There is nothing at this path.", "GET", "/v1/nothing-here", NULL, NULL, NULL,
                NULL);
    expect_both(405, P "method-not-allowed", "Méthode non autorisée", "Method Not Allowed",
                "Cette adresse accepte GET, HEAD, POST.", "This path accepts GET, HEAD, POST.",
                "DELETE", "/v1/organizations", admin, NULL, NULL, NULL);
}

Test(languages, errors_413_415_422_and_field_messages_in_both_languages)
{
    char big[4096];
    memset(big, ' ', sizeof big - 1);
    big[0] = '{';
    big[sizeof big - 2] = '}';
    big[sizeof big - 1] = '\0';
    expect_both(413, P "body-too-large", "Contenu trop volumineux", "Content Too Large",
                "Le corps de la requête dépasse 2048 octets.",
                "The request body is over 2048 bytes.", "POST", "/v1/organizations", admin,
                "application/json", big, NULL);
    expect_both(415, P "unsupported-media-type", "Type de contenu non pris en charge",
                "Unsupported Media Type",
                "Le corps de la requête doit être du application/json "
                "(UTF-8).",
                "The request body must be application/json (UTF-8).", "POST", "/v1/organizations",
                admin, "text/plain", "{}", NULL);
    expect_both(422, P "validation", "Contenu impossible à traiter", "Unprocessable Content",
                "Certains champs sont invalides ; voir errors.",
                "Some fields are invalid; see errors.", "POST", "/v1/organizations", admin,
                "application/json", "{\"bogus\": 1}", NULL);
    struct answer fr, en;
    ask(&fr, "POST", "/v1/organizations", admin, "fr", "application/json", "{\"bogus\": 1}", NULL);
    ask(&en, "POST", "/v1/organizations", admin, "en", "application/json", "{\"bogus\": 1}", NULL);
    cr_expect_str_eq(fr.field, "bogus");
    cr_expect_str_eq(fr.field_message, "n'est pas un champ connu");
    cr_expect_str_eq(en.field_message, "is not a known field");
    expect_both(400, P "bad-request", "Requête incorrecte", "Bad Request",
                "La requête est mal formée ; voir errors.", "The request is malformed; see errors.",
                "GET", "/v1/reference/skills?x=1", NULL, NULL, NULL, NULL);
    ask(&fr, "GET", "/v1/reference/skills?x=1", NULL, "fr", NULL, NULL, NULL);
    cr_expect_str_eq(fr.field_message, "paramètre de requête inconnu");
}

/* 409: a request whose Idempotency-Key another transaction holds (the test
 * holds its advisory lock, as test_idempotency.c does). */
Test(languages, error_409_in_both_languages)
{
    PGconn *c = PQconnectdb(getenv("TEST_DATABASE_URL"));
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    char key[64], both[128];
    snprintf(key, sizeof key, "languages-%d", (int)getpid());
    snprintf(both, sizeof both, "france-services-mirande\n%s", key);
    const char *params[] = {both};
    PGresult *res = PQexecParams(c, "SELECT pg_advisory_lock(hashtextextended($1, 0))", 1, NULL,
                                 params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    PQclear(res);
    char header[128];
    snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    expect_both(409, P "in-flight", "Conflit", "Conflict",
                "Une requête avec cette Idempotency-Key est encore en cours ; réessayez plus tard.",
                "A request with this Idempotency-Key is still being processed; retry later.",
                "POST", "/v1/visits", activity, "application/json", "{\"count\": 1}", header);
    PQfinish(c);
}

Test(languages_default, the_default_language_answers_when_accept_language_decides_nothing)
{
    struct answer a;
    ask(&a, "GET", "/v1/nothing-here", NULL, NULL, NULL, NULL, NULL);
    cr_expect_str_eq(a.title, "Introuvable");
    cr_expect_str_eq(a.language, "fr");
    ask(&a, "GET", "/v1/nothing-here", NULL, "de-DE, es;q=0.5", NULL, NULL, NULL);
    cr_expect_str_eq(a.language, "fr");
    ask(&a, "GET", "/v1/nothing-here", NULL, "fr;q=0, *", NULL, NULL, NULL);
    cr_expect_str_eq(a.language, "en");
    cr_expect_str_eq(a.title, "Not Found");
}

Test(languages_429, error_429_in_both_languages)
{
    struct answer a;
    ask(&a, "GET", "/v1/reference/skills", NULL, "fr", NULL, NULL, NULL); /* spends the burst */
    cr_expect_eq(a.status, 200);
    expect_both(429, P "rate-limited", "Trop de requêtes", "Too Many Requests",
                "Trop de requêtes ; réessayez après le nombre de secondes de Retry-After.",
                "Too many requests; retry after Retry-After seconds.", "GET",
                "/v1/reference/skills", NULL, NULL, NULL, NULL);
}

/* The messages proper to the resources follow the language too: one error of
 * each group of converted files (api/formats/, places, referrals, devices …). */
Test(languages, resource_errors_in_both_languages)
{
    struct answer fr, en;
    /* places (and api/formats/fields.c): a bad phone, a place that is not there */
    const char *place =
        "{\"source\": \"integration-tests\", \"source_id\": \"languages-1\", "
        "\"pivot\": \"00000000000000\", \"name\": \"Lieu d'essai langues\", "
        "\"street\": \"1 rue de l'Essai\", \"postal_code\": \"32300\", "
        "\"commune\": \"Mirande\", \"insee_code\": \"32256\", "
        "\"latitude\": 43.513985, \"longitude\": 0.400199, \"phone\": \"05 62 66\"}";
    ask(&fr, "POST", "/v1/places", writer, "fr", "application/json", place, NULL);
    ask(&en, "POST", "/v1/places", writer, "en", "application/json", place, NULL);
    cr_expect_eq(fr.status, 422, "%ld %s", fr.status, fr.detail);
    cr_expect_str_eq(fr.field, "phone");
    cr_expect_str_eq(fr.field_message, "a trop peu de chiffres : 10 en France (05 62 03 01 09)");
    cr_expect_str_eq(en.field_message, "has too few digits: 10 in France (05 62 03 01 09)");
    expect_both(404, P "not-found", "Introuvable", "Not Found",
                "Aucun lieu ne porte cet identifiant.", "No place has this id.", "GET",
                "/v1/places/00000000-0000-4000-8000-000000000000", reader, NULL, NULL, NULL);
    ask(&fr, "GET", "/v1/places?near=1,2", reader, "fr", NULL, NULL, NULL);
    cr_expect_str_eq(fr.field, "near");
    cr_expect_str_eq(fr.field_message, "near est latitude,longitude ; les avez-vous inversées ?");

    /* referrals: a need that is not a code, the list named in both languages */
    const char *referral = "{\"to_org\": \"caf-gers\", \"need\": \"bogus\", "
                           "\"beneficiary\": {\"first_name\": \"Jeanne\", "
                           "\"contact_preference\": \"fax\"}}";
    ask(&fr, "POST", "/v1/referrals", writer, "fr", "application/json", referral,
        "Idempotency-Key: languages-referral-fr");
    ask(&en, "POST", "/v1/referrals", writer, "en", "application/json", referral,
        "Idempotency-Key: languages-referral-en");
    cr_expect_eq(fr.status, 422, "%ld %s", fr.status, fr.detail);
    cr_expect(strstr(fr.errors, "need: doit être l'un des codes de /v1/reference/needs\n"), "%s",
              fr.errors);
    cr_expect(strstr(en.errors, "need: must be one of the codes of /v1/reference/needs\n"), "%s",
              en.errors);
    cr_expect(strstr(fr.errors, "beneficiary.contact_preference: doit valoir phone, email ou "
                                "referring_partner\n"),
              "%s", fr.errors);
    cr_expect(strstr(en.errors, "beneficiary.contact_preference: must be phone, email or "
                                "referring_partner\n"),
              "%s", en.errors);
    /* devices: a device that is not there */
    expect_both(404, P "not-found", "Introuvable", "Not Found",
                "Aucun appareil ne porte cet identifiant.", "No device has this id.", "GET",
                "/v1/devices/00000000-0000-4000-8000-000000000000", writer, NULL, NULL, NULL);
    /* workshops: a theme that is not a code names its list */
    ask(&fr, "GET", "/v1/workshops?theme=bogus", writer, "fr", NULL, NULL, NULL);
    ask(&en, "GET", "/v1/workshops?theme=bogus", writer, "en", NULL, NULL, NULL);
    cr_expect_str_eq(fr.field, "theme");
    cr_expect_str_eq(fr.field_message, "doit être l'un des codes de /v1/reference/themes");
    cr_expect_str_eq(en.field_message, "must be one of the codes of /v1/reference/themes");
    /* clients and webhooks: what is not there */
    expect_both(404, P "not-found", "Introuvable", "Not Found",
                "Aucun client d'API ne porte cet identifiant.", "No API client has this id.", "GET",
                "/v1/clients/00000000-0000-4000-8000-000000000000", admin, NULL, NULL, NULL);
    expect_both(404, P "not-found", "Introuvable", "Not Found",
                "Aucun de vos abonnements webhook ne porte cet identifiant.",
                "No webhook subscription of yours has this id.", "GET",
                "/v1/webhooks/00000000-0000-4000-8000-000000000000", writer, NULL, NULL, NULL);
    /* organisations: what is not there; activity: a visit with two places */
    expect_both(404, P "not-found", "Introuvable", "Not Found",
                "Aucune organisation ne porte ce slug.", "No organisation has this slug.", "GET",
                "/v1/organizations/no-such-organisation", reader, NULL, NULL, NULL);
    const char *visit = "{\"place_id\": \"00000000-0000-4000-8000-000000000000\", "
                        "\"stop_id\": \"00000000-0000-4000-8000-000000000001\", "
                        "\"visited_at\": \"2026-12-01T10:00:00+01:00\"}";
    ask(&fr, "POST", "/v1/visits", activity, "fr", "application/json", visit,
        "Idempotency-Key: languages-visit-fr");
    ask(&en, "POST", "/v1/visits", activity, "en", "application/json", visit,
        "Idempotency-Key: languages-visit-en");
    cr_expect(strstr(fr.errors, "place_id: donnez place_id ou stop_id, pas les deux\n"), "%s",
              fr.errors);
    cr_expect(strstr(en.errors, "place_id: give place_id or stop_id, not both\n"), "%s", en.errors);
    /* oauth: no issuer here */
    expect_both(404, P "not-found", "Introuvable", "Not Found",
                "Ce service n'émet pas de jetons (TOKEN_ISSUER non défini).",
                "This service issues no tokens (TOKEN_ISSUER unset).", "POST", "/oauth/token", NULL,
                "application/x-www-form-urlencoded", "grant_type=client_credentials", NULL);
}

/* Indicators (400, 422, 404), targets (422), dashboard links (422), the
 * calendar (400) and its links' feed (404): French on request, English beside. */
Test(languages, indicator_and_calendar_errors_in_both_languages)
{
    struct answer fr, en;
    ask(&fr, "GET", "/v1/indicators?from=bogus&format=xml", indicators, "fr", NULL, NULL, NULL);
    ask(&en, "GET", "/v1/indicators?from=bogus&format=xml", indicators, "en", NULL, NULL, NULL);
    cr_expect_eq(fr.status, 400, "%ld %s", fr.status, fr.detail);
    cr_expect_str_eq(fr.language, "fr");
    cr_expect(strstr(fr.errors, "from: doit être une date telle que 2026-01-01\n"), "%s",
              fr.errors);
    cr_expect(strstr(fr.errors, "format: doit valoir json ou csv\n"), "%s", fr.errors);
    cr_expect(strstr(en.errors, "from: must be a date such as 2026-01-01\n"), "%s", en.errors);
    cr_expect(strstr(en.errors, "format: must be json or csv\n"), "%s", en.errors);

    const char *series = "/v1/indicators/autonomy_rate/series?granularity=week&from=2020-01-06"
                         "&to=2026-11-29";
    ask(&fr, "GET", series, indicators, "fr", NULL, NULL, NULL);
    ask(&en, "GET", series, indicators, "en", NULL, NULL, NULL);
    cr_expect_eq(fr.status, 422, "%ld %s", fr.status, fr.detail);
    cr_expect_str_eq(fr.title, "Contenu impossible à traiter");
    cr_expect(strstr(fr.errors, "granularity: la période donne 360 points par week ; une série en "
                                "compte au plus 160 : raccourcissez la période ou utilisez "
                                "granularity=month\n"),
              "%s", fr.errors);
    cr_expect(strstr(en.errors, "granularity: the period makes 360 points by week; a series has at "
                                "most 160: shorten the period or use granularity=month\n"),
              "%s", en.errors);
    expect_both(404, P "not-found", "Introuvable", "Not Found", "Aucun indicateur n'a ce code.",
                "No indicator has this code.", "GET", "/v1/indicators/no_such_indicator/series",
                indicators, NULL, NULL, NULL);

    const char *target = "{\"kind\": \"at_least\", \"value\": -1, \"baseline\": 3}";
    ask(&fr, "PUT", "/v1/targets/autonomy_gain", admin, "fr", "application/json", target, NULL);
    ask(&en, "PUT", "/v1/targets/autonomy_gain", admin, "en", "application/json", target, NULL);
    cr_expect_eq(fr.status, 422, "%ld %s", fr.status, fr.detail);
    cr_expect(strstr(fr.errors, "value: doit être un nombre de 0 à 1000000000\n"), "%s", fr.errors);
    cr_expect(strstr(fr.errors, "baseline: doit être un objet {value, period} ou null\n"), "%s",
              fr.errors);
    cr_expect(strstr(en.errors, "value: must be a number from 0 to 1000000000\n"), "%s", en.errors);

    const char *link = "{\"label\": \"Essai\", \"commune\": \"75056\", \"from\": \"2026-01-01\"}";
    ask(&fr, "POST", "/v1/dashboard-links", indicators, "fr", "application/json", link, NULL);
    ask(&en, "POST", "/v1/dashboard-links", indicators, "en", "application/json", link, NULL);
    cr_expect_eq(fr.status, 422, "%ld %s", fr.status, fr.detail);
    cr_expect(strstr(fr.errors, "commune: doit être le code INSEE d'une commune du Gers (32xxx)\n"),
              "%s", fr.errors);
    cr_expect(strstr(fr.errors, "to: doit être une date AAAA-MM-JJ, donnée avec from\n"), "%s",
              fr.errors);
    cr_expect(strstr(en.errors, "to: must be a date YYYY-MM-DD, given with from\n"), "%s",
              en.errors);

    ask(&fr, "GET", "/v1/calendar.ics?audience=bogus&place_id=42", writer, "fr", NULL, NULL, NULL);
    ask(&en, "GET", "/v1/calendar.ics?audience=bogus&place_id=42", writer, "en", NULL, NULL, NULL);
    cr_expect_eq(fr.status, 400, "%ld %s", fr.status, fr.detail);
    cr_expect_str_eq(fr.language, "fr");
    cr_expect(strstr(fr.errors, "audience: doit être l'un des codes de /v1/reference/audiences\n"),
              "%s", fr.errors);
    cr_expect(strstr(fr.errors, "place_id: doit être un UUID\n"), "%s", fr.errors);
    cr_expect(strstr(en.errors, "audience: must be one of the codes of /v1/reference/audiences\n"),
              "%s", en.errors);
    cr_expect(strstr(en.errors, "place_id: must be a UUID\n"), "%s", en.errors);
    expect_both(404, P "not-found", "Introuvable", "Not Found",
                "Aucun agenda à ce lien : il a été révoqué ou n'a jamais existé.",
                "No calendar at this link: it was revoked or never existed.", "GET",
                "/v1/calendar-links/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/calendar.ics", NULL,
                NULL, NULL, NULL);
}

/* GET `path` (checked against the contract) with Accept-Language `lang`
 * (NULL: none); the body, Content-Language and Vary into the buffers. */
static struct response *get_in(const char *path, const char *token, const char *lang,
                               char language[16], char vary[256])
{
    char auth[4096], al[64];
    const char *headers[3] = {bearer_header(token, auth, sizeof auth), NULL, NULL};
    if (lang) {
        snprintf(al, sizeof al, "Accept-Language: %s", lang);
        headers[1] = al;
    }
    struct response *r = http_request("GET", url(path), headers, NULL);
    cr_expect_eq(r->status, 200, "GET %s (%s): %ld %s", path, lang ? lang : "-", r->status,
                 r->body);
    language[0] = vary[0] = '\0';
    response_header(r, "Content-Language", language, 16);
    response_header(r, "Vary", vary, 256);
    return r;
}

/* The item of `code` in the answer's items. */
static json_t *item_of(json_t *doc, const char *code)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(doc, "items"), i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "code")), code) == 0)
            return item;
    }
    return NULL;
}

static const char *str_of(json_t *doc, const char *name)
{
    const char *s = json_string_value(json_object_get(doc, name));
    return s ? s : "";
}

/* Indicator labels and definitions (migration 018) in the negotiated
 * language: the list, a series, the targets; a CSV in its own language
 * (?locale=, else Accept-Language); Content-Language and Vary say so. */
Test(languages, indicator_texts_in_both_languages)
{
    char language[16], vary[256];
    static const char *const langs[] = {"fr-FR,fr;q=0.9,en;q=0.5", "en-GB, fr;q=0.3"};
    static const char *const expect_lang[] = {"fr", "en"};
    static const char *const labels[] = {"Autonomie après les ateliers",
                                         "Autonomy after the workshops"};
    static const char *const definitions[] = {"Participants dont la dernière autoévaluation",
                                              "Participants whose latest after"};
    for (int k = 0; k < 2; k++) {
        struct response *r = get_in("/v1/indicators", indicators, langs[k], language, vary);
        json_t *doc = response_json(r);
        json_t *item = item_of(doc, "autonomy_rate");
        cr_assert_not_null(item, "%s", r->body);
        cr_expect_str_eq(str_of(item, "label"), labels[k]);
        cr_expect(strncmp(str_of(item, "definition"), definitions[k], strlen(definitions[k])) == 0,
                  "%s: %s", expect_lang[k], str_of(item, "definition"));
        /* every indicator has both texts */
        size_t i;
        json_t *each;
        json_array_foreach(json_object_get(doc, "items"), i, each)
        {
            cr_expect(*str_of(each, "label") && *str_of(each, "definition"), "%s",
                      str_of(each, "code"));
        }
        cr_expect_str_eq(language, expect_lang[k]);
        cr_expect(strstr(vary, "Accept-Language") != NULL, "Vary \"%s\"", vary);
        json_decref(doc);
        response_free(r);

        r = get_in("/v1/indicators/autonomy_gain/series", indicators, langs[k], language, vary);
        doc = response_json(r);
        cr_expect_str_eq(str_of(doc, "label"),
                         k == 1 ? "Autonomy score gain" : "Progression du score d'autonomie");
        cr_expect_str_eq(language, expect_lang[k]);
        cr_expect(strstr(vary, "Accept-Language") != NULL, "Vary \"%s\"", vary);
        json_decref(doc);
        response_free(r);

        r = get_in("/v1/targets", indicators, langs[k], language, vary);
        doc = response_json(r);
        item = item_of(doc, "devices_distributed");
        cr_assert_not_null(item, "%s", r->body);
        cr_expect_str_eq(str_of(item, "label"), k == 1 ? "Refurbished devices distributed"
                                                       : "Équipements reconditionnés distribués");
        cr_expect_str_eq(language, expect_lang[k]);
        cr_expect(strstr(vary, "Accept-Language") != NULL, "Vary \"%s\"", vary);
        json_decref(doc);
        response_free(r);
    }
    /* a CSV in its own language: ?locale= wins over Accept-Language */
    struct response *r =
        get_in("/v1/indicators?format=csv&locale=en", indicators, "fr", language, vary);
    cr_expect(strstr(r->body, "Autonomy after the workshops") != NULL, "%.300s", r->body);
    cr_expect(strstr(r->body, "Participants whose latest after") != NULL, "%.300s", r->body);
    cr_expect_str_eq(language, "en");
    response_free(r);
    r = get_in("/v1/indicators?format=csv", indicators, "fr", language, vary);
    cr_expect(strstr(r->body, "Autonomie après les ateliers") != NULL, "%.300s", r->body);
    cr_expect(strstr(r->body, "Participants dont la dernière autoévaluation") != NULL, "%.300s",
              r->body);
    cr_expect_str_eq(language, "fr");
    response_free(r);
}

/* Without Accept-Language, DEFAULT_LANGUAGE (fr): the indicators in French. */
Test(languages_default, indicator_texts_in_the_default_language)
{
    char language[16], vary[256];
    struct response *r = get_in("/v1/indicators", indicators, NULL, language, vary);
    json_t *doc = response_json(r);
    cr_expect_str_eq(str_of(item_of(doc, "mobile_unit_visits"), "label"),
                     "Fréquentation du bus numérique");
    cr_expect_str_eq(language, "fr");
    json_decref(doc);
    response_free(r);
}

/* RFC 6749 errors: `error` never changes, `error_description` follows the
 * language (ASCII, as §5.2 requires). */
Test(languages_oauth, error_descriptions_in_both_languages)
{
    const char *langs[] = {"Accept-Language: fr", "Accept-Language: en"};
    const char *want[] = {"Le corps doit etre en application/x-www-form-urlencoded.",
                          "The body must be application/x-www-form-urlencoded."};
    const char *language[] = {"fr", "en"};
    for (int i = 0; i < 2; i++) {
        const char *headers[] = {langs[i], "Content-Type: application/json", NULL};
        struct response *r = http_request_raw("POST", url("/oauth/token"), headers, "{}");
        cr_expect_eq(r->status, 400, "%ld %s", r->status, r->body);
        json_t *doc = response_json(r);
        cr_expect_str_eq(json_string_value(json_object_get(doc, "error")), "invalid_request");
        const char *text = json_string_value(json_object_get(doc, "error_description"));
        cr_expect_str_eq(text ? text : "", want[i]);
        char content_language[16] = "";
        response_header(r, "Content-Language", content_language, sizeof content_language);
        cr_expect_str_eq(content_language, language[i]);
        json_decref(doc);
        response_free(r);
    }
}
