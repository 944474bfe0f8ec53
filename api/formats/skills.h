/* The published list of everyday digital skills of the guided
 * self-assessment, and what a set of levels means: a 0–100 score and whether
 * the person is autonomous. Pure: no allocation, no I/O. */
#ifndef SKILLS_H
#define SKILLS_H

#include <stdbool.h>
#include <stddef.h>

#define SKILLS_COUNT        12
#define SKILLS_MAX_LEVEL    3
#define SKILLS_AUTONOMY_SUM 24 /* average level 2, "does it alone": score >= 66.7 */

struct skill {
    const char *code, *label, *description; /* French, the published list's */
    const char *label_en, *description_en;
};

extern const struct skill skills[SKILLS_COUNT];
extern const char *const skill_level_labels[SKILLS_MAX_LEVEL + 1];
extern const char *const skill_level_labels_en[SKILLS_MAX_LEVEL + 1];

/* The index of a skill code, or -1. */
int skills_index(const char *code);

/* 100 × sum of the levels / (3 × SKILLS_COUNT), rounded to one decimal (half
 * away from zero), in tenths: 667 for 66.7. levels[i] in 0..3 for each skill. */
int skills_score_tenths(const int levels[SKILLS_COUNT]);

/* Autonomous: the sum of the levels reaches SKILLS_AUTONOMY_SUM. */
bool skills_autonomous(const int levels[SKILLS_COUNT]);

#endif
