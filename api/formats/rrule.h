/* Workshop recurrence: the subset of the RFC 5545 RRULE syntax that POST /v1/workshops
 * accepts in `recurrence`, expanded into local calendar dates (Europe/Paris wall
 * clock). The caller keeps the time of day of starts_at and lets PostgreSQL turn each
 * local date-time into UTC, so daylight saving is handled there, not here. No function
 * here allocates memory; nothing is kept between calls (thread-safe).
 *
 * Supported syntax (anything else is refused with a reason):
 *   an optional leading "RRULE:"; parts NAME=VALUE separated by ";", in any order,
 *   each at most once; names and values upper-case; no whitespace, no empty part;
 *   FREQ=DAILY|WEEKLY         required;
 *   INTERVAL=n                1..52, default 1 (every n days, or every n weeks);
 *   COUNT=n                   1..52 occurrences, starts_at included;
 *   UNTIL=YYYYMMDD            or UNTIL=YYYYMMDDTHHMMSSZ (UTC): occurrences on or before
 *                             that date. Of a UTC date-time only the date part is kept
 *                             and compared with the local dates: the time is ignored,
 *                             so 20261231T230000Z (00:00 on 1 January in Paris) still
 *                             means "up to 31 December 2026 included". It must not be
 *                             before starts_at and must give at most 52 occurrences;
 *   exactly one of COUNT and UNTIL (a rule without an end is refused);
 *   BYDAY=MO,TU,WE,TH,FR,SA,SU  a list of days of the week, no numeric prefix (1MO,
 *                             -1FR) and no day twice; it must include the weekday of
 *                             starts_at. With WEEKLY it selects those days in each
 *                             selected week; with DAILY it keeps only those days;
 *   WKST=MO                   weeks start on Monday; any other WKST is refused.
 * Refused with a reason: BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYSETPOS, BYHOUR,
 * BYMINUTE, BYSECOND, FREQ other than DAILY/WEEKLY, and unknown parts. */
#ifndef RRULE_H
#define RRULE_H

#include <stddef.h>

#define RRULE_MAX_OCCURRENCES 52

/* A local calendar date: year 1583..9999, month 1..12, day 1..28/29/30/31. */
struct rrule_date {
    int year, month, day;
};

/* Expands `rule` (NUL-terminated; any bytes) from `start`, the first occurrence:
 * starts_at is always an instance (RFC 5545), counted by COUNT, which is why BYDAY
 * must include its weekday. Writes the occurrences, ascending, starts_at first, into
 * out (room for RRULE_MAX_OCCURRENCES, owned by the caller) and their number (1..52)
 * into *count. Returns 0, or -1 with *count = 0, out untouched and a one-line reason
 * in err naming the part at fault ("COUNT: must be 1 to 52", "UNTIL: more than 52
 * occurrences", "BYDAY: must include the weekday of starts_at"), or the character
 * (bytes counted from 1) when no part can be named ("at character 9: whitespace is
 * not allowed"). An invalid start, or a COUNT going past 9999-12-31, is refused too.
 * err may be NULL; a reason longer than err_len is truncated. */
int rrule_expand(const char *rule, struct rrule_date start, struct rrule_date *out, int *count,
                 char *err, size_t err_len);

#endif
