/* The route table and openapi/openapi.yaml describe the same operations:
 * every route is documented, every documented operation is routed. */
#include "router.h"
#include "support/openapi_check.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static bool listed(char **list, size_t count, const char *entry)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i], entry) == 0)
            return true;
    return false;
}

Test(contract, routes_and_openapi_operations_are_the_same)
{
    const char *path = getenv("OPENAPI_JSON");
    cr_assert_eq(openapi_load(path ? path : "build/openapi.json"), 0,
                 "the bundled OpenAPI document must load (make lint writes it)");
    char **operations = NULL;
    size_t count = openapi_operations(&operations);
    char **routed = calloc(routes_count, sizeof *routed);
    for (size_t i = 0; i < routes_count; i++) {
        size_t len = strlen(routes[i].method) + strlen(routes[i].pattern) + 2;
        routed[i] = malloc(len);
        snprintf(routed[i], len, "%s %s", routes[i].method, routes[i].pattern);
        cr_expect(listed(operations, count, routed[i]), "routed but not in openapi.yaml: %s",
                  routed[i]);
    }
    for (size_t i = 0; i < count; i++)
        cr_expect(listed(routed, routes_count, operations[i]), "in openapi.yaml but not routed: %s",
                  operations[i]);
    cr_expect_eq(count, routes_count);
    for (size_t i = 0; i < routes_count; i++)
        free(routed[i]);
    free(routed);
    openapi_free_list(operations, count);
    openapi_unload();
}
