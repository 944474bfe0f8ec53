/* The code lists that clients show to people, each code beside its label in
 * every language of lang.h: the one place these codes are written (the
 * resources validate against codes_of(); GET /v1/reference/{list} serves
 * them). Codes never change with the language.
 *
 * Accessibility is the data standard's list (mednum.h,
 * MEDNUM_PRISE_EN_CHARGE) and the skills are skills.h: GET
 * /v1/reference/{list} serves them too, from there. Pure: static tables. */
#ifndef CODES_H
#define CODES_H

#include "lang.h"

#include <stdbool.h>
#include <stddef.h>

enum code_list {
    CODES_NEEDS,             /* a referral's need */
    CODES_THEMES,            /* a workshop's theme */
    CODES_AUDIENCES,         /* a workshop's audiences */
    CODES_DEVICE_TYPES,      /* a collected device's type */
    CODES_ERASURE_METHODS,   /* how a device was wiped (details.method) */
    CODES_REFERRAL_STATUSES, /* a referral's status */
    CODES_REFERRAL_MOVES,    /* the event types of a referral */
    CODES_LIST_COUNT
};

/* The list's codes, NULL-terminated (for validate_in_list, validate_code). */
const char *const *codes_of(enum code_list list);

/* The number of codes of the list. */
size_t codes_count(enum code_list list);

/* The label of the list's `index`th code in `lang`. */
const char *codes_label(enum code_list list, size_t index, enum lang lang);

/* The list's name in /v1/reference/{list}: "needs", "device-types" … */
const char *codes_name(enum code_list list);

/* The list named `name`; false when there is none. */
bool codes_find(const char *name, enum code_list *out);

#endif
