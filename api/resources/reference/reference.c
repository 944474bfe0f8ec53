/* The lists are formats/codes.c's, and the data standard's accessibility
 * list (formats/mednum.c); GET /v1/reference/skills has its own handler
 * (activity.c) and shape. */
#include "reference.h"

#include "codes.h"
#include "mednum.h"

#include <string.h>

#define REFERENCE_MAX_AGE 3600

static json_t *item(const char *code, const char *label)
{
    return json_pack("{s:s, s:s}", "code", code, "label", label ? label : code);
}

void reference_list(struct req *r)
{
    const char *name = r->params[0];
    json_t *items = json_array();
    enum code_list list;
    if (codes_find(name, &list)) {
        const char *const *codes = codes_of(list);
        for (size_t i = 0; codes[i]; i++)
            json_array_append_new(items, item(codes[i], codes_label(list, i, r->lang)));
    } else if (strcmp(name, "accessibility") == 0) {
        size_t count = 0;
        const struct mednum_value *values = mednum_values(MEDNUM_PRISE_EN_CHARGE, &count);
        for (size_t i = 0; i < count; i++)
            json_array_append_new(
                items, item(values[i].code, r->lang == LANG_FR
                                                ? values[i].label
                                                : mednum_label_en(MEDNUM_PRISE_EN_CHARGE, i)));
    } else {
        json_decref(items);
        http_problem_msg(r, 404, "not-found", MSG_REFERENCE_UNKNOWN);
        return;
    }
    http_language(r);
    http_json_cached(r, "application/json", json_pack("{s:s, s:o}", "list", name, "items", items),
                     NULL, REFERENCE_MAX_AGE);
}
