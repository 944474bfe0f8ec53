/* application/x-www-form-urlencoded, as the token endpoint reads it. */
#include "form.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *body, const char **why)
{
    return form_parse(body, strlen(body), why);
}

Test(form, decodes_plus_and_escapes)
{
    const char *why = NULL;
    json_t *f =
        parse("grant_type=client_credentials&scope=places%3Aread+referrals:read&x=&y", &why);
    cr_assert_not_null(f, "%s", why);
    cr_expect_str_eq(json_string_value(json_object_get(f, "grant_type")), "client_credentials");
    cr_expect_str_eq(json_string_value(json_object_get(f, "scope")), "places:read referrals:read");
    cr_expect_str_eq(json_string_value(json_object_get(f, "x")), "");
    cr_expect_str_eq(json_string_value(json_object_get(f, "y")), "");
    json_decref(f);
    f = parse("", &why);
    cr_expect_eq(json_object_size(f), 0);
    json_decref(f);
    f = parse("a=1&&b=2&", &why);
    cr_expect_eq(json_object_size(f), 2, "empty pairs are skipped");
    json_decref(f);
}

Test(form, refuses_repeats_bad_escapes_nul_and_non_utf8)
{
    const char *why = NULL;
    cr_expect_null(parse("a=1&a=1", &why));
    cr_expect_str_eq(why, "a parameter is repeated");
    cr_expect_null(parse("a=%zz", &why));
    cr_expect_null(parse("a=%4", &why));
    cr_expect_null(parse("a=%", &why));
    cr_expect_null(parse("a=%00", &why));
    cr_expect_null(parse("a=%ff", &why));
    cr_expect_str_eq(why, "a parameter is not UTF-8");
    char *s = form_decode_component("%41%62c", 7);
    cr_expect_str_eq(s, "Abc");
    free(s);
}
