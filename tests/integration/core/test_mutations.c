/* A mutation run: valid bodies of every writing route, mutated at random
 * (members removed, added, or replaced by nulls, wrong types, huge strings,
 * NUL characters, 10,000-element arrays, deep nesting; bytes flipped, cut,
 * repeated, made invalid UTF-8), sent to the real server. Every answer must be
 * documented (checked against openapi.yaml) and none may be a 5xx; the server
 * must survive, leak nothing (the ASan build), and still answer. It runs on
 * its own database, created and dropped here, so that what it writes never
 * meets the other tests. MUTATION_REQUESTS sets the count (default 2,000;
 * `make stress` runs 100,000). */
#include "support/expect.h"
#include "support/fixture.h"
#include "support/private_db.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct private_db db;
static char *admin, *writer;
static char place[64], workshop[64], referral[64], device[64];

static void start(void)
{
    private_db_create(&db, "inclusion_mutations");
    const char *env[] = {db.env_url, "RATE_LIMIT_ORG_PER_S=0", "RATE_LIMIT_IP_PER_S=0", NULL};
    const char *seed[] = {"seed", NULL};
    char *output = NULL;
    fixture_start_with(env); /* migrates */
    cr_assert_eq(run_binary(seed, env, &output), 0, "seed: %s", output);
    free(output);
    fixture_token(&admin, "gers-numerique", "admin places:read places:write");
    fixture_token(&writer, "france-services-mirande",
                  "places:read places:write workshops:read workshops:write "
                  "registrations:write referrals:read referrals:write activity:write "
                  "devices:write");
    char at[40];
    time_t soon = time(NULL) + 7 * 86400;
    struct tm day;
    gmtime_r(&soon, &day);
    strftime(at, sizeof at, "%Y-%m-%dT10:00:00Z", &day);
    post_created("/v1/places", writer,
                 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "source",
                           "mutations", "source_id", "mut-1", "pivot", "00000000000000", "name",
                           "Médiathèque de Mirande", "street", "13 rue de l'Évêché", "postal_code",
                           "32300", "commune", "Mirande", "insee_code", "32256", "latitude",
                           43.5147, "longitude", 0.4047),
                 NULL, place, sizeof place);
    char ends[40];
    strftime(ends, sizeof ends, "%Y-%m-%dT12:00:00Z", &day);
    post_created("/v1/workshops", writer,
                 json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:i}", "place_id", place, "title",
                           "Premiers clics", "theme", "first_steps", "audience", "seniors",
                           "starts_at", at, "ends_at", ends, "capacity", 12),
                 NULL, workshop, sizeof workshop);
    post_created("/v1/referrals", writer,
                 json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:b, s:s, s:s}}", "to_org", "caf-gers",
                           "need", "caf_procedures", "beneficiary", "first_name", "Josette",
                           "last_name", "Dupin", "contact_preference", "referring_partner",
                           "consent", "given", 1, "method", "oral", "recorded_at",
                           "2026-01-05T10:00:00+01:00"),
                 "Idempotency-Key: mutations-seed", referral, sizeof referral);
    post_created("/v1/devices", writer,
                 json_pack("{s:s, s:s, s:s}", "type", "laptop", "origin", "company", "collected_at",
                           "2026-01-05T10:00:00+01:00"),
                 NULL, device, sizeof device);
}

static void stop(void)
{
    fixture_stop();
    private_db_drop(&db);
}

TestSuite(mutations, .init = start, .fini = stop, .timeout = 900);

/* ---- mutations --------------------------------------------------------------- */

static unsigned rnd(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 8) & 0xffffff;
}

/* A hostile value. */
static json_t *hostile(unsigned *state)
{
    switch (rnd(state) % 12) {
    case 0: return json_null();
    case 1: return json_true();
    case 2: return json_integer(-1);
    case 3: return json_real(1e308);
    case 4: return json_string("");
    case 5: {
        char *s = malloc(10002);
        memset(s, 'x', 10001);
        s[10001] = '\0';
        json_t *v = json_string(s);
        free(s);
        return v;
    }
    case 6: return json_stringn("a\0b", 3); /* a NUL character */
    case 7: {
        json_t *a = json_array();
        for (int i = 0; i < 10000; i++)
            json_array_append_new(a, json_integer(i));
        return a;
    }
    case 8: {
        json_t *v = json_string("deep");
        for (int i = 0; i < 150; i++) {
            json_t *a = json_array();
            json_array_append_new(a, v);
            v = a;
        }
        return v;
    }
    case 9: return json_string("'; DROP TABLE referrals; --");
    case 10: return json_string("2026-02-30T25:61:00+99:00");
    default: return json_object();
    }
}

/* A valid document mutated once or twice, as text (the caller frees it). */
static char *mutate(json_t *doc, unsigned *state)
{
    json_t *copy = json_deep_copy(doc);
    int rounds = 1 + (int)(rnd(state) % 2);
    for (int round = 0; round < rounds; round++) {
        size_t n = json_object_size(copy);
        const char *keys[64];
        size_t k = 0;
        const char *key;
        json_t *value;
        json_object_foreach(copy, key, value) if (k < 64) keys[k++] = key;
        unsigned op = rnd(state) % 5;
        if (op == 0 && n > 0)
            json_object_del(copy, keys[rnd(state) % k]);
        else if (op == 1)
            json_object_set_new(copy, (rnd(state) % 2) ? "id" : "unknown_member", hostile(state));
        else if (n > 0)
            json_object_set_new(copy, keys[rnd(state) % k], hostile(state));
    }
    char *text = json_dumps(copy, JSON_COMPACT);
    json_decref(copy);
    if (text && rnd(state) % 4 == 0) { /* byte level */
        size_t len = strlen(text);
        size_t at = len ? rnd(state) % len : 0;
        switch (rnd(state) % 3) {
        case 0: text[at] = (char)(rnd(state) % 255 + 1); break; /* flip */
        case 1: text[at] = '\0'; break;                         /* cut */
        default: text[at] = (char)0xff;                         /* invalid UTF-8 */
        }
    }
    return text;
}

struct target {
    const char *method;
    char path[160];
    json_t *doc;
    bool idempotency;
    const char *token_of; /* "admin" or "writer" */
};

Test(mutations, thousands_of_mutated_bodies_get_no_5xx)
{
    struct target targets[] = {
        {"POST", "/v1/places", NULL, false, "writer"},
        {"PATCH", "", NULL, false, "writer"},
        {"POST", "/v1/workshops", NULL, false, "writer"},
        {"POST", "", NULL, false, "writer"},
        {"POST", "/v1/referrals", NULL, true, "writer"},
        {"POST", "", NULL, false, "writer"},
        {"POST", "/v1/visits", NULL, false, "writer"},
        {"POST", "/v1/assessments", NULL, false, "writer"},
        {"POST", "/v1/feedback", NULL, false, "writer"},
        {"POST", "/v1/devices", NULL, false, "writer"},
        {"POST", "", NULL, false, "writer"},
        {"POST", "/v1/organizations", NULL, false, "admin"},
    };
    snprintf(targets[1].path, sizeof targets[1].path, "/v1/places/%s", place);
    snprintf(targets[3].path, sizeof targets[3].path, "/v1/workshops/%s/registrations", workshop);
    snprintf(targets[5].path, sizeof targets[5].path, "/v1/referrals/%s/events", referral);
    snprintf(targets[10].path, sizeof targets[10].path, "/v1/devices/%s/events", device);
    targets[0].doc =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "source", "mutations",
                  "source_id", "mut-2", "pivot", "00000000000000", "name", "Tiers-lieu", "street",
                  "1 place de la Libération", "postal_code", "32000", "commune", "Auch",
                  "insee_code", "32013", "latitude", 43.64, "longitude", 0.58);
    targets[1].doc = json_pack("{s:s, s:s}", "phone", "05 62 66 00 00", "email", "a@mairie.fr");
    targets[2].doc =
        json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:i}", "place_id", place, "title",
                  "Cybersécurité", "theme", "cybersecurity", "audience", "everyone", "starts_at",
                  "2027-03-01T09:00:00Z", "ends_at", "2027-03-01T11:00:00Z", "capacity", 10);
    targets[3].doc = json_pack("{s:s, s:s, s:s}", "participant_ref", "MUT-1", "display_name",
                               "Mme D.", "phone", "05 62 66 00 00");
    targets[4].doc = json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:b, s:s, s:s}, s:s}", "to_org", "la-poste-gers",
        "need", "digital_identity", "beneficiary", "first_name", "Jean", "last_name", "Martin",
        "phone", "06 12 34 56 78", "contact_preference", "phone", "consent", "given", 1, "method",
        "written", "recorded_at", "2026-01-05T10:00:00+01:00", "notes", "Identité numérique");
    targets[5].doc = json_pack("{s:s, s:s}", "type", "note", "note", "Rappelé");
    targets[6].doc = json_pack("{s:s, s:s, s:i, s:s}", "place_id", place, "visited_at",
                               "2026-01-05T10:00:00+01:00", "count", 3, "purpose", "information");
    targets[7].doc = json_pack(
        "{s:s, s:s, s:s, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}}",
        "participant_ref", "MUT-P", "phase", "before", "taken_at", "2026-01-05T10:00:00+01:00",
        "levels", "device_basics", 1, "browsing", 2, "online_search", 1, "email", 0, "documents", 1,
        "online_procedures", 0, "franceconnect", 0, "passwords", 1, "fraud", 2, "personal_data", 1,
        "smartphone_apps", 2, "video_calls", 3);
    targets[8].doc = json_pack("{s:s, s:s, s:i, s:s}", "subject_type", "place", "subject_id", place,
                               "rating", 4, "comment", "Très utile");
    targets[9].doc = json_pack("{s:s, s:s, s:s}", "type", "tablet", "origin", "individual",
                               "collected_at", "2026-01-05T10:00:00+01:00");
    targets[10].doc = json_pack("{s:s, s:{s:s, s:s}}", "type", "wiped", "details", "method",
                                "software_overwrite", "certificate_ref", "CERT-1");
    targets[11].doc = json_pack("{s:s, s:s, s:s}", "slug", "association-mutation", "name",
                                "Association", "kind", "association");
    const size_t count = sizeof targets / sizeof targets[0];

    const char *env_count = getenv("MUTATION_REQUESTS");
    long requests = env_count ? atol(env_count) : 2000;
    unsigned state = 20261127u;
    long by_class[6] = {0};
    char auth_admin[4096], auth_writer[4096];
    bearer_header(admin, auth_admin, sizeof auth_admin);
    bearer_header(writer, auth_writer, sizeof auth_writer);
    for (long n = 0; n < requests; n++) {
        struct target *t = &targets[n % (long)count];
        char *body = mutate(t->doc, &state);
        char key[64], target[512];
        snprintf(key, sizeof key, "Idempotency-Key: mut-%ld", n);
        const char *headers[] = {strcmp(t->token_of, "admin") == 0 ? auth_admin : auth_writer,
                                 "Content-Type: application/json", t->idempotency ? key : NULL,
                                 NULL};
        snprintf(target, sizeof target, "%s%s", server.base_url, t->path);
        struct response *r = http_request(t->method, target, headers, body ? body : "");
        by_class[r->status / 100 < 6 ? r->status / 100 : 0]++;
        cr_expect(r->status > 0 && r->status < 500, "request %ld to %s: %ld %s\nbody: %.300s", n,
                  t->path, r->status, r->body, body ? body : "");
        response_free(r);
        free(body);
    }
    cr_log_info("mutations: %ld requests: %ld 2xx, %ld 4xx, %ld 5xx", requests, by_class[2],
                by_class[4], by_class[5]);
    cr_expect_eq(by_class[5], 0, "no 5xx");
    cr_expect(http_ping(server.base_url), "the server still answers");
    for (size_t i = 0; i < count; i++)
        json_decref(targets[i].doc);
}
