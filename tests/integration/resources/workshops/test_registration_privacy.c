/* Registrations, second pass on privacy (issue #14): a partner's answers never
 * tell it about another partner's participants. `participant_ref` is unique
 * per registering organisation on a workshop, so a 409 `already-registered`
 * only ever speaks of the caller's own registration; a change to another
 * partner's registration is answered 404, as a random id is.
 *
 * The database is shared with other tests running in parallel: every workshop
 * here is created by the test that uses it, at a place it creates, in 2032. */
#include "support/expect.h"
#include "support/fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_SUCH_ID "00000000-0000-4000-8000-000000000000"

static char *owner, *other, *partner, *bystander, *places_writer, *admin;

static void start(void)
{
    fixture_start();
    fixture_token(&owner, "france-services-mirande",
                  "workshops:read workshops:write registrations:write places:read");
    /* another organisation that writes workshops (not this one's) and registers people */
    fixture_token(&other, "france-services-mielan",
                  "workshops:read workshops:write registrations:write");
    fixture_token(&partner, "caf-gers", "workshops:read registrations:write");
    fixture_token(&bystander, "france-travail-gers", "workshops:read registrations:write");
    fixture_token(&places_writer, "france-services-mirande", "places:read places:write");
    fixture_token(&admin, "gers-numerique", "admin places:read places:write");
}

TestSuite(registration_privacy, .init = start, .fini = fixture_stop, .timeout = 120);

/* ---- helpers ------------------------------------------------------------ */

/* A workshop of france-services-mirande in 2032 at a new place of Mirande;
 * its id into id, the place's into place. */
static void create_workshop(char *id, size_t cap, char *place, size_t place_cap)
{
    static int day;
    char tag[64], name[128], starts[40], ends[40];
    test_nonce("rp", tag, sizeof tag);
    snprintf(name, sizeof name, "Salle confidentielle %s", tag);
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "source",
                  "integration-tests", "source_id", tag, "pivot", "00000000000000", "name", name,
                  "street", "1 rue de l'Essai", "postal_code", "32300", "commune", "Mirande",
                  "insee_code", "32256", "latitude", 43.513985, "longitude", 0.400199);
    post_created("/v1/places", places_writer, doc, NULL, place, place_cap);
    int d = 1 + (day++ % 28);
    snprintf(starts, sizeof starts, "2032-03-%02dT14:00:00+01:00", d);
    snprintf(ends, sizeof ends, "2032-03-%02dT16:00:00+01:00", d);
    snprintf(name, sizeof name, "Atelier confidentiel %s", tag);
    doc = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:i}", "place_id", place, "title", name,
                    "theme", "smartphone", "audience", "seniors", "starts_at", starts, "ends_at",
                    ends, "capacity", 5);
    post_created("/v1/workshops", owner, doc, NULL, id, cap);
}

static void remove_place(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/places/%s", id);
    response_free(api_call(false, "DELETE", path, admin, NULL, NULL));
}

static struct response *register_one(const char *token, const char *workshop, const char *ref)
{
    char path[128], body[256];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations", workshop);
    snprintf(body, sizeof body, "{\"participant_ref\":\"%s\",\"display_name\":\"Personne %s\"}",
             ref, ref);
    return api_call(true, "POST", path, token, body, NULL);
}

/* Registers ref as token (asserts 201); its id into rid. */
static void registered(const char *token, const char *workshop, const char *ref, char *rid,
                       size_t cap)
{
    struct response *r = register_one(token, workshop, ref);
    cr_assert_eq(r->status, 201, "register %s: %ld %s", ref, r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    snprintf(rid, cap, "%s", json_str(body, "id"));
    json_decref(body);
}

static size_t count_as(const char *token, const char *workshop)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations", workshop);
    struct response *r = api_call(true, "GET", path, token, NULL, NULL);
    cr_assert_eq(r->status, 200, "list: %ld %s", r->status, r->body);
    json_t *body = response_json(r);
    response_free(r);
    size_t n = json_array_size(json_object_get(body, "items"));
    json_decref(body);
    return n;
}

static struct response *change(const char *method, const char *token, const char *workshop,
                               const char *rid)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/workshops/%s/registrations/%s", workshop, rid);
    return api_call(true, method, path, token,
                    strcmp(method, "PATCH") == 0 ? "{\"attended\":true}" : NULL, NULL);
}

/* The answer to `method` on rid is the one a random id gets: 404 not-found,
 * with the same detail. */
static void expect_like_a_random_id(const char *method, const char *token, const char *workshop,
                                    const char *rid, const char *who)
{
    struct response *random = change(method, token, workshop, NO_SUCH_ID);
    struct response *r = change(method, token, workshop, rid);
    cr_expect_eq(random->status, 404, "%s %s of a random id: %ld", who, method, random->status);
    cr_expect_eq(r->status, 404, "%s %s of another partner's registration: %ld %s", who, method,
                 r->status, r->body);
    json_t *a = response_json(random), *b = response_json(r);
    cr_expect(
        json_str(a, "detail") && json_str(b, "detail") &&
            strcmp(json_str(a, "detail"), json_str(b, "detail")) == 0 && json_str(b, "type") &&
            strcmp(json_str(b, "type"), "urn:inclusion-api:problem:not-found") == 0,
        "%s %s: the same problem as a random id: %s / %s", who, method, random->body, r->body);
    json_decref(a);
    json_decref(b);
    response_free(random);
    response_free(r);
}

/* ---- uniqueness per registering partner ------------------------------------------ */

Test(registration_privacy, participant_ref_is_unique_per_registering_partner)
{
    char id[64], place[64], mine[64], theirs[64];
    create_workshop(id, sizeof id, place, sizeof place);
    registered(owner, id, "dossier-7", mine, sizeof mine);
    /* another partner's participant with the same reference is another person */
    registered(partner, id, "dossier-7", theirs, sizeof theirs);
    cr_expect_str_neq(mine, theirs, "two registrations");
    /* the same partner twice is still 409, about its own registration */
    struct response *r = register_one(partner, id, "dossier-7");
    cr_expect_eq(r->status, 409, "the same partner twice: %ld %s", r->status, r->body);
    json_t *problem = response_json(r);
    cr_expect_str_eq(json_str(problem, "type"), "urn:inclusion-api:problem:already-registered");
    json_decref(problem);
    response_free(r);
    r = register_one(owner, id, "dossier-7");
    cr_expect_eq(r->status, 409, "the owner twice: %ld %s", r->status, r->body);
    response_free(r);
    cr_expect_eq(count_as(owner, id), 2, "the owner sees both");
    cr_expect_eq(count_as(partner, id), 1, "the partner sees its own");
    remove_place(place);
}

/* ---- changing another partner's registration ------------------------------------ */

Test(registration_privacy, another_partners_registration_is_404_to_change)
{
    char id[64], place[64], owners[64], partners[64], others[64];
    create_workshop(id, sizeof id, place, sizeof place);
    registered(owner, id, "fs-1", owners, sizeof owners);
    registered(partner, id, "caf-1", partners, sizeof partners);
    registered(other, id, "fsm-1", others, sizeof others);

    /* cancelling: neither the registering partner nor the owner */
    expect_like_a_random_id("DELETE", partner, id, owners, "caf-gers");
    expect_like_a_random_id("DELETE", bystander, id, partners, "france-travail-gers");
    expect_like_a_random_id("DELETE", other, id, partners, "france-services-mielan");
    /* attendance: only the owner records it; to an organisation that does not
     * see the registration it does not exist */
    expect_like_a_random_id("PATCH", other, id, owners, "france-services-mielan");
    /* the registering partner sees its own: there, 403 says what is refused */
    struct response *r = change("PATCH", other, id, others);
    cr_expect_eq(r->status, 403, "attendance of its own registration: %ld %s", r->status, r->body);
    response_free(r);
    cr_expect_eq(count_as(owner, id), 3, "nothing was cancelled");
    /* what stays allowed */
    r = change("DELETE", partner, id, partners);
    cr_expect_eq(r->status, 204, "its own: %ld %s", r->status, r->body);
    response_free(r);
    r = change("DELETE", owner, id, others);
    cr_expect_eq(r->status, 204, "the owner: %ld %s", r->status, r->body);
    response_free(r);
    remove_place(place);
}
