/* The route table and openapi/openapi.yaml describe the same operations:
 * every route is documented, with HEAD beside each GET and OPTIONS on each
 * path (the router answers them), and every documented operation is
 * answered. */
#include "router.h"
#include "support/openapi_check.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static bool listed(char **list, size_t count, const char *entry)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i], entry) == 0)
            return true;
    return false;
}

/* "METHOD pattern" into a new string. */
static char *operation(const char *method, const char *pattern)
{
    size_t len = strlen(method) + strlen(pattern) + 2;
    char *s = malloc(len);
    cr_assert_not_null(s);
    snprintf(s, len, "%s %s", method, pattern);
    return s;
}

/* The operations the service answers: each route, HEAD beside each GET (the
 * router answers it as the GET), OPTIONS on each path (204 with Allow). */
static size_t answered(char ***out)
{
    char **list = calloc(3 * routes_count + 1, sizeof *list);
    cr_assert_not_null(list);
    size_t n = 0;
    for (size_t i = 0; i < routes_count; i++) {
        list[n++] = operation(routes[i].method, routes[i].pattern);
        if (strcmp(routes[i].method, "GET") == 0)
            list[n++] = operation("HEAD", routes[i].pattern);
        char *options = operation("OPTIONS", routes[i].pattern);
        if (listed(list, n, options))
            free(options);
        else
            list[n++] = options;
    }
    *out = list;
    return n;
}

Test(contract, routes_and_openapi_operations_are_the_same)
{
    const char *path = getenv("OPENAPI_JSON");
    cr_assert_eq(openapi_load(path ? path : "build/openapi.json"), 0,
                 "the bundled OpenAPI document must load (make lint writes it)");
    char **operations = NULL;
    size_t count = openapi_operations(&operations);
    char **routed = NULL;
    size_t routed_count = answered(&routed);
    for (size_t i = 0; i < routed_count; i++)
        cr_expect(listed(operations, count, routed[i]), "answered but not in openapi.yaml: %s",
                  routed[i]);
    for (size_t i = 0; i < count; i++)
        cr_expect(listed(routed, routed_count, operations[i]),
                  "in openapi.yaml but not answered: %s", operations[i]);
    cr_expect_eq(count, routed_count);
    for (size_t i = 0; i < routed_count; i++)
        free(routed[i]);
    free(routed);
    openapi_free_list(operations, count);
    openapi_unload();
}

/* GET /v1/places answers a PlaceList or, with near, a PlaceNearbyList: an
 * item matches exactly one of Place and PlaceNearby (distance_m decides), so
 * a page mixing both is refused, each kind alone passes. From the contract's
 * own example. */
static bool places_page_valid(json_t *items /* stolen */)
{
    json_t *page = json_pack("{s:o, s:n}", "items", items, "next_cursor");
    char *text = json_dumps(page, JSON_COMPACT);
    char err[1024];
    bool ok = openapi_check_response("GET", "/v1/places", 200, "application/json", text,
                                     strlen(text), err, sizeof err);
    free(text);
    json_decref(page);
    return ok;
}

Test(contract, a_place_is_never_a_place_nearby)
{
    const char *path = getenv("OPENAPI_JSON");
    path = path ? path : "build/openapi.json";
    cr_assert_eq(openapi_load(path), 0);
    json_t *doc = json_load_file(path, 0, NULL);
    cr_assert_not_null(doc);
    json_t *example = doc;
    static const char *const walk[] = {"paths",   "/v1/places",       "get",     "responses", "200",
                                       "content", "application/json", "example", NULL};
    for (size_t k = 0; walk[k]; k++)
        example = json_object_get(example, walk[k]);
    json_t *place = json_deep_copy(json_array_get(json_object_get(example, "items"), 0));
    cr_assert_not_null(place, "the contract's example of GET /v1/places has an item");
    json_object_del(place, "distance_m"); /* the example is a near page */
    json_object_set_new(place, "latitude", json_real(43.5));
    json_object_set_new(place, "longitude", json_real(0.4));
    json_t *nearby = json_deep_copy(place);
    json_object_set_new(nearby, "distance_m", json_integer(354));
    cr_expect(places_page_valid(json_pack("[O]", place)), "a Place page");
    cr_expect(places_page_valid(json_pack("[O]", nearby)), "a PlaceNearby page");
    cr_expect_not(places_page_valid(json_pack("[O, O]", place, nearby)), "a mixed page");
    json_t *nearby_without_coordinates = json_deep_copy(nearby);
    json_object_set_new(nearby_without_coordinates, "latitude", json_null());
    cr_expect_not(places_page_valid(json_pack("[O]", nearby_without_coordinates)),
                  "distance_m without coordinates is neither");
    json_decref(nearby_without_coordinates);
    json_decref(place);
    json_decref(nearby);
    json_decref(doc);
    openapi_unload();
}
