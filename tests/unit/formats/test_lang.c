/* Accept-Language negotiation between fr and en (RFC 9110 §12.5.4): quality
 * values, primary subtags, "*", q=0 exclusions, malformed values ignored,
 * the default when nothing decides. */
#include "lang.h"

#include <criterion/criterion.h>

static void expect(const char *header, enum lang fallback, enum lang want)
{
    enum lang got = lang_negotiate(header, fallback);
    cr_expect_eq(got, want, "Accept-Language \"%s\" (default %s): %s, not %s",
                 header ? header : "(absent)", lang_code(fallback), lang_code(got),
                 lang_code(want));
}

Test(lang, absent_or_empty_is_the_default)
{
    expect(NULL, LANG_FR, LANG_FR);
    expect(NULL, LANG_EN, LANG_EN);
    expect("", LANG_FR, LANG_FR);
    expect("  ", LANG_EN, LANG_EN);
}

Test(lang, a_single_language_is_chosen_case_insensitively)
{
    expect("en", LANG_FR, LANG_EN);
    expect("EN", LANG_FR, LANG_EN);
    expect("fr", LANG_EN, LANG_FR);
}

Test(lang, a_regional_range_matches_its_primary_language)
{
    expect("fr-FR", LANG_EN, LANG_FR);
    expect("fr-CA", LANG_EN, LANG_FR);
    expect("en-GB", LANG_FR, LANG_EN);
    expect("en-Latn-US", LANG_FR, LANG_EN);
}

Test(lang, quality_values_are_honoured)
{
    expect("fr;q=0.5, en;q=0.8", LANG_FR, LANG_EN);
    expect("en;q=0.5, fr;q=0.8", LANG_EN, LANG_FR);
    expect("de, en;q=0.9, fr;q=0.8", LANG_FR, LANG_EN);
    expect("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", LANG_EN, LANG_FR);
    expect("en;q=1.000, fr;q=0.999", LANG_FR, LANG_EN);
    expect("fr ; q=0.2 , en ; Q=0.3", LANG_FR, LANG_EN);
}

Test(lang, equal_qualities_go_to_the_range_listed_first)
{
    expect("en, fr", LANG_FR, LANG_EN);
    expect("fr, en", LANG_EN, LANG_FR);
    expect("en;q=0.5, fr;q=0.5", LANG_FR, LANG_EN);
}

Test(lang, the_wildcard_stands_for_languages_not_named)
{
    expect("*", LANG_FR, LANG_FR);
    expect("*", LANG_EN, LANG_EN);
    expect("de, *;q=0.5", LANG_EN, LANG_EN);
    expect("fr;q=0.1, *;q=0.5", LANG_FR, LANG_EN);
    expect("en;q=0, *", LANG_EN, LANG_FR);
}

Test(lang, q_zero_excludes_a_language)
{
    expect("fr;q=0", LANG_FR, LANG_FR); /* nothing acceptable: the default */
    expect("fr;q=0, en;q=0.1", LANG_FR, LANG_EN);
    expect("en;q=0.0, fr;q=0.1", LANG_EN, LANG_FR);
    expect("fr;q=0, *", LANG_FR, LANG_EN);
}

Test(lang, only_other_languages_or_everything_excluded_is_the_default)
{
    expect("de, es;q=0.5", LANG_FR, LANG_FR);
    expect("de, es;q=0.5", LANG_EN, LANG_EN);
    expect("*;q=0", LANG_EN, LANG_EN);
    expect("fr;q=0, en;q=0", LANG_FR, LANG_FR);
}

Test(lang, malformed_elements_are_ignored_and_the_others_kept)
{
    expect("en;q=2", LANG_FR, LANG_FR);
    expect("en;q=0.5555, fr;q=0.1", LANG_EN, LANG_FR);
    expect("en;q=abc", LANG_FR, LANG_FR);
    expect("e!n, en", LANG_FR, LANG_EN);
    expect("toolongtag, fr-", LANG_EN, LANG_EN);
    expect(",,, en ,", LANG_FR, LANG_EN);
    expect("fr-123456789", LANG_EN, LANG_EN);
    expect("en;level=1;q=0.9, fr;q=0.8", LANG_FR, LANG_EN);
}

Test(lang, codes_parse_both_ways)
{
    enum lang l = LANG_FR;
    cr_expect(lang_parse("en", &l) && l == LANG_EN);
    cr_expect(lang_parse("FR", &l) && l == LANG_FR);
    cr_expect(!lang_parse("de", &l));
    cr_expect(!lang_parse(NULL, &l));
    cr_expect_str_eq(lang_code(LANG_FR), "fr");
    cr_expect_str_eq(lang_code(LANG_EN), "en");
}

Test(lang, the_current_language_is_per_thread_and_english_outside_a_request)
{
    cr_expect_eq(lang_current(), LANG_EN);
    lang_set_current(LANG_FR);
    cr_expect_eq(lang_current(), LANG_FR);
    lang_set_current(LANG_EN);
}
