/* /v1/workshops/{id}/registrations: seats then a waiting list, duplicates,
 * contact normalisation and validation, cancellation with promotion in arrival
 * order, who sees which participants, attendance once started, and the heart
 * of it: 200 concurrent registrations on 10 seats never overbook and give a
 * gapless waiting list.
 *
 * The database is shared with other tests running in parallel: every workshop
 * here is created by the test that uses it, at a place it creates in Mirande,
 * in 2031 (or a few seconds ahead when the test needs it to start). */
#include "support/expect.h"
#include "support/fixture.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MIRANDE_LAT 43.513985
#define MIRANDE_LON 0.400199

static char *owner, *other, *partner, *bystander, *viewer, *admin, *places_writer, *idle_partner;

static void tokens(void)
{
    fixture_token(&owner, "france-services-mirande",
                  "workshops:read workshops:write registrations:write places:read");
    /* another organisation that may write workshops (not this one's) */
    fixture_token(&other, "france-services-mielan",
                  "workshops:read workshops:write registrations:write");
    /* a partner that registers people */
    fixture_token(&partner, "caf-gers", "workshops:read registrations:write");
    /* a partner that may register people, and registers nobody here */
    fixture_token(&bystander, "france-travail-gers", "workshops:read registrations:write");
    /* reads workshops, registers nobody */
    fixture_token(&viewer, "la-poste-gers", "workshops:read");
    fixture_token(&idle_partner, "prefecture-gers", "workshops:read registrations:write");
    fixture_token(&admin, "gers-numerique",
                  "admin workshops:read workshops:write "
                  "registrations:write places:read places:write");
    fixture_token(&places_writer, "france-services-mirande", "places:read places:write");
}

static void start(void)
{
    fixture_start();
    tokens();
}

/* Enough HTTP threads and database connections for requests to really run
 * side by side, and room for 200 connections from one address. */
static void start_concurrent(void)
{
    static const char *const env[] = {"HTTP_THREADS=16", "DB_POOL_SIZE=16",
                                      "MAX_CONNECTIONS_PER_IP=1024", NULL};
    fixture_start_with(env);
    tokens();
}

TestSuite(registrations, .init = start, .fini = fixture_stop, .timeout = 120);
TestSuite(registrations_contention, .init = start_concurrent, .fini = fixture_stop, .timeout = 120);

/* ---- helpers ------------------------------------------------------------ */

static bool str_is(json_t *obj, const char *key, const char *value)
{
    const char *v = json_str(obj, key);
    return v && strcmp(v, value) == 0;
}

static long long integer(json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

static json_t *find_id(json_t *items, const char *id)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) if (str_is(item, "id", id)) return item;
    return NULL;
}

static double now_s(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* A fixed place of france-services-mirande in Mirande. */
static void create_place(char *id, size_t cap)
{
    char tag[64], name[128];
    test_nonce("r", tag, sizeof tag);
    snprintf(name, sizeof name, "Salle d'inscriptions %s", tag);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "source",
                  "integration-tests", "source_id", tag, "pivot", "00000000000000", "name", name,
                  "street", "1 rue de l'Essai", "postal_code", "32300", "commune", "Mirande",
                  "insee_code", "32256", "latitude", MIRANDE_LAT, "longitude", MIRANDE_LON);
    post_created("/v1/places", places_writer, doc, NULL, id, cap);
}

static void remove_place(const char *id)
{
    char path[128], auth[4096];
    snprintf(path, sizeof path, "/v1/places/%s", id);
    const char *headers[] = {bearer_header(admin, auth, sizeof auth), NULL};
    struct response *r = http_request_raw("DELETE", url(path), headers, NULL);
    response_free(r);
}

/* A workshop of france-services-mirande at a new place; its id into id,
 * the place's into place. */
static void create_workshop(const char *starts, const char *ends, int capacity, char *id,
                            size_t cap, char *place, size_t place_cap)
{
    char tag[64], title[128];
    create_place(place, place_cap);
    test_nonce("r", tag, sizeof tag);
    snprintf(title, sizeof title, "Atelier d'inscriptions %s", tag);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:i}", "place_id", place, "title",
                            title, "theme", "smartphone", "audience", "seniors", "starts_at",
                            starts, "ends_at", ends, "capacity", capacity);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct response *r = api_call(true, "POST", "/v1/workshops", owner, text, NULL);
    free(text);
    cr_assert_eq(r->status, 201, "workshop: %s", r->body);
    json_t *w = response_json(r);
    snprintf(id, cap, "%s", json_str(w, "id"));
    json_decref(w);
    response_free(r);
}

static void create_2031(int capacity, char *id, size_t cap, char *place, size_t place_cap)
{
    static int day;
    char starts[40], ends[40];
    int d = 1 + (day++ % 28);
    snprintf(starts, sizeof starts, "2031-09-%02dT14:00:00+02:00", d);
    snprintf(ends, sizeof ends, "2031-09-%02dT16:00:00+02:00", d);
    create_workshop(starts, ends, capacity, id, cap, place, place_cap);
}

static json_t *get_workshop(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/workshops/%s", id);
    struct response *r = api_call(true, "GET", path, owner, NULL, NULL);
    cr_assert_eq(r->status, 200, "GET %s: %s", path, r->body);
    json_t *body = response_json(r);
    response_free(r);
    return body;
}

static struct response *post_registration(const char *token, const char *workshop, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations", workshop);
    return api_call(true, "POST", path, token, body, NULL);
}

static struct response *register_one(const char *token, const char *workshop, const char *ref)
{
    char body[256];
    snprintf(body, sizeof body, "{\"participant_ref\":\"%s\",\"display_name\":\"Personne %s\"}",
             ref, ref);
    return post_registration(token, workshop, body);
}

/* Registers ref as token; asserts 201; returns the registration. */
static json_t *registered_as(const char *token, const char *workshop, const char *ref)
{
    struct response *r = register_one(token, workshop, ref);
    cr_assert_eq(r->status, 201, "register %s: %ld %s", ref, r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    return body;
}

static json_t *registered(const char *workshop, const char *ref)
{
    return registered_as(owner, workshop, ref);
}

static struct response *list_as(const char *token, const char *workshop)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations", workshop);
    return api_call(true, "GET", path, token, NULL, NULL);
}

/* The registrations token sees (asserts 200); returns the items array (new ref). */
static json_t *items_as(const char *token, const char *workshop)
{
    struct response *r = list_as(token, workshop);
    cr_assert_eq(r->status, 200, "list: %ld %s", r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    json_t *items = json_incref(json_object_get(body, "items"));
    json_decref(body);
    cr_assert(json_is_array(items), "items");
    return items;
}

static struct response *delete_registration(const char *token, const char *workshop,
                                            const char *rid)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations/%s", workshop, rid);
    return api_call(true, "DELETE", path, token, NULL, NULL);
}

static struct response *patch_registration(const char *token, const char *workshop, const char *rid,
                                           const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations/%s", workshop, rid);
    return api_call(true, "PATCH", path, token, body, NULL);
}

/* The registration `rid` as the owner sees it (asserts it is there). */
static json_t *registration(const char *workshop, const char *rid)
{
    json_t *items = items_as(owner, workshop);
    json_t *found = find_id(items, rid);
    cr_assert_not_null(found, "registration %s is listed", rid);
    json_incref(found);
    json_decref(items);
    return found;
}

static void expect_status(const char *workshop, const char *rid, const char *status,
                          long long position)
{
    json_t *reg = registration(workshop, rid);
    cr_expect_str_eq(json_str(reg, "status"), status, "registration %s",
                     json_str(reg, "participant_ref"));
    if (position > 0)
        cr_expect_eq(integer(reg, "waitlist_position"), position, "%s at position %lld",
                     json_str(reg, "participant_ref"), position);
    else
        cr_expect(json_is_null(json_object_get(reg, "waitlist_position")),
                  "%s has no waitlist_position", json_str(reg, "participant_ref"));
    json_decref(reg);
}

static void expect_counts(const char *workshop, long long seats_left, long long waitlist)
{
    json_t *w = get_workshop(workshop);
    cr_expect_eq(integer(w, "seats_left"), seats_left, "seats_left %lld: %lld", seats_left,
                 integer(w, "seats_left"));
    cr_expect_eq(integer(w, "waitlist_count"), waitlist, "waitlist_count %lld: %lld", waitlist,
                 integer(w, "waitlist_count"));
    json_decref(w);
}

/* ---- registering ------------------------------------------------------------ */

Test(registrations, confirmed_until_capacity_then_waitlisted)
{
    char id[64], place[64], location[256], path[256];
    create_2031(3, id, sizeof id, place, sizeof place);
    for (int i = 0; i < 6; i++) {
        char ref[32];
        snprintf(ref, sizeof ref, "dossier-%d", i);
        struct response *r = register_one(owner, id, ref);
        cr_assert_eq(r->status, 201, "%s: %s", ref, r->body);
        json_t *reg = response_json(r);
        cr_assert_not_null(json_str(reg, "id"));
        snprintf(path, sizeof path, "/v1/workshops/%s/registrations/%s", id, json_str(reg, "id"));
        cr_expect_not_null(response_header(r, "Location", location, sizeof location));
        cr_expect(strstr(location, path) != NULL, "Location %s", location);
        response_free(r);
        cr_expect_str_eq(json_str(reg, "workshop_id"), id);
        cr_expect_str_eq(json_str(reg, "participant_ref"), ref);
        char name[48];
        snprintf(name, sizeof name, "Personne %s", ref);
        cr_expect_str_eq(json_str(reg, "display_name"), name);
        cr_expect_str_eq(json_str(reg, "registered_by"), "france-services-mirande");
        cr_expect(json_is_null(json_object_get(reg, "attended")), "attended unknown yet");
        if (i < 3) {
            cr_expect_str_eq(json_str(reg, "status"), "confirmed", "%s", ref);
            cr_expect(json_is_null(json_object_get(reg, "waitlist_position")));
        } else {
            cr_expect_str_eq(json_str(reg, "status"), "waitlisted", "%s", ref);
            cr_expect_eq(integer(reg, "waitlist_position"), i - 2, "%s: position %d", ref, i - 2);
        }
        json_decref(reg);
        expect_counts(id, i < 3 ? 2 - i : 0, i < 3 ? 0 : i - 2);
    }
    /* the list agrees, in arrival order */
    json_t *items = items_as(owner, id);
    cr_assert_eq(json_array_size(items), 6);
    for (int i = 0; i < 6; i++) {
        json_t *reg = json_array_get(items, i);
        char ref[32];
        snprintf(ref, sizeof ref, "dossier-%d", i);
        cr_expect_str_eq(json_str(reg, "participant_ref"), ref, "arrival order");
        if (i >= 3)
            cr_expect_eq(integer(reg, "waitlist_position"), i - 2);
    }
    json_decref(items);
    remove_place(place);
}

Test(registrations, the_same_participant_twice_is_409)
{
    char id[64], place[64];
    create_2031(5, id, sizeof id, place, sizeof place);
    json_t *first = registered(id, "dossier-42");
    struct response *r = register_one(owner, id, "dossier-42");
    cr_expect_eq(r->status, 409, "same participant_ref: %ld %s", r->status, r->body);
    response_free(r);
    r = register_one(partner, id, "dossier-42");
    cr_expect_eq(r->status, 201, "another partner's own participant: %ld %s", r->status, r->body);
    response_free(r);
    expect_counts(id, 3, 0);
    json_t *items = items_as(owner, id);
    cr_expect_eq(json_array_size(items), 2, "one registration each");
    json_decref(items);
    /* once cancelled, the participant may register again */
    r = delete_registration(owner, id, json_str(first, "id"));
    cr_expect_eq(r->status, 204, "%s", r->body);
    response_free(r);
    json_t *again = registered(id, "dossier-42");
    cr_expect_str_neq(json_str(again, "id"), json_str(first, "id"), "a new registration");
    cr_expect_str_eq(json_str(again, "status"), "confirmed");
    json_decref(again);
    json_decref(first);
    expect_counts(id, 3, 0);
    remove_place(place);
}

Test(registrations, contacts_are_normalised_and_checked)
{
    char id[64], place[64];
    create_2031(20, id, sizeof id, place, sizeof place);
    const char *phones[][2] = {{"06 12 34 56 78", "+33612345678"},
                               {"06.12.34.56.78", "+33612345678"},
                               {"+33 6 12 34 56 78", "+33612345678"},
                               {"0562000000", "+33562000000"}};
    for (size_t i = 0; i < sizeof phones / sizeof phones[0]; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"participant_ref\":\"tel-%zu\",\"display_name\":\"Mme Tel\",\"phone\":\"%s\","
                 "\"email\":\"mme.tel@example.fr\",\"needs\":\"Malvoyante\"}",
                 i, phones[i][0]);
        struct response *r = post_registration(owner, id, body);
        cr_expect_eq(r->status, 201, "%s: %s", phones[i][0], r->body);
        json_t *reg = response_json(r);
        cr_expect_str_eq(json_str(reg, "phone"), phones[i][1], "%s in E.164", phones[i][0]);
        cr_expect_str_eq(json_str(reg, "email"), "mme.tel@example.fr");
        cr_expect_str_eq(json_str(reg, "needs"), "Malvoyante");
        json_decref(reg);
        response_free(r);
    }
    const char *bad[][2] = {
        {"{\"participant_ref\":\"b1\",\"display_name\":\"X\",\"phone\":\"12345\"}", "phone"},
        {"{\"participant_ref\":\"b2\",\"display_name\":\"X\",\"phone\":\"06 12 34 56 7x\"}",
         "phone"},
        {"{\"participant_ref\":\"b3\",\"display_name\":\"X\",\"phone\":\"un deux trois\"}",
         "phone"},
        {"{\"participant_ref\":\"b4\",\"display_name\":\"X\",\"phone\":612345678}", "phone"},
        {"{\"participant_ref\":\"b5\",\"display_name\":\"X\",\"email\":\"pas-un-email\"}", "email"},
        {"{\"participant_ref\":\"b6\",\"display_name\":\"X\",\"email\":\"jean@\"}", "email"},
        {"{\"participant_ref\":\"b7\",\"display_name\":\"X\",\"email\":\"@example.fr\"}", "email"},
        {"{\"participant_ref\":\"b8\",\"display_name\":\"X\",\"age\":77}", "age"},
        {"{\"participant_ref\":\"b9\",\"display_name\":\"X\",\"status\":\"confirmed\"}", "status"},
        {"{\"participant_ref\":\"b10\",\"display_name\":\"X\",\"waitlist_position\":1}",
         "waitlist_position"},
        {"{\"display_name\":\"X\"}", "participant_ref"},
        {"{\"participant_ref\":\"\",\"display_name\":\"X\"}", "participant_ref"},
        {"{\"participant_ref\":\"b11\"}", "display_name"},
        {"{\"participant_ref\":\"b12\",\"display_name\":\"\"}", "display_name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct response *r = post_registration(owner, id, bad[i][0]);
        cr_expect_eq(r->status, 422, "%s: %ld %s", bad[i][0], r->status, r->body);
        cr_expect(names_field(r, bad[i][1]), "%s names %s: %s", bad[i][0], bad[i][1], r->body);
        response_free(r);
    }
    json_t *items = items_as(owner, id);
    cr_expect_eq(json_array_size(items), 4, "422s wrote nothing");
    json_decref(items);
    expect_counts(id, 16, 0);

    /* unknown workshops */
    struct response *r = register_one(owner, "00000000-0000-4000-8000-000000000000", "x");
    cr_expect_eq(r->status, 404, "unknown workshop: %ld %s", r->status, r->body);
    response_free(r);
    r = register_one(owner, "pas-un-uuid", "x");
    cr_expect_eq(r->status, 404, "not a UUID: %ld", r->status);
    response_free(r);
    /* scope */
    r = register_one(viewer, id, "sans-droit");
    cr_expect_eq(r->status, 403, "workshops:read cannot register: %ld", r->status);
    response_free(r);
    remove_place(place);
}

/* ---- cancelling --------------------------------------------------------------- */

Test(registrations, cancelling_promotes_in_arrival_order)
{
    char id[64], place[64];
    create_2031(2, id, sizeof id, place, sizeof place);
    const char *refs[] = {"A", "B", "C", "D", "E"};
    char rid[5][64];
    for (int i = 0; i < 5; i++) {
        json_t *reg = registered(id, refs[i]);
        snprintf(rid[i], sizeof rid[i], "%s", json_str(reg, "id"));
        json_decref(reg);
    }
    expect_status(id, rid[0], "confirmed", 0);
    expect_status(id, rid[1], "confirmed", 0);
    expect_status(id, rid[2], "waitlisted", 1);
    expect_status(id, rid[3], "waitlisted", 2);
    expect_status(id, rid[4], "waitlisted", 3);
    expect_counts(id, 0, 3);

    /* another organisation, neither owner nor registrar */
    struct response *r = delete_registration(bystander, id, rid[0]);
    cr_expect_eq(r->status, 404, "bystander: %ld %s", r->status, r->body);
    response_free(r);
    r = delete_registration(other, id, rid[0]);
    cr_expect_eq(r->status, 404, "another workshop writer: %ld %s", r->status, r->body);
    response_free(r);
    expect_status(id, rid[0], "confirmed", 0);
    expect_counts(id, 0, 3);

    /* A leaves: C gets the seat, D and E move up */
    r = delete_registration(owner, id, rid[0]);
    cr_expect_eq(r->status, 204, "%s", r->body);
    cr_expect_eq(r->body_len, 0);
    response_free(r);
    expect_status(id, rid[0], "cancelled", 0);
    expect_status(id, rid[1], "confirmed", 0);
    expect_status(id, rid[2], "confirmed", 0);
    expect_status(id, rid[3], "waitlisted", 1);
    expect_status(id, rid[4], "waitlisted", 2);
    expect_counts(id, 0, 2);

    /* D (waiting) leaves: E is first, nobody is promoted */
    r = delete_registration(owner, id, rid[3]);
    cr_expect_eq(r->status, 204, "%s", r->body);
    response_free(r);
    expect_status(id, rid[3], "cancelled", 0);
    expect_status(id, rid[2], "confirmed", 0);
    expect_status(id, rid[4], "waitlisted", 1);
    expect_counts(id, 0, 1);

    /* twice */
    r = delete_registration(owner, id, rid[0]);
    cr_expect_eq(r->status, 409, "A again: %ld %s", r->status, r->body);
    response_free(r);
    r = delete_registration(owner, id, rid[3]);
    cr_expect_eq(r->status, 409, "D again: %ld %s", r->status, r->body);
    response_free(r);
    expect_counts(id, 0, 1);

    /* unknown registrations, unknown workshop */
    r = delete_registration(owner, id, "00000000-0000-4000-8000-000000000000");
    cr_expect_eq(r->status, 404, "unknown registration: %ld", r->status);
    response_free(r);
    r = delete_registration(owner, id, "pas-un-uuid");
    cr_expect_eq(r->status, 404, "not a UUID: %ld", r->status);
    response_free(r);
    r = delete_registration(owner, "00000000-0000-4000-8000-000000000000", rid[1]);
    cr_expect_eq(r->status, 404, "unknown workshop: %ld", r->status);
    response_free(r);
    /* a registration of another workshop */
    char id2[64], place2[64];
    create_2031(2, id2, sizeof id2, place2, sizeof place2);
    r = delete_registration(owner, id2, rid[1]);
    cr_expect_eq(r->status, 404, "B is not on the other workshop: %ld", r->status);
    response_free(r);
    expect_status(id, rid[1], "confirmed", 0);

    /* B (confirmed) and E (last waiting) leave: E is not promoted to B's seat */
    r = delete_registration(owner, id, rid[4]);
    cr_expect_eq(r->status, 204);
    response_free(r);
    r = delete_registration(owner, id, rid[1]);
    cr_expect_eq(r->status, 204);
    response_free(r);
    expect_status(id, rid[4], "cancelled", 0);
    expect_counts(id, 1, 0);
    remove_place(place);
    remove_place(place2);
}

Test(registrations, the_registering_partner_may_cancel_its_own)
{
    char id[64], place[64];
    create_2031(1, id, sizeof id, place, sizeof place);
    json_t *mine = registered_as(partner, id, "caf-1");
    cr_expect_str_eq(json_str(mine, "registered_by"), "caf-gers");
    json_t *waiting = registered(id, "fs-1");
    cr_expect_str_eq(json_str(waiting, "status"), "waitlisted");
    /* the partner cannot cancel the owner's registration */
    struct response *r = delete_registration(partner, id, json_str(waiting, "id"));
    cr_expect_eq(r->status, 404, "not its registration: %ld %s", r->status, r->body);
    response_free(r);
    r = delete_registration(partner, id, json_str(mine, "id"));
    cr_expect_eq(r->status, 204, "its own: %ld %s", r->status, r->body);
    response_free(r);
    expect_status(id, json_str(waiting, "id"), "confirmed", 0);
    expect_counts(id, 0, 0);
    /* a token without registrations:write cannot cancel */
    r = delete_registration(viewer, id, json_str(waiting, "id"));
    cr_expect_eq(r->status, 403, "scope: %ld", r->status);
    response_free(r);
    json_decref(mine);
    json_decref(waiting);
    remove_place(place);
}

/* ---- who sees what ------------------------------------------------------------ */

Test(registrations, the_owner_sees_all_a_partner_its_own)
{
    char id[64], place[64];
    create_2031(5, id, sizeof id, place, sizeof place);
    json_decref(registered(id, "fs-1"));
    json_decref(registered(id, "fs-2"));
    json_t *theirs = registered_as(partner, id, "caf-1");

    json_t *items = items_as(owner, id);
    cr_expect_eq(json_array_size(items), 3, "the owner sees every registration");
    cr_expect_not_null(find_id(items, json_str(theirs, "id")), "including the partner's");
    json_decref(items);

    items = items_as(partner, id);
    cr_expect_eq(json_array_size(items), 1, "the partner sees only its own");
    cr_expect_not_null(find_id(items, json_str(theirs, "id")));
    size_t i;
    json_t *reg;
    json_array_foreach(items, i, reg) cr_expect_str_eq(json_str(reg, "registered_by"), "caf-gers");
    json_decref(items);

    items = items_as(idle_partner, id);
    cr_expect_eq(json_array_size(items), 0, "a partner that registered nobody sees nobody");
    json_decref(items);

    items = items_as(admin, id);
    cr_expect_eq(json_array_size(items), 3, "admin sees all");
    json_decref(items);

    struct response *r = list_as(viewer, id);
    cr_expect_eq(r->status, 403, "no registrations:write, not the owner: %ld %s", r->status,
                 r->body);
    cr_expect(strstr(r->body, "fs-1") == NULL, "no participant leaks");
    response_free(r);
    r = list_as(NULL, id);
    cr_expect_eq(r->status, 401, "a token is needed: %ld", r->status);
    response_free(r);
    r = list_as(owner, "00000000-0000-4000-8000-000000000000");
    cr_expect_eq(r->status, 404, "unknown workshop: %ld", r->status);
    response_free(r);

    /* one registration: the Location of a 201 leads there */
    json_t *mine = registered(id, "fs-3");
    char one[256];
    snprintf(one, sizeof one, "/v1/workshops/%s/registrations/%s", id, json_str(theirs, "id"));
    r = api_call(true, "GET", one, owner, NULL, NULL);
    cr_expect_eq(r->status, 200, "the owner reads the partner's: %ld %s", r->status, r->body);
    response_free(r);
    r = api_call(true, "GET", one, partner, NULL, NULL);
    cr_expect_eq(r->status, 200, "the partner reads its own: %ld", r->status);
    response_free(r);
    snprintf(one, sizeof one, "/v1/workshops/%s/registrations/%s", id, json_str(mine, "id"));
    r = api_call(true, "GET", one, partner, NULL, NULL);
    cr_expect_eq(r->status, 404, "another partner's is not revealed: %ld", r->status);
    response_free(r);
    r = api_call(true, "GET", one, viewer, NULL, NULL);
    cr_expect_eq(r->status, 403, "%ld", r->status);
    response_free(r);
    json_decref(mine);
    json_decref(theirs);
    remove_place(place);
}

/* ---- attendance (a workshop that starts a few seconds ahead) -------------------- */

Test(registrations, attendance_once_started_and_registration_closed)
{
    char id[64], place[64], starts[40], ends[40];
    time_t at = time(NULL) + 4;
    rfc3339_utc(at, starts, sizeof starts);
    rfc3339_utc(at + 3600, ends, sizeof ends);
    create_workshop(starts, ends, 1, id, sizeof id, place, sizeof place);
    json_t *a = registered(id, "present");
    json_t *b = registered(id, "en-attente");
    cr_expect_str_eq(json_str(a, "status"), "confirmed");
    cr_expect_str_eq(json_str(b, "status"), "waitlisted");
    const char *ra = json_str(a, "id"), *rb = json_str(b, "id");

    /* Before the start, attendance is refused: on a workshop of tomorrow, so
     * that a slow run cannot reach the start of this one first. */
    char later[64], later_place[64], later_starts[40], later_ends[40];
    rfc3339_utc(at + 86400, later_starts, sizeof later_starts);
    rfc3339_utc(at + 86400 + 3600, later_ends, sizeof later_ends);
    create_workshop(later_starts, later_ends, 1, later, sizeof later, later_place,
                    sizeof later_place);
    json_t *early = registered(later, "en-avance");
    struct response *r =
        patch_registration(owner, later, json_str(early, "id"), "{\"attended\":true}");
    cr_expect_eq(r->status, 409, "before the start: %ld %s", r->status, r->body);
    response_free(r);
    json_decref(early);
    remove_place(later_place);

    while (time(NULL) <= at)
        usleep(100 * 1000);

    /* registrations are closed */
    r = register_one(owner, id, "retardataire");
    cr_expect_eq(r->status, 409, "registering after the start: %ld %s", r->status, r->body);
    response_free(r);
    r = register_one(partner, id, "retardataire-caf");
    cr_expect_eq(r->status, 409, "for a partner too: %ld", r->status);
    response_free(r);
    json_t *items = items_as(owner, id);
    cr_expect_eq(json_array_size(items), 2, "nothing added");
    json_decref(items);

    /* the owner records attendance */
    r = patch_registration(owner, id, ra, "{\"attended\":true}");
    cr_expect_eq(r->status, 200, "after the start: %ld %s", r->status, r->body);
    json_t *updated = response_json(r);
    response_free(r);
    cr_expect(json_is_true(json_object_get(updated, "attended")), "attended true");
    cr_expect_str_eq(json_str(updated, "status"), "confirmed");
    cr_expect_str_eq(json_str(updated, "id"), ra);
    json_decref(updated);
    json_t *stored = registration(id, ra);
    cr_expect(json_is_true(json_object_get(stored, "attended")), "stored");
    json_decref(stored);
    r = patch_registration(owner, id, ra, "{\"attended\":false}");
    cr_expect_eq(r->status, 200, "and corrects it: %s", r->body);
    updated = response_json(r);
    cr_expect(json_is_false(json_object_get(updated, "attended")));
    json_decref(updated);
    response_free(r);

    /* a waitlisted registration did not attend */
    r = patch_registration(owner, id, rb, "{\"attended\":true}");
    cr_expect_eq(r->status, 409, "waitlisted: %ld %s", r->status, r->body);
    response_free(r);

    /* once started, registrations no longer change (no promotion after the fact) */
    r = delete_registration(owner, id, ra);
    cr_expect_eq(r->status, 409, "cancelling after the start: %ld %s", r->status, r->body);
    response_free(r);

    /* another organisation */
    r = patch_registration(other, id, ra, "{\"attended\":true}");
    cr_expect_eq(r->status, 404, "another organisation: %ld %s", r->status, r->body);
    response_free(r);
    r = patch_registration(partner, id, ra, "{\"attended\":true}");
    cr_expect_eq(r->status, 403, "no workshops:write: %ld", r->status);
    response_free(r);
    stored = registration(id, ra);
    cr_expect(json_is_false(json_object_get(stored, "attended")), "403s wrote nothing");
    json_decref(stored);

    /* bodies */
    const char *bad[][2] = {{"{}", "attended"},
                            {"{\"attended\":\"yes\"}", "attended"},
                            {"{\"attended\":null}", "attended"},
                            {"{\"attended\":true,\"status\":\"cancelled\"}", "status"},
                            {"{\"attended\":true,\"colour\":\"bleu\"}", "colour"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = patch_registration(owner, id, ra, bad[i][0]);
        cr_expect_eq(r->status, 422, "%s: %ld %s", bad[i][0], r->status, r->body);
        cr_expect(names_field(r, bad[i][1]), "%s names %s: %s", bad[i][0], bad[i][1], r->body);
        response_free(r);
    }
    r = patch_registration(owner, id, "00000000-0000-4000-8000-000000000000",
                           "{\"attended\":true}");
    cr_expect_eq(r->status, 404, "unknown registration: %ld", r->status);
    response_free(r);
    json_decref(a);
    json_decref(b);
    remove_place(place);
}

/* ---- contention ------------------------------------------------------------------ */

#define CONTENDERS 200
#define SEATS      10

struct contender {
    pthread_t thread;
    pthread_barrier_t *go;
    const char *workshop, *token, *ref;
    char own_ref[32];
    long status;
    char *body;
};

static void *contend(void *arg)
{
    struct contender *c = arg;
    pthread_barrier_wait(c->go);
    char path[128], body[256];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations", c->workshop);
    snprintf(body, sizeof body, "{\"participant_ref\":\"%s\",\"display_name\":\"Resident\"}",
             c->ref ? c->ref : c->own_ref);
    /* A 503 means no connection was free within 2 s (nothing was written):
     * the client retries, as Retry-After tells it. Only slow runs (valgrind)
     * ever see one. */
    for (int attempt = 0; attempt < 10; attempt++) {
        struct response *r = api_call(false, "POST", path, c->token, body, NULL);
        c->status = r->status;
        free(c->body);
        c->body = strdup(r->body);
        response_free(r);
        if (c->status != 503)
            break;
        sleep(1);
    }
    return NULL;
}

/* Runs n registrations of `ref` (NULL: a distinct one each) at once. */
static void run_contenders(struct contender *cs, int n, const char *workshop, const char *ref)
{
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)n);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1024 * 1024);
    for (int i = 0; i < n; i++) {
        cs[i].go = &go;
        cs[i].workshop = workshop;
        cs[i].token = i % 2 ? owner : partner;
        cs[i].ref = ref;
        snprintf(cs[i].own_ref, sizeof cs[i].own_ref, "foule-%03d", i);
        cr_assert_eq(pthread_create(&cs[i].thread, &attr, contend, &cs[i]), 0, "thread %d", i);
    }
    for (int i = 0; i < n; i++)
        pthread_join(cs[i].thread, NULL);
    pthread_attr_destroy(&attr);
    pthread_barrier_destroy(&go);
}

Test(registrations_contention, two_hundred_at_once_on_ten_seats)
{
    char id[64], place[64];
    create_2031(SEATS, id, sizeof id, place, sizeof place);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    static struct contender cs[CONTENDERS];
    memset(cs, 0, sizeof cs);
    double t0 = now_s();
    run_contenders(cs, CONTENDERS, id, NULL);
    double elapsed = now_s() - t0;
    cr_log_info("200 concurrent registrations in %.2f s", elapsed);
    cr_expect_lt(elapsed, 30.0, "bounded in time: %.2f s", elapsed);

    int confirmed = 0, waitlisted = 0, errors = 0;
    int seen[CONTENDERS - SEATS + 1] = {0};
    json_t *by_id = json_object();
    for (int i = 0; i < CONTENDERS; i++) {
        if (cs[i].status != 201) {
            errors++;
            cr_expect_eq(cs[i].status, 201, "contender %d: %ld %s", i, cs[i].status, cs[i].body);
            free(cs[i].body);
            continue;
        }
        json_t *reg = json_loads(cs[i].body, 0, NULL);
        free(cs[i].body);
        cr_assert_not_null(reg);
        if (str_is(reg, "status", "confirmed")) {
            confirmed++;
            cr_expect(json_is_null(json_object_get(reg, "waitlist_position")));
        } else if (str_is(reg, "status", "waitlisted")) {
            waitlisted++;
            long long p = integer(reg, "waitlist_position");
            cr_expect(p >= 1 && p <= CONTENDERS - SEATS, "position %lld in 1..190", p);
            if (p >= 1 && p <= CONTENDERS - SEATS)
                seen[p]++;
        } else {
            cr_expect_fail("contender %d: status %s", i, json_str(reg, "status"));
        }
        json_object_set(by_id, json_str(reg, "id"), reg);
        json_decref(reg);
    }
    cr_expect_eq(errors, 0, "every registration answered 201");
    cr_expect_eq(confirmed, SEATS, "exactly %d confirmed: %d", SEATS, confirmed);
    cr_expect_eq(waitlisted, CONTENDERS - SEATS, "exactly %d waitlisted: %d", CONTENDERS - SEATS,
                 waitlisted);
    for (int p = 1; p <= CONTENDERS - SEATS; p++)
        cr_expect_eq(seen[p], 1, "waitlist position %d given %d time(s)", p, seen[p]);
    expect_counts(id, 0, CONTENDERS - SEATS);

    /* the list agrees: in arrival order, the first ten hold the seats and the
     * rest wait in order, with the positions their POSTs were given */
    json_t *items = items_as(owner, id);
    cr_assert_eq(json_array_size(items), CONTENDERS);
    size_t i;
    json_t *reg;
    json_array_foreach(items, i, reg)
    {
        if (i < SEATS) {
            cr_expect_str_eq(json_str(reg, "status"), "confirmed", "arrival %zu holds a seat", i);
        } else {
            cr_expect_str_eq(json_str(reg, "status"), "waitlisted", "arrival %zu waits", i);
            cr_expect_eq(integer(reg, "waitlist_position"), (long long)(i - SEATS + 1),
                         "arrival %zu at position %zu", i, i - SEATS + 1);
        }
        json_t *posted = json_object_get(by_id, json_str(reg, "id"));
        if (posted)
            cr_expect(json_equal(json_object_get(posted, "waitlist_position"),
                                 json_object_get(reg, "waitlist_position")),
                      "the POST's position is the list's for %s", json_str(reg, "participant_ref"));
    }
    json_decref(items);
    json_decref(by_id);
    remove_place(place);
}

Test(registrations_contention, the_same_participant_at_once_registers_once)
{
    char id[64], place[64];
    create_2031(3, id, sizeof id, place, sizeof place);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    static struct contender cs[24];
    memset(cs, 0, sizeof cs);
    run_contenders(cs, 24, id, "le-meme");
    int created = 0, conflicts = 0;
    for (int i = 0; i < 24; i++) {
        if (cs[i].status == 201)
            created++;
        else if (cs[i].status == 409)
            conflicts++;
        else
            cr_expect_fail("contender %d: %ld %s", i, cs[i].status, cs[i].body);
        free(cs[i].body);
    }
    /* half of them as the owner, half as a partner: once per partner */
    cr_expect_eq(created, 2, "one 201 per partner: %d", created);
    cr_expect_eq(conflicts, 22, "22 409s: %d", conflicts);
    expect_counts(id, 1, 0);
    json_t *items = items_as(owner, id);
    cr_expect_eq(json_array_size(items), 2);
    json_decref(items);
    remove_place(place);
}
