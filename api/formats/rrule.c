#include "rrule.h"

#include "messages.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define RRULE_MIN_START_YEAR 1583 /* Gregorian calendar */
#define RRULE_MAX_YEAR       9999
#define RRULE_NAME_SHOWN     24 /* at most this many bytes of an unknown part name in a reason */
#define RRULE_PREFIX         "RRULE:"

enum rrule_freq { RRULE_FREQ_NONE, RRULE_FREQ_DAILY, RRULE_FREQ_WEEKLY };

/* Monday first, as the weekday numbers below (0 = Monday .. 6 = Sunday). */
static const char *const rrule_day_code[7] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

/* RFC 5545 rule parts that this subset refuses. */
static const char *const rrule_unsupported_parts[] = {
    "BYSECOND", "BYMINUTE", "BYHOUR", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS",
};

/* FREQ values of RFC 5545 that this subset refuses. */
static const char *const rrule_unsupported_freqs[] = {
    "SECONDLY", "MINUTELY", "HOURLY", "MONTHLY", "YEARLY",
};

struct rrule_err {
    char *buf; /* may be NULL */
    size_t len;
};

/* The rule once parsed; days are counted from 1970-01-01 (day 0). */
struct rrule_spec {
    enum rrule_freq freq;
    int interval;   /* 1..52 */
    int count;      /* 1..52, 0 when absent */
    bool has_until; /* then until is the last day allowed */
    int until;
    unsigned byday; /* bit d set for weekday d; 0 when absent */
    unsigned seen;  /* bit k set once rrule_parts[k] was given, to refuse duplicates */
};

/* One NAME=VALUE part: pointers into the rule, not NUL-terminated. */
struct rrule_part {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

typedef int (*rrule_part_parser)(const struct rrule_part *p, struct rrule_spec *spec,
                                 const struct rrule_err *e);

/* The reason, in the thread's language (lang_current). */
static int rrule_fail(const struct rrule_err *e, enum msg_id id, ...)
{
    if (e->buf && e->len > 0) {
        va_list ap;
        va_start(ap, id);
        msg_vformat(e->buf, e->len, lang_current(), id, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- Calendar arithmetic (proleptic Gregorian, years 1..9999 and a little beyond) ---- */

static bool rrule_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int rrule_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && rrule_is_leap(y) ? 29 : days[m - 1];
}

static bool rrule_date_is_valid(int y, int m, int d, int min_year)
{
    return y >= min_year && y <= RRULE_MAX_YEAR && m >= 1 && m <= 12 && d >= 1 &&
           d <= rrule_days_in_month(y, m);
}

/* Days since 1970-01-01 of a valid date of year 1 or later (H. Hinnant's algorithm,
 * every intermediate value non-negative). */
static int rrule_day_number(int y, int m, int d)
{
    if (m <= 2)
        y--;
    int era = y / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of rrule_day_number, for days of year 1 or later. */
static struct rrule_date rrule_date_of(int day)
{
    int z = day + 719468;
    int era = z / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int m = mp < 10 ? mp + 3 : mp - 9;
    struct rrule_date r = {yoe + era * 400 + (m <= 2), m, doy - (153 * mp + 2) / 5 + 1};
    return r;
}

/* 0 for Monday .. 6 for Sunday; 1970-01-01 was a Thursday. */
static int rrule_weekday(int day)
{
    return ((day % 7) + 7 + 3) % 7;
}

/* ---- Lexical helpers ---- */

static bool rrule_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool rrule_is_lower(char ch)
{
    return ch >= 'a' && ch <= 'z';
}

static char rrule_upper(char ch)
{
    return rrule_is_lower(ch) ? (char)(ch - 'a' + 'A') : ch;
}

static bool rrule_is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Whether s[0..len) is word exactly; with fold, whether it is word in any case. */
static bool rrule_span_is(const char *s, size_t len, const char *word, bool fold)
{
    if (strlen(word) != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((fold ? rrule_upper(s[i]) : s[i]) != word[i])
            return false;
    return true;
}

/* The value of len digits at s (len small enough not to overflow). */
static int rrule_digits(const char *s, size_t len)
{
    int v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool rrule_all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!rrule_is_digit(s[i]))
            return false;
    return true;
}

/* A number from 1 to RRULE_MAX_OCCURRENCES written with digits only (leading zeros
 * allowed; accumulation stops growing past the limit, so no overflow). */
static bool rrule_small_number(const char *s, size_t len, int *n)
{
    if (len == 0 || !rrule_all_digits(s, len))
        return false;
    int v = 0;
    for (size_t i = 0; i < len; i++)
        if (v <= RRULE_MAX_OCCURRENCES)
            v = v * 10 + (s[i] - '0');
    if (v < 1 || v > RRULE_MAX_OCCURRENCES)
        return false;
    *n = v;
    return true;
}

/* 0..6 for a two-letter day code, or -1. */
static int rrule_day_code_index(const char *s, size_t len)
{
    for (int d = 0; d < 7; d++)
        if (rrule_span_is(s, len, rrule_day_code[d], false))
            return d;
    return -1;
}

/* ---- Parts ---- */

static int rrule_parse_freq(const struct rrule_part *p, struct rrule_spec *spec,
                            const struct rrule_err *e)
{
    if (rrule_span_is(p->value, p->value_len, "DAILY", false)) {
        spec->freq = RRULE_FREQ_DAILY;
        return 0;
    }
    if (rrule_span_is(p->value, p->value_len, "WEEKLY", false)) {
        spec->freq = RRULE_FREQ_WEEKLY;
        return 0;
    }
    for (size_t k = 0; k < sizeof rrule_unsupported_freqs / sizeof rrule_unsupported_freqs[0]; k++)
        if (rrule_span_is(p->value, p->value_len, rrule_unsupported_freqs[k], false))
            return rrule_fail(e, MSG_RRULE_FREQ_UNSUPPORTED, rrule_unsupported_freqs[k]);
    return rrule_fail(e, MSG_RRULE_FREQ_EXPECTED);
}

static int rrule_parse_interval(const struct rrule_part *p, struct rrule_spec *spec,
                                const struct rrule_err *e)
{
    if (!rrule_small_number(p->value, p->value_len, &spec->interval))
        return rrule_fail(e, MSG_RRULE_INTERVAL, RRULE_MAX_OCCURRENCES);
    return 0;
}

static int rrule_parse_count(const struct rrule_part *p, struct rrule_spec *spec,
                             const struct rrule_err *e)
{
    if (!rrule_small_number(p->value, p->value_len, &spec->count))
        return rrule_fail(e, MSG_RRULE_COUNT, RRULE_MAX_OCCURRENCES);
    return 0;
}

/* YYYYMMDD, or YYYYMMDDTHHMMSSZ of which only the date is kept (see rrule.h). */
static int rrule_parse_until(const struct rrule_part *p, struct rrule_spec *spec,
                             const struct rrule_err *e)
{
    const char *v = p->value;
    size_t n = p->value_len;
    bool date_time = n >= 15 && v[8] == 'T' && rrule_all_digits(v, 8) && rrule_all_digits(v + 9, 6);
    if (date_time && n == 15)
        return rrule_fail(e, MSG_RRULE_UNTIL_UTC);
    if (!(n == 8 && rrule_all_digits(v, 8)) && !(date_time && n == 16 && v[15] == 'Z'))
        return rrule_fail(e, MSG_RRULE_UNTIL_FORMAT);
    int y = rrule_digits(v, 4), m = rrule_digits(v + 4, 2), d = rrule_digits(v + 6, 2);
    if (!rrule_date_is_valid(y, m, d, 1))
        return rrule_fail(e, MSG_RRULE_UNTIL_DATE, v);
    if (date_time && (rrule_digits(v + 9, 2) > 23 || rrule_digits(v + 11, 2) > 59 ||
                      rrule_digits(v + 13, 2) > 60))
        return rrule_fail(e, MSG_RRULE_UNTIL_TIME, v + 9);
    spec->has_until = true;
    spec->until = rrule_day_number(y, m, d);
    return 0;
}

static int rrule_parse_byday(const struct rrule_part *p, struct rrule_spec *spec,
                             const struct rrule_err *e)
{
    size_t i = 0;
    do {
        const char *item = p->value + i;
        size_t len = 0;
        while (i + len < p->value_len && item[len] != ',')
            len++;
        size_t digits = (len > 0 && (item[0] == '+' || item[0] == '-')) ? 1 : 0;
        while (digits < len && rrule_is_digit(item[digits]))
            digits++;
        int day = rrule_day_code_index(item + digits, len - digits);
        if (day >= 0 && digits > 0)
            return rrule_fail(e, MSG_RRULE_BYDAY_PREFIX);
        if (day < 0)
            return rrule_fail(e, MSG_RRULE_BYDAY_EXPECTED);
        if (spec->byday & (1u << day))
            return rrule_fail(e, MSG_RRULE_BYDAY_TWICE, rrule_day_code[day]);
        spec->byday |= 1u << day;
        i += len + 1; /* past the comma, or past the end */
    } while (i <= p->value_len);
    return 0;
}

static int rrule_parse_wkst(const struct rrule_part *p, struct rrule_spec *spec,
                            const struct rrule_err *e)
{
    (void)spec;
    int day = rrule_day_code_index(p->value, p->value_len);
    if (day < 0)
        return rrule_fail(e, MSG_RRULE_WKST_EXPECTED);
    if (day != 0)
        return rrule_fail(e, MSG_RRULE_WKST_MONDAY);
    return 0;
}

static const struct {
    const char *name;
    rrule_part_parser parse;
} rrule_parts[] = {
    {"FREQ", rrule_parse_freq},   {"INTERVAL", rrule_parse_interval}, {"COUNT", rrule_parse_count},
    {"UNTIL", rrule_parse_until}, {"BYDAY", rrule_parse_byday},       {"WKST", rrule_parse_wkst},
};

#define RRULE_PART_KINDS (sizeof rrule_parts / sizeof rrule_parts[0])

/* Why a part name is not one of rrule_parts; the name is printable ASCII here. */
static int rrule_refuse_name(const struct rrule_part *p, const struct rrule_err *e)
{
    int shown = (int)(p->name_len < RRULE_NAME_SHOWN ? p->name_len : RRULE_NAME_SHOWN);
    const char *more = p->name_len > RRULE_NAME_SHOWN ? "..." : "";
    for (size_t k = 0; k < sizeof rrule_unsupported_parts / sizeof rrule_unsupported_parts[0]; k++)
        if (rrule_span_is(p->name, p->name_len, rrule_unsupported_parts[k], false))
            return rrule_fail(e, MSG_RRULE_PART_UNSUPPORTED, rrule_unsupported_parts[k]);
    for (size_t k = 0; k < RRULE_PART_KINDS; k++)
        if (rrule_span_is(p->name, p->name_len, rrule_parts[k].name, true))
            return rrule_fail(e, MSG_RRULE_PART_CASE, shown, p->name, rrule_parts[k].name);
    return rrule_fail(e, MSG_RRULE_PART_UNKNOWN, shown, p->name, more);
}

/* One NAME=VALUE part at rule + at, len bytes long (no ';' inside). */
static int rrule_parse_part(const char *rule, size_t at, size_t len, struct rrule_spec *spec,
                            const struct rrule_err *e)
{
    const char *text = rule + at;
    if (len == 0)
        return rrule_fail(e, MSG_RRULE_EMPTY_PART, at + 1);
    const char *eq = memchr(text, '=', len);
    if (!eq || eq == text)
        return rrule_fail(e, MSG_RRULE_EXPECTED_PART, at + 1);
    struct rrule_part p = {text, (size_t)(eq - text), eq + 1, len - (size_t)(eq - text) - 1};
    for (size_t k = 0; k < RRULE_PART_KINDS; k++) {
        if (!rrule_span_is(p.name, p.name_len, rrule_parts[k].name, false))
            continue;
        if (spec->seen & (1u << k))
            return rrule_fail(e, MSG_RRULE_PART_TWICE, rrule_parts[k].name);
        spec->seen |= 1u << k;
        for (size_t i = 0; i < p.value_len; i++)
            if (rrule_is_lower(p.value[i]))
                return rrule_fail(e, MSG_RRULE_VALUES_CASE, rrule_parts[k].name);
        return rrule_parts[k].parse(&p, spec, e);
    }
    return rrule_refuse_name(&p, e);
}

/* Parses the whole rule into *spec: characters first, then parts one by one. */
static int rrule_parse(const char *rule, struct rrule_spec *spec, const struct rrule_err *e)
{
    for (size_t i = 0; rule[i] != '\0'; i++) {
        unsigned char ch = (unsigned char)rule[i];
        if (rrule_is_blank(rule[i]))
            return rrule_fail(e, MSG_RRULE_WHITESPACE, i + 1);
        if (ch < 0x21 || ch > 0x7e)
            return rrule_fail(e, MSG_RRULE_BYTE, i + 1, ch);
    }
    size_t at = strncmp(rule, RRULE_PREFIX, strlen(RRULE_PREFIX)) == 0 ? strlen(RRULE_PREFIX) : 0;
    if (rule[at] == '\0')
        return 0; /* nothing given: reported as a missing FREQ */
    for (;;) {
        size_t len = strcspn(rule + at, ";");
        if (rrule_parse_part(rule, at, len, spec, e) != 0)
            return -1;
        if (rule[at + len] == '\0')
            return 0;
        at += len + 1;
    }
}

/* Rules that need the whole spec, and the start. */
static int rrule_check(const struct rrule_spec *spec, int start_day, const struct rrule_err *e)
{
    if (spec->freq == RRULE_FREQ_NONE)
        return rrule_fail(e, MSG_RRULE_FREQ_REQUIRED);
    if (spec->count > 0 && spec->has_until)
        return rrule_fail(e, MSG_RRULE_COUNT_AND_UNTIL);
    if (spec->count == 0 && !spec->has_until)
        return rrule_fail(e, MSG_RRULE_NO_END);
    if (spec->byday && !(spec->byday & (1u << rrule_weekday(start_day))))
        return rrule_fail(e, MSG_RRULE_BYDAY_START);
    if (spec->has_until && spec->until < start_day)
        return rrule_fail(e, MSG_RRULE_UNTIL_BEFORE);
    return 0;
}

/* ---- Expansion ---- */

struct rrule_expansion {
    const struct rrule_spec *spec;
    const struct rrule_err *e;
    int last_day; /* 9999-12-31 */
    struct rrule_date dates[RRULE_MAX_OCCURRENCES];
    int n;
};

/* Adds a selected day, in ascending order. Returns 1 when the expansion is complete,
 * 0 to go on, -1 on error. */
static int rrule_take(struct rrule_expansion *x, int day)
{
    if (x->spec->has_until && day > x->spec->until)
        return 1;
    if (x->n == RRULE_MAX_OCCURRENCES) /* only with UNTIL: COUNT stops at 52 at most */
        return rrule_fail(x->e, MSG_RRULE_UNTIL_TOO_MANY, RRULE_MAX_OCCURRENCES);
    if (day > x->last_day) /* only with COUNT: UNTIL is at most 9999-12-31 */
        return rrule_fail(x->e, MSG_RRULE_COUNT_PAST_YEAR, RRULE_MAX_YEAR);
    x->dates[x->n++] = rrule_date_of(day);
    return x->spec->count > 0 && x->n == x->spec->count ? 1 : 0;
}

/* Every interval days from the start, keeping the days of mask. As mask holds the
 * start's weekday, one day in seven steps at most is taken, so the loop ends. */
static int rrule_expand_daily(struct rrule_expansion *x, int start_day, unsigned mask)
{
    for (int day = start_day;; day += x->spec->interval) {
        if (!(mask & (1u << rrule_weekday(day))))
            continue;
        int r = rrule_take(x, day);
        if (r != 0)
            return r;
    }
}

/* The days of mask in every interval-th week (Monday to Sunday) from the start's,
 * never before the start. */
static int rrule_expand_weekly(struct rrule_expansion *x, int start_day, unsigned mask)
{
    for (int monday = start_day - rrule_weekday(start_day);; monday += 7 * x->spec->interval)
        for (int d = 0; d < 7; d++) {
            if (monday + d < start_day || !(mask & (1u << d)))
                continue;
            int r = rrule_take(x, monday + d);
            if (r != 0)
                return r;
        }
}

int rrule_expand(const char *rule, struct rrule_date start, struct rrule_date *out, int *count,
                 char *err, size_t err_len)
{
    const struct rrule_err e = {err, err_len};
    if (count)
        *count = 0;
    if (!rule || !out || !count)
        return rrule_fail(&e, MSG_RRULE_NO_ROOM);
    if (!rrule_date_is_valid(start.year, start.month, start.day, RRULE_MIN_START_YEAR))
        return rrule_fail(&e, MSG_RRULE_START_DATE, RRULE_MIN_START_YEAR, RRULE_MAX_YEAR);
    int start_day = rrule_day_number(start.year, start.month, start.day);
    struct rrule_spec spec = {.freq = RRULE_FREQ_NONE, .interval = 1};
    if (rrule_parse(rule, &spec, &e) != 0 || rrule_check(&spec, start_day, &e) != 0)
        return -1;

    struct rrule_expansion x = {.spec = &spec, .e = &e};
    x.last_day = rrule_day_number(RRULE_MAX_YEAR, 12, 31);
    /* Without BYDAY: every day (DAILY), the weekday of the start (WEEKLY). */
    unsigned mask = spec.byday                      ? spec.byday
                    : spec.freq == RRULE_FREQ_DAILY ? 0x7fu
                                                    : 1u << rrule_weekday(start_day);
    int r = spec.freq == RRULE_FREQ_DAILY ? rrule_expand_daily(&x, start_day, mask)
                                          : rrule_expand_weekly(&x, start_day, mask);
    if (r < 0)
        return -1;
    memcpy(out, x.dates, (size_t)x.n * sizeof x.dates[0]);
    *count = x.n;
    return 0;
}
