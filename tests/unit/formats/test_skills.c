/* The published skill list of the guided self-assessment and what a set of
 * levels means: the codes in the order of the spec, the score in tenths
 * (100 × sum / 36, one decimal, half away from zero) and autonomy (sum ≥ 24).
 * The expected scores are written out by hand, not computed the same way. */
#include "skills.h"

#include <criterion/criterion.h>
#include <string.h>

/* The spec's order. */
static const char *const codes[SKILLS_COUNT] = {
    "device_basics", "browsing",          "online_search",   "email",
    "documents",     "online_procedures", "franceconnect",   "passwords",
    "fraud",         "personal_data",     "smartphone_apps", "video_calls",
};

/* Levels whose sum is `sum` (0..36), filled with 3s from the first skill on. */
static void levels_of_sum(int sum, int levels[SKILLS_COUNT])
{
    for (int i = 0; i < SKILLS_COUNT; i++) {
        levels[i] = sum >= 3 ? 3 : sum;
        sum -= levels[i];
    }
}

static int score_of_sum(int sum)
{
    int levels[SKILLS_COUNT];
    levels_of_sum(sum, levels);
    return skills_score_tenths(levels);
}

static bool autonomous_of_sum(int sum)
{
    int levels[SKILLS_COUNT];
    levels_of_sum(sum, levels);
    return skills_autonomous(levels);
}

Test(skills, the_list_has_the_twelve_codes_in_the_order_of_the_spec)
{
    cr_assert_eq(SKILLS_COUNT, 12);
    for (int i = 0; i < SKILLS_COUNT; i++) {
        cr_expect_str_eq(skills[i].code, codes[i], "skill %d", i);
        cr_expect(skills[i].label && skills[i].label[0], "%s has a label", codes[i]);
        cr_expect(skills[i].description && skills[i].description[0], "%s has a description",
                  codes[i]);
    }
}

Test(skills, the_four_levels_have_the_labels_of_the_spec)
{
    cr_assert_eq(SKILLS_MAX_LEVEL, 3);
    cr_expect_str_eq(skill_level_labels[0], "Ne sait pas faire");
    cr_expect_str_eq(skill_level_labels[1], "Fait avec de l'aide");
    cr_expect_str_eq(skill_level_labels[2], "Fait seul");
    cr_expect_str_eq(skill_level_labels[3], "Fait seul et sait expliquer");
}

Test(skills, a_known_code_gives_its_index_in_the_order_of_the_spec)
{
    for (int i = 0; i < SKILLS_COUNT; i++)
        cr_expect_eq(skills_index(codes[i]), i, "%s", codes[i]);
    cr_expect_eq(skills_index("device_basics"), 0);
    cr_expect_eq(skills_index("email"), 3);
    cr_expect_eq(skills_index("video_calls"), 11);
}

Test(skills, an_unknown_code_gives_minus_one)
{
    const char *unknown[] = {"",       "Email",  "EMAIL",      "email ",       " email",
                             "emai",   "emails", "video_call", "video_calls_", "cooking",
                             "levels", "0",      "email\n"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        cr_expect_eq(skills_index(unknown[i]), -1, "\"%s\" is not a skill", unknown[i]);
}

Test(skills, all_zeros_score_0_and_all_threes_score_100)
{
    int zeros[SKILLS_COUNT] = {0}, threes[SKILLS_COUNT];
    for (int i = 0; i < SKILLS_COUNT; i++)
        threes[i] = 3;
    cr_expect_eq(skills_score_tenths(zeros), 0);
    cr_expect_eq(skills_score_tenths(threes), 1000);
    cr_expect_not(skills_autonomous(zeros));
    cr_expect(skills_autonomous(threes));
}

Test(skills, the_scores_of_the_spec_are_exact)
{
    cr_expect_eq(score_of_sum(24), 667, "66.666… → 66.7");
    cr_expect_eq(score_of_sum(23), 639, "63.888… → 63.9");
    cr_expect_eq(score_of_sum(1), 28, "2.777… → 2.8");
    cr_expect_eq(score_of_sum(35), 972, "97.222… → 97.2");
}

Test(skills, every_sum_is_rounded_to_the_nearest_tenth)
{
    /* 100 × s / 36 by hand, to one decimal: 1000 × s / 36 = 250 × s / 9 tenths.
     * Never exactly a half (9 is odd): each value is the nearest tenth. */
    static const int tenths[37] = {
        0,   28,  56,  83,  111, 139, 167,  194, 222, 250, /* 0..9 */
        278, 306, 333, 361, 389, 417, 444,  472, 500, 528, /* 10..19 */
        556, 583, 611, 639, 667, 694, 722,  750, 778, 806, /* 20..29 */
        833, 861, 889, 917, 944, 972, 1000,                /* 30..36 */
    };
    for (int s = 0; s <= 36; s++) {
        cr_expect_eq(score_of_sum(s), tenths[s], "sum %d: %d tenths, not %d", s, tenths[s],
                     score_of_sum(s));
        /* the same from the integer formula round(250 s / 9) = floor((500 s + 9) / 18) */
        cr_expect_eq(tenths[s], (500 * s + 9) / 18, "the table at %d", s);
    }
}

Test(skills, the_score_rises_with_the_sum)
{
    for (int s = 1; s <= 36; s++)
        cr_expect_gt(score_of_sum(s), score_of_sum(s - 1), "sum %d", s);
}

Test(skills, autonomy_starts_at_a_sum_of_24)
{
    cr_assert_eq(SKILLS_AUTONOMY_SUM, 24);
    cr_expect_not(autonomous_of_sum(23), "63.9: not yet");
    cr_expect(autonomous_of_sum(24), "66.7: autonomous");
    for (int s = 0; s <= 36; s++) {
        cr_expect_eq(autonomous_of_sum(s), s >= 24, "sum %d", s);
        cr_expect_eq(autonomous_of_sum(s), score_of_sum(s) >= 667,
                     "sum %d: autonomy ⇔ score ≥ 66.7", s);
    }
}

Test(skills, only_the_sum_matters_not_how_the_levels_are_spread)
{
    /* sum 24: every task alone; eight mastered and four unknown; mixed */
    int even[SKILLS_COUNT] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    int split[SKILLS_COUNT] = {0, 3, 0, 3, 3, 3, 0, 3, 3, 0, 3, 3};
    int mixed[SKILLS_COUNT] = {3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1};
    int *sum24[] = {even, split, mixed};
    for (size_t i = 0; i < 3; i++) {
        cr_expect_eq(skills_score_tenths(sum24[i]), 667, "spread %zu", i);
        cr_expect(skills_autonomous(sum24[i]), "spread %zu", i);
    }
    /* sum 23: one step short, whichever skill lacks it */
    for (int k = 0; k < SKILLS_COUNT; k++) {
        int levels[SKILLS_COUNT];
        memcpy(levels, even, sizeof levels);
        levels[k] = 1;
        cr_expect_eq(skills_score_tenths(levels), 639, "skill %d at 1", k);
        cr_expect_not(skills_autonomous(levels), "skill %d at 1", k);
    }
    /* sum 10, two ways */
    int a[SKILLS_COUNT] = {2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
    int b[SKILLS_COUNT] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 3};
    cr_expect_eq(skills_score_tenths(a), 278);
    cr_expect_eq(skills_score_tenths(b), 278);
    cr_expect_not(skills_autonomous(a));
    cr_expect_not(skills_autonomous(b));
    /* the last skill counts as much as the first */
    int first[SKILLS_COUNT] = {3}, last[SKILLS_COUNT] = {[SKILLS_COUNT - 1] = 3};
    cr_expect_eq(skills_score_tenths(first), 83);
    cr_expect_eq(skills_score_tenths(last), 83);
}
