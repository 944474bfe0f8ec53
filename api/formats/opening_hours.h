/* Opening hours: the subset of the OpenStreetMap opening_hours syntax that
 * French places of digital mediation use, its evaluation, its PostgreSQL
 * int4multirange form, the France Services weekday columns, and the French
 * public holidays. No function here allocates memory.
 *
 * Supported syntax (anything else is refused with a reason):
 *   rules separated by ";"; a later rule replaces the hours of the days it names;
 *   weekdays Mo Tu We Th Fr Sa Su, ranges Mo-Fr (wrapping: Sa-Mo), lists Mo,We,Fr;
 *   time spans 09:00-12:00, several separated by ","; 24:00 only as an end;
 *   no overnight spans; "off" or "closed" after weekdays (Su off);
 *   "PH off" (closed on public holidays); "24/7"; times without weekdays (every day).
 * Blanks (space, tab) may surround ";", "," and "-"; one at least separates the
 * weekdays from their times. */
#ifndef OPENING_HOURS_H
#define OPENING_HOURS_H

#include <stdbool.h>
#include <stddef.h>

#define OH_MAX_SPANS 64

/* Minutes of the week, Monday 00:00 = 0, end exclusive, 0 <= start < end <= 10080. */
struct oh_span {
    int start, end;
};

struct oh_schedule {
    struct oh_span spans[OH_MAX_SPANS]; /* sorted, non-overlapping, merged */
    int count;
    bool closed_on_public_holidays; /* "PH off" */
};

/* Parses text into *out. Returns 0, or -1 with a one-line reason in err naming
 * the position ("at character 12: expected a time like 09:00"; characters are
 * bytes, counted from 1) and *out emptied. err may be NULL. */
int oh_parse(const char *text, struct oh_schedule *out, char *err, size_t err_len);

/* Whether the place is open at minute_of_week (0..10079; false outside) on a day
 * that is (or not) a public holiday. */
bool oh_is_open(const struct oh_schedule *s, int minute_of_week, bool public_holiday);

/* The schedule as a PostgreSQL int4multirange literal, e.g. "{[540,720),[840,1080)}"
 * ("{}" when never open). Writes into out (cap bytes); returns 0, or -1 when it
 * does not fit (out is then "" if cap > 0). */
int oh_to_multirange(const struct oh_schedule *s, char *out, size_t cap);

/* Builds an OSM opening_hours string from seven weekday columns (Monday first) in
 * the France Services CSV format: "09:30 - 12:30 / 13:30 - 18:00", "09:00 - 17:00",
 * or "" / NULL when closed. Consecutive days with identical hours are grouped:
 * "Mo-Fr 09:00-12:00,13:30-16:30; Sa 09:00-12:00"; the spans of a day are sorted
 * and merged. Writes into out (cap bytes); returns 0, or -1 with a reason in err
 * ("Tuesday: at character 1: expected a time like 09:00", or out too small) and
 * out "" if cap > 0. When every day is closed, writes "" and returns 0. */
int oh_from_weekday_columns(const char *const days[7], char *out, size_t cap, char *err,
                            size_t err_len);

/* True for the public holidays of metropolitan France (1 Jan, Easter Monday, 1 May,
 * 8 May, Ascension, Whit Monday, 14 Jul, 15 Aug, 1 Nov, 11 Nov, 25 Dec). False for
 * an invalid date or a year outside the Gregorian 1583..9999. */
bool oh_is_french_public_holiday(int year, int month, int day);

#endif
