/* The code lists with their labels (formats/codes.c), the English labels of
 * the accessibility list (mednum.c) and of the skills (skills.c): every code
 * has a label in every language, codes are unique and ASCII, lists are found
 * by their names. */
#include "codes.h"
#include "mednum.h"
#include "skills.h"

#include <criterion/criterion.h>
#include <string.h>

Test(codes, every_code_has_a_label_in_every_language)
{
    for (int l = 0; l < CODES_LIST_COUNT; l++) {
        const char *const *codes = codes_of((enum code_list)l);
        size_t n = 0;
        for (; codes[n]; n++) {
            for (int lang = 0; lang < LANG_COUNT; lang++) {
                const char *label = codes_label((enum code_list)l, n, (enum lang)lang);
                cr_expect(label && *label, "%s: %s lacks its %s label",
                          codes_name((enum code_list)l), codes[n], lang_code((enum lang)lang));
            }
            for (const char *c = codes[n]; *c; c++)
                cr_expect((*c >= 'a' && *c <= 'z') || *c == '_', "%s: code %s",
                          codes_name((enum code_list)l), codes[n]);
            for (size_t j = 0; j < n; j++)
                cr_expect_str_neq(codes[j], codes[n], "%s: %s twice", codes_name((enum code_list)l),
                                  codes[n]);
        }
        cr_expect_eq(n, codes_count((enum code_list)l), "%s", codes_name((enum code_list)l));
        cr_expect_gt(n, 2, "%s", codes_name((enum code_list)l));
        cr_expect_null(codes_label((enum code_list)l, n, LANG_FR), "past the end");
    }
}

Test(codes, lists_are_found_by_their_names)
{
    enum code_list found;
    for (int l = 0; l < CODES_LIST_COUNT; l++) {
        cr_expect(codes_find(codes_name((enum code_list)l), &found));
        cr_expect_eq(found, (enum code_list)l);
    }
    cr_expect(!codes_find("skills", &found), "the skills have their own route");
    cr_expect(!codes_find("planets", &found));
    cr_expect(!codes_find(NULL, &found));
    cr_expect_str_eq(codes_of(CODES_DEVICE_TYPES)[0], "laptop");
    cr_expect_str_eq(codes_label(CODES_DEVICE_TYPES, 0, LANG_EN), "Laptop");
}

Test(codes, accessibility_and_skills_have_english_labels)
{
    size_t count = 0;
    mednum_values(MEDNUM_PRISE_EN_CHARGE, &count);
    cr_assert_eq(count, 7);
    for (size_t i = 0; i < count; i++)
        cr_expect(mednum_label_en(MEDNUM_PRISE_EN_CHARGE, i) != NULL, "value %zu", i);
    cr_expect_null(mednum_label_en(MEDNUM_PRISE_EN_CHARGE, count));
    cr_expect_null(mednum_label_en(MEDNUM_SERVICES, 0), "not shown in English yet");
    for (int i = 0; i < SKILLS_COUNT; i++)
        cr_expect(skills[i].label_en && skills[i].description_en, "%s", skills[i].code);
    for (int i = 0; i <= SKILLS_MAX_LEVEL; i++)
        cr_expect(skill_level_labels_en[i] != NULL);
}
