/* Fuzzer: request bodies. Any JSON object goes through the place validator
 * (the biggest one: the national standard's 32 fields) and JSON merge patch
 * (RFC 7396) against a fixed place; then through the shared member checks. */
#include "merge_patch.h"
#include "places/place_input.h"
#include "validate.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return 0;
    }
    json_t *errors = json_array();
    struct place_input in;
    place_input_from_json(doc, "france-services-mirande", &in, errors);
    place_input_free(&in);

    json_t *target = json_pack("{s:s, s:s, s:[s], s:{s:f, s:f}}", "name", "France Services",
                               "commune", "Mirande", "services", "accompagnement", "location",
                               "latitude", 43.51, "longitude", 0.40);
    json_t *patched = merge_patch_apply(target, doc);
    json_decref(patched);
    json_decref(target);

    static const char *const writable[] = {"name", "count", "at", "id", "kind", NULL};
    static const char *const read_only[] = {"created_at", NULL};
    static const char *const kinds[] = {"a", "b", NULL};
    validate_fields(doc, writable, read_only, errors);
    validate_string(doc, "name", true, 1, 100, errors);
    long n;
    validate_integer(doc, "count", false, 1, 10000, errors, &n);
    validate_time(doc, "at", false, errors);
    validate_uuid_member(doc, "id", false, MSG_FIELD_UUID_PLACE, errors);
    validate_enum(doc, "kind", false, kinds, errors);
    json_t *sub = json_array();
    validate_string(doc, "name", false, 1, 5, sub);
    validate_nest(errors, "nested", sub);
    json_decref(errors);
    json_decref(doc);
    return 0;
}
