#include "opening_hours.h"

#include "messages.h"

#include <stdio.h>
#include <string.h>

#define OH_DAY 1440

static const char *const oh_day_abbrev[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
static const enum msg_id oh_day_name[7] = {MSG_OH_MONDAY,   MSG_OH_TUESDAY, MSG_OH_WEDNESDAY,
                                           MSG_OH_THURSDAY, MSG_OH_FRIDAY,  MSG_OH_SATURDAY,
                                           MSG_OH_SUNDAY};

/* Words of the full OSM syntax that this subset refuses, and why. */
static const struct {
    const char *word;
    enum msg_id why;
} oh_unsupported_words[] = {
    {"Jan", MSG_OH_MONTHS},         {"Feb", MSG_OH_MONTHS},    {"Mar", MSG_OH_MONTHS},
    {"Apr", MSG_OH_MONTHS},         {"May", MSG_OH_MONTHS},    {"Jun", MSG_OH_MONTHS},
    {"Jul", MSG_OH_MONTHS},         {"Aug", MSG_OH_MONTHS},    {"Sep", MSG_OH_MONTHS},
    {"Oct", MSG_OH_MONTHS},         {"Nov", MSG_OH_MONTHS},    {"Dec", MSG_OH_MONTHS},
    {"week", MSG_OH_WEEKS},         {"easter", MSG_OH_EASTER}, {"sunrise", MSG_OH_SUN},
    {"sunset", MSG_OH_SUN},         {"dawn", MSG_OH_SUN},      {"dusk", MSG_OH_SUN},
    {"SH", MSG_OH_SCHOOL_HOLIDAYS}, {"PH", MSG_OH_PH_OFF},     {"off", MSG_OH_OFF_DAYS},
    {"closed", MSG_OH_CLOSED_DAYS}, {"open", MSG_OH_ONLY_OFF}, {"unknown", MSG_OH_ONLY_OFF},
};

/* Per-day hours while rules are applied: minutes of the day. */
struct oh_week {
    struct oh_span day[7][OH_MAX_SPANS];
    int count[7];
    bool ph_off;
};

struct oh_cursor {
    const char *text; /* NUL-terminated; never read past the NUL */
    size_t pos;
    char *err;
    size_t err_len;
};

/* The reason, in the thread's language (lang_current). */
static int oh_fail(const struct oh_cursor *c, size_t at, enum msg_id why)
{
    if (c->err && c->err_len > 0)
        msg_format(c->err, c->err_len, lang_current(), MSG_OH_AT_CHARACTER, at + 1,
                   msg_text(why, lang_current()));
    return -1;
}

static char oh_peek(const struct oh_cursor *c)
{
    return c->text[c->pos];
}

static bool oh_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool oh_is_letter(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static size_t oh_skip_blanks(struct oh_cursor *c)
{
    size_t n = 0;
    while (c->text[c->pos] == ' ' || c->text[c->pos] == '\t') {
        c->pos++;
        n++;
    }
    return n;
}

/* The length of the run of ASCII letters at the cursor. */
static size_t oh_word_length(const struct oh_cursor *c)
{
    size_t n = 0;
    while (oh_is_letter(c->text[c->pos + n]))
        n++;
    return n;
}

static bool oh_word_is(const struct oh_cursor *c, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(c->text + c->pos, word, len) == 0;
}

/* 0 for Mo .. 6 for Su, or -1. */
static int oh_weekday(const struct oh_cursor *c, size_t len)
{
    for (int d = 0; d < 7; d++)
        if (oh_word_is(c, len, oh_day_abbrev[d]))
            return d;
    return -1;
}

/* Why the word at the cursor is refused: a known unsupported feature, else `fallback`. */
static enum msg_id oh_refusal(const struct oh_cursor *c, size_t len, enum msg_id fallback)
{
    for (size_t k = 0; k < sizeof oh_unsupported_words / sizeof oh_unsupported_words[0]; k++)
        if (oh_word_is(c, len, oh_unsupported_words[k].word))
            return oh_unsupported_words[k].why;
    return fallback;
}

/* HH:MM, hours 00..24 (24:00 only when is_end), into minutes of the day. */
static int oh_parse_time(struct oh_cursor *c, bool is_end, int *minutes)
{
    const char *t = c->text + c->pos;
    size_t at = c->pos;
    if (!(oh_is_digit(t[0]) && oh_is_digit(t[1]) && t[2] == ':' && oh_is_digit(t[3]) &&
          oh_is_digit(t[4])))
        return oh_fail(c, at, MSG_OH_EXPECTED_TIME);
    int h = (t[0] - '0') * 10 + (t[1] - '0');
    int m = (t[3] - '0') * 10 + (t[4] - '0');
    if (m > 59)
        return oh_fail(c, at, MSG_OH_MINUTES);
    if (h > 24 || (h == 24 && m > 0))
        return oh_fail(c, at, MSG_OH_HOURS);
    if (h == 24 && !is_end)
        return oh_fail(c, at, MSG_OH_START_24);
    c->pos += 5;
    *minutes = h * 60 + m;
    return 0;
}

/* HH:MM-HH:MM, blanks allowed around the hyphen. */
static int oh_parse_span(struct oh_cursor *c, struct oh_span *span)
{
    size_t at = c->pos;
    if (oh_parse_time(c, false, &span->start))
        return -1;
    oh_skip_blanks(c);
    if (oh_peek(c) != '-')
        return oh_fail(c, c->pos, MSG_OH_EXPECTED_DASH);
    c->pos++;
    oh_skip_blanks(c);
    if (oh_parse_time(c, true, &span->end))
        return -1;
    if (span->end <= span->start)
        return oh_fail(c, at, MSG_OH_OVERNIGHT);
    return 0;
}

/* Spans separated by `separator`; leaves the cursor after the last span. */
static int oh_parse_spans(struct oh_cursor *c, char separator, struct oh_span *spans, int *count)
{
    *count = 0;
    for (;;) {
        if (*count == OH_MAX_SPANS)
            return oh_fail(c, c->pos, MSG_OH_DAY_SPANS);
        if (oh_parse_span(c, &spans[*count]))
            return -1;
        (*count)++;
        size_t back = c->pos;
        oh_skip_blanks(c);
        if (oh_peek(c) != separator) {
            c->pos = back;
            return 0;
        }
        c->pos++;
        oh_skip_blanks(c);
    }
}

/* Sorts spans by start and merges overlapping or touching ones; returns the new count. */
static int oh_normalize(struct oh_span *spans, int count)
{
    for (int i = 1; i < count; i++) {
        struct oh_span s = spans[i];
        int j = i;
        for (; j > 0 && spans[j - 1].start > s.start; j--)
            spans[j] = spans[j - 1];
        spans[j] = s;
    }
    int n = 0;
    for (int i = 0; i < count; i++) {
        if (n > 0 && spans[i].start <= spans[n - 1].end) {
            if (spans[i].end > spans[n - 1].end)
                spans[n - 1].end = spans[i].end;
        } else {
            spans[n++] = spans[i];
        }
    }
    return n;
}

static int oh_parse_weekday(struct oh_cursor *c, int *day)
{
    size_t len = oh_word_length(c);
    int d = len ? oh_weekday(c, len) : -1;
    if (d < 0)
        return oh_fail(c, c->pos,
                       len ? oh_refusal(c, len, MSG_OH_EXPECTED_DAY) : MSG_OH_EXPECTED_DAY);
    c->pos += len;
    *day = d;
    return 0;
}

/* Mo, Mo-Fr, Sa-Mo (wrapping), and lists of these separated by ",". */
static int oh_parse_weekdays(struct oh_cursor *c, bool days[7])
{
    for (;;) {
        int first, last;
        if (oh_parse_weekday(c, &first))
            return -1;
        last = first;
        size_t back = c->pos;
        oh_skip_blanks(c);
        if (oh_peek(c) == '-') {
            c->pos++;
            oh_skip_blanks(c);
            if (oh_parse_weekday(c, &last))
                return -1;
            back = c->pos;
            oh_skip_blanks(c);
        }
        for (int d = first;; d = (d + 1) % 7) {
            days[d] = true;
            if (d == last)
                break;
        }
        if (oh_peek(c) != ',') {
            c->pos = back;
            return 0;
        }
        c->pos++;
        oh_skip_blanks(c);
    }
}

static void oh_set_days(struct oh_week *w, const bool days[7], const struct oh_span *spans,
                        int count)
{
    for (int d = 0; d < 7; d++) {
        if (!days[d])
            continue;
        memcpy(w->day[d], spans, (size_t)count * sizeof *spans);
        w->count[d] = count;
    }
}

/* What follows weekdays: times, or off / closed. */
static int oh_parse_day_hours(struct oh_cursor *c, struct oh_week *w, const bool days[7])
{
    struct oh_span spans[OH_MAX_SPANS];
    int count = 0;
    size_t blanks = oh_skip_blanks(c);
    char next = oh_peek(c);
    if (next == '\0' || next == ';')
        return oh_fail(c, c->pos, MSG_OH_EXPECTED_HOURS);
    if (blanks == 0)
        return oh_fail(c, c->pos, MSG_OH_EXPECTED_SPACE);
    size_t len = oh_word_length(c);
    if (len > 0 && (oh_word_is(c, len, "off") || oh_word_is(c, len, "closed"))) {
        c->pos += len;
    } else if (len > 0) {
        return oh_fail(c, c->pos, oh_refusal(c, len, MSG_OH_EXPECTED_HOURS));
    } else if (!oh_is_digit(next)) {
        return oh_fail(c, c->pos, MSG_OH_EXPECTED_HOURS);
    } else if (oh_parse_spans(c, ',', spans, &count)) {
        return -1;
    }
    oh_set_days(w, days, spans, count);
    return 0;
}

static int oh_parse_rule(struct oh_cursor *c, struct oh_week *w)
{
    static const bool every_day[7] = {true, true, true, true, true, true, true};
    struct oh_span spans[OH_MAX_SPANS];
    int count = 0;
    size_t at = c->pos;
    if (strncmp(c->text + c->pos, "24/7", 4) == 0) {
        c->pos += 4;
        const struct oh_span all_day = {0, OH_DAY};
        oh_set_days(w, every_day, &all_day, 1);
        return 0;
    }
    if (oh_is_digit(oh_peek(c))) {
        if (oh_parse_spans(c, ',', spans, &count))
            return -1;
        oh_set_days(w, every_day, spans, count);
        return 0;
    }
    size_t len = oh_word_length(c);
    if (len == 0)
        return oh_fail(c, at, MSG_OH_EXPECTED_RULE);
    if (oh_word_is(c, len, "PH")) {
        c->pos += len;
        size_t blanks = oh_skip_blanks(c);
        size_t off = oh_word_length(c);
        if (blanks == 0 || !(oh_word_is(c, off, "off") || oh_word_is(c, off, "closed")))
            return oh_fail(c, at, MSG_OH_PH_OFF);
        c->pos += off;
        w->ph_off = true;
        return 0;
    }
    if (oh_weekday(c, len) < 0)
        return oh_fail(c, at, oh_refusal(c, len, MSG_OH_EXPECTED_RULE));
    bool days[7] = {false};
    if (oh_parse_weekdays(c, days))
        return -1;
    return oh_parse_day_hours(c, w, days);
}

/* Lays the days end to end into out, merging across midnight. */
static int oh_flatten(struct oh_week *w, struct oh_schedule *out, const struct oh_cursor *c)
{
    for (int d = 0; d < 7; d++) {
        int n = oh_normalize(w->day[d], w->count[d]);
        for (int i = 0; i < n; i++) {
            int start = d * OH_DAY + w->day[d][i].start, end = d * OH_DAY + w->day[d][i].end;
            if (out->count > 0 && out->spans[out->count - 1].end >= start) {
                out->spans[out->count - 1].end = end;
                continue;
            }
            if (out->count == OH_MAX_SPANS) {
                memset(out, 0, sizeof *out);
                return oh_fail(c, c->pos, MSG_OH_WEEK_SPANS_64);
            }
            out->spans[out->count].start = start;
            out->spans[out->count].end = end;
            out->count++;
        }
    }
    out->closed_on_public_holidays = w->ph_off;
    return 0;
}

int oh_parse(const char *text, struct oh_schedule *out, char *err, size_t err_len)
{
    struct oh_week w;
    memset(&w, 0, sizeof w);
    memset(out, 0, sizeof *out);
    struct oh_cursor c = {text ? text : "", 0, err, err_len};
    oh_skip_blanks(&c);
    if (oh_peek(&c) == '\0')
        return oh_fail(&c, c.pos, MSG_OH_EMPTY);
    for (;;) {
        if (oh_parse_rule(&c, &w))
            return -1;
        oh_skip_blanks(&c);
        if (oh_peek(&c) == '\0')
            break;
        if (oh_peek(&c) != ';')
            return oh_fail(&c, c.pos, MSG_OH_EXPECTED_END);
        c.pos++;
        oh_skip_blanks(&c);
        if (oh_peek(&c) == '\0' || oh_peek(&c) == ';')
            return oh_fail(&c, c.pos, MSG_OH_EXPECTED_RULE_AFTER);
    }
    return oh_flatten(&w, out, &c);
}

bool oh_is_open(const struct oh_schedule *s, int minute_of_week, bool public_holiday)
{
    if (!s || minute_of_week < 0 || minute_of_week >= 7 * OH_DAY)
        return false;
    if (public_holiday && s->closed_on_public_holidays)
        return false;
    for (int i = 0; i < s->count && s->spans[i].start <= minute_of_week; i++)
        if (minute_of_week < s->spans[i].end)
            return true;
    return false;
}

/* Appends to a bounded buffer; remembers when something did not fit. */
struct oh_writer {
    char *out;
    size_t cap, len;
    bool overflow;
};

static void oh_put(struct oh_writer *w, const char *s)
{
    size_t n = strlen(s);
    if (w->overflow || w->len + n >= w->cap) {
        w->overflow = true;
        return;
    }
    memcpy(w->out + w->len, s, n + 1);
    w->len += n;
}

static void oh_put_int(struct oh_writer *w, int value)
{
    char digits[16];
    snprintf(digits, sizeof digits, "%d", value);
    oh_put(w, digits);
}

/* HH:MM for minutes of the day 0..1440. */
static void oh_put_time(struct oh_writer *w, int minutes)
{
    char t[6] = {(char)('0' + minutes / 600),     (char)('0' + minutes / 60 % 10), ':',
                 (char)('0' + minutes % 60 / 10), (char)('0' + minutes % 10),      '\0'};
    oh_put(w, t);
}

static int oh_writer_end(struct oh_writer *w)
{
    if (!w->overflow)
        return 0;
    if (w->cap > 0)
        w->out[0] = '\0';
    return -1;
}

int oh_to_multirange(const struct oh_schedule *s, char *out, size_t cap)
{
    struct oh_writer w = {out, cap, 0, cap == 0};
    if (cap > 0)
        out[0] = '\0';
    oh_put(&w, "{");
    for (int i = 0; i < s->count; i++) {
        oh_put(&w, i ? ",[" : "[");
        oh_put_int(&w, s->spans[i].start);
        oh_put(&w, ",");
        oh_put_int(&w, s->spans[i].end);
        oh_put(&w, ")");
    }
    oh_put(&w, "}");
    return oh_writer_end(&w);
}

/* One France Services column: "09:30 - 12:30 / 13:30 - 18:00", or blank when closed. */
static int oh_parse_column(const char *text, struct oh_span *spans, int *count, char *err,
                           size_t err_len)
{
    *count = 0;
    if (!text)
        return 0;
    struct oh_cursor c = {text, 0, err, err_len};
    oh_skip_blanks(&c);
    if (oh_peek(&c) == '\0')
        return 0;
    if (oh_parse_spans(&c, '/', spans, count))
        return -1;
    oh_skip_blanks(&c);
    if (oh_peek(&c) != '\0')
        return oh_fail(&c, c.pos, MSG_OH_EXPECTED_SLASH);
    *count = oh_normalize(spans, *count);
    return 0;
}

static bool oh_same_hours(const struct oh_span *a, int na, const struct oh_span *b, int nb)
{
    return na == nb && memcmp(a, b, (size_t)na * sizeof *a) == 0;
}

int oh_from_weekday_columns(const char *const days[7], char *out, size_t cap, char *err,
                            size_t err_len)
{
    struct oh_span spans[7][OH_MAX_SPANS];
    int count[7], total = 0;
    if (cap > 0)
        out[0] = '\0';
    for (int d = 0; d < 7; d++) {
        char why[160];
        if (oh_parse_column(days ? days[d] : NULL, spans[d], &count[d], why, sizeof why)) {
            if (err && err_len > 0)
                msg_format(err, err_len, lang_current(), MSG_OH_DAY_REASON,
                           msg_text(oh_day_name[d], lang_current()), why);
            return -1;
        }
        total += count[d];
    }
    if (total > OH_MAX_SPANS) {
        if (err && err_len > 0)
            msg_format(err, err_len, lang_current(), MSG_OH_WEEK_SPANS, OH_MAX_SPANS);
        return -1;
    }
    struct oh_writer w = {out, cap, 0, cap == 0};
    for (int d = 0; d < 7;) {
        if (count[d] == 0) {
            d++;
            continue;
        }
        int last = d;
        while (last + 1 < 7 && oh_same_hours(spans[d], count[d], spans[last + 1], count[last + 1]))
            last++;
        if (w.len > 0)
            oh_put(&w, "; ");
        oh_put(&w, oh_day_abbrev[d]);
        if (last > d) {
            oh_put(&w, "-");
            oh_put(&w, oh_day_abbrev[last]);
        }
        for (int i = 0; i < count[d]; i++) {
            oh_put(&w, i ? "," : " ");
            oh_put_time(&w, spans[d][i].start);
            oh_put(&w, "-");
            oh_put_time(&w, spans[d][i].end);
        }
        d = last + 1;
    }
    if (oh_writer_end(&w)) {
        if (err && err_len > 0)
            msg_format(err, err_len, lang_current(), MSG_OH_TOO_LONG, cap);
        return -1;
    }
    return 0;
}

static bool oh_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Day of the year, 1 for 1 January. */
static int oh_day_of_year(int year, int month, int day)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    return before[month - 1] + day + (month > 2 && oh_is_leap(year));
}

/* Easter Sunday of a Gregorian year (anonymous algorithm: Meeus, Jones, Butcher). */
static int oh_easter_day_of_year(int year)
{
    int a = year % 19, b = year / 100, c = year % 100;
    int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return oh_day_of_year(year, month, day);
}

bool oh_is_french_public_holiday(int year, int month, int day)
{
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    static const int fixed[][2] = {{1, 1},  {5, 1},  {5, 8},   {7, 14},
                                   {8, 15}, {11, 1}, {11, 11}, {12, 25}};
    if (year < 1583 || year > 9999 || month < 1 || month > 12 || day < 1)
        return false;
    if (day > month_days[month - 1] + (month == 2 && oh_is_leap(year)))
        return false;
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
        if (fixed[k][0] == month && fixed[k][1] == day)
            return true;
    int easter = oh_easter_day_of_year(year), today = oh_day_of_year(year, month, day);
    return today == easter + 1 || today == easter + 39 || today == easter + 50;
}
