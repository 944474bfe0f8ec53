/* Opening hours: the OSM subset, its evaluation and multirange form, the France
 * Services weekday columns (including every row of the Gers seed file), and the
 * French public holidays. */
#include "csv.h"
#include "opening_hours.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MO, TU, WE, TH, FR, SA, SU };

/* Minute of the week of day d at hh:mm. */
static int oh_at(int day, int hh, int mm)
{
    return day * 1440 + hh * 60 + mm;
}

static void oh_parse_ok(const char *text, struct oh_schedule *s)
{
    char err[256] = "";
    cr_assert_eq(oh_parse(text, s, err, sizeof err), 0, "\"%s\" must parse: %s", text, err);
}

static bool oh_open(const struct oh_schedule *s, int day, int hh, int mm)
{
    return oh_is_open(s, oh_at(day, hh, mm), false);
}

static void oh_expect_multirange(const char *text, const char *expected)
{
    struct oh_schedule s;
    char out[1024];
    oh_parse_ok(text, &s);
    cr_assert_eq(oh_to_multirange(&s, out, sizeof out), 0);
    cr_expect_str_eq(out, expected, "%s", text);
}

/* Parse must fail with "at character <at>: ..." on one line, and leave *out empty. */
static void oh_expect_refused(const char *text, size_t at)
{
    struct oh_schedule s;
    char err[256] = "";
    char prefix[64];
    cr_assert_eq(oh_parse(text, &s, err, sizeof err), -1, "\"%s\" must be refused", text);
    snprintf(prefix, sizeof prefix, "at character %zu: ", at);
    cr_expect(strncmp(err, prefix, strlen(prefix)) == 0, "\"%s\": \"%s\" should start with \"%s\"",
              text, err, prefix);
    cr_expect(strlen(err) > strlen(prefix) + 5, "\"%s\": a reason: \"%s\"", text, err);
    cr_expect_null(strchr(err, '\n'));
    cr_expect_eq(s.count, 0);
    cr_expect_not(s.closed_on_public_holidays);
}

Test(opening_hours_parse, national_standard_example)
{
    struct oh_schedule s;
    oh_parse_ok("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", &s);
    for (int d = MO; d <= FR; d++) {
        cr_expect_not(oh_open(&s, d, 8, 59));
        cr_expect(oh_open(&s, d, 9, 0), "open at the start");
        cr_expect(oh_open(&s, d, 11, 59));
        cr_expect_not(oh_open(&s, d, 12, 0), "closed at the end");
        cr_expect_not(oh_open(&s, d, 13, 59));
        cr_expect(oh_open(&s, d, 14, 0));
        cr_expect(oh_open(&s, d, 18, 29));
        cr_expect_not(oh_open(&s, d, 18, 30));
    }
    cr_expect_not(oh_open(&s, SA, 8, 29));
    cr_expect(oh_open(&s, SA, 8, 30));
    cr_expect_not(oh_open(&s, SA, 12, 0));
    cr_expect_not(oh_open(&s, SA, 14, 0));
    cr_expect_not(oh_open(&s, SU, 10, 0));
    cr_expect_eq(s.count, 11);
    cr_expect_not(s.closed_on_public_holidays);
    cr_expect(oh_is_open(&s, oh_at(MO, 10, 0), true), "no PH rule: holidays change nothing");
}

Test(opening_hours_parse, ph_off)
{
    struct oh_schedule s;
    oh_parse_ok("Mo-Fr 09:00-12:00,13:30-16:30; Sa 09:00-12:00; PH off", &s);
    cr_expect(s.closed_on_public_holidays);
    cr_expect(oh_is_open(&s, oh_at(TU, 13, 30), false));
    cr_expect_not(oh_is_open(&s, oh_at(TU, 13, 30), true), "closed on a public holiday");
    cr_expect_not(oh_is_open(&s, oh_at(TU, 12, 30), false));
    cr_expect(oh_is_open(&s, oh_at(SA, 11, 59), false));
    cr_expect_not(oh_is_open(&s, oh_at(SA, 11, 59), true));
    cr_expect_not(oh_is_open(&s, oh_at(SA, 12, 0), false));
    oh_parse_ok("PH off; Mo 10:00-11:00", &s);
    cr_expect(s.closed_on_public_holidays, "PH off may come first");
    cr_expect(oh_open(&s, MO, 10, 0));
    oh_parse_ok("PH closed", &s);
    cr_expect(s.closed_on_public_holidays);
    cr_expect_eq(s.count, 0);
}

Test(opening_hours_parse, weekday_lists_and_ranges)
{
    struct oh_schedule s;
    oh_parse_ok("Tu,Th 14:00-17:00", &s);
    for (int d = MO; d <= SU; d++) {
        bool expected = d == TU || d == TH;
        cr_expect_eq(oh_open(&s, d, 14, 0), expected, "day %d at 14:00", d);
        cr_expect_eq(oh_open(&s, d, 16, 59), expected);
        cr_expect_not(oh_open(&s, d, 17, 0));
        cr_expect_not(oh_open(&s, d, 13, 59));
    }
    oh_parse_ok("Mo-We,Fr 10:00-11:00", &s);
    cr_expect(oh_open(&s, MO, 10, 0));
    cr_expect(oh_open(&s, TU, 10, 0));
    cr_expect(oh_open(&s, WE, 10, 0));
    cr_expect_not(oh_open(&s, TH, 10, 0));
    cr_expect(oh_open(&s, FR, 10, 0));
    oh_parse_ok("Sa-Mo 10:00-12:00", &s);
    cr_expect(oh_open(&s, SA, 10, 0));
    cr_expect(oh_open(&s, SU, 10, 0));
    cr_expect(oh_open(&s, MO, 10, 0));
    cr_expect_not(oh_open(&s, TU, 10, 0));
    cr_expect_not(oh_open(&s, FR, 10, 0));
    oh_parse_ok("Mo,We,Fr 08:00-09:00", &s);
    cr_expect_eq(s.count, 3);
    oh_parse_ok("Mo , We - Th 08:00 - 09:00 , 10:00-11:00 ;Su 10:00-11:00", &s);
    cr_expect_eq(s.count, 7, "blanks around separators");
}

Test(opening_hours_parse, always_open_and_every_day)
{
    struct oh_schedule s;
    oh_parse_ok("24/7", &s);
    cr_expect_eq(s.count, 1, "the days merge across midnight");
    cr_expect(oh_is_open(&s, 0, false));
    cr_expect(oh_is_open(&s, 10079, true));
    cr_expect_not(oh_is_open(&s, 10080, false), "outside the week");
    cr_expect_not(oh_is_open(&s, -1, false));
    oh_parse_ok("24/7; PH off", &s);
    cr_expect_not(oh_is_open(&s, 5000, true));
    cr_expect(oh_is_open(&s, 5000, false));
    oh_parse_ok("10:00-18:00", &s);
    cr_expect_eq(s.count, 7);
    for (int d = MO; d <= SU; d++) {
        cr_expect(oh_open(&s, d, 10, 0));
        cr_expect_not(oh_open(&s, d, 18, 0));
    }
    oh_parse_ok("Mo-Su 00:00-24:00", &s);
    cr_expect_eq(s.count, 1);
    cr_expect_eq(s.spans[0].end, 10080);
}

Test(opening_hours_parse, later_rules_override)
{
    struct oh_schedule s;
    oh_parse_ok("Mo-Sa 10:00-18:00; Su off", &s);
    cr_expect(oh_open(&s, SA, 17, 59));
    cr_expect_not(oh_open(&s, SA, 18, 0));
    cr_expect_not(oh_open(&s, SU, 12, 0));
    oh_parse_ok("Mo-Fr 09:00-18:00; We off", &s);
    cr_expect_not(oh_open(&s, WE, 10, 0), "off replaces the earlier hours");
    cr_expect(oh_open(&s, TH, 10, 0));
    oh_parse_ok("Mo-Fr 09:00-12:00; Mo-Fr 14:00-16:00", &s);
    cr_expect_not(oh_open(&s, MO, 10, 0), "a weekday rule replaces, it does not add");
    cr_expect(oh_open(&s, MO, 14, 0));
    oh_parse_ok("10:00-18:00; Su closed", &s);
    cr_expect(oh_open(&s, SA, 10, 0));
    cr_expect_not(oh_open(&s, SU, 10, 0));
    oh_parse_ok("Mo 09:00-12:00,11:00-13:00,13:00-14:00", &s);
    cr_expect_eq(s.count, 1, "overlapping and touching spans merge");
    cr_expect_eq(s.spans[0].start, 540);
    cr_expect_eq(s.spans[0].end, 840);
    oh_parse_ok("Mo 14:00-15:00,09:00-10:00", &s);
    cr_expect_eq(s.count, 2);
    cr_expect_eq(s.spans[0].start, 540, "sorted");
}

Test(opening_hours_refuse, examples)
{
    oh_expect_refused("", 1);
    oh_expect_refused("   ", 4);
    oh_expect_refused(NULL, 1);
    oh_expect_refused("Mo-Fr", 6);
    oh_expect_refused("Mo-Fr ", 7);
    oh_expect_refused("Mo-Fr 9h-12h", 7);
    oh_expect_refused("Mo-Fr 09:00-25:00", 13);
    oh_expect_refused("Mo-Fr 09:00-24:01", 13);
    oh_expect_refused("Mo-Fr 09:60-10:00", 7);
    oh_expect_refused("Mo-Fr 24:00-24:00", 7);
    oh_expect_refused("Xx 09:00-10:00", 1);
    oh_expect_refused("Mo-Fr 12:00-09:00", 7);
    oh_expect_refused("Mo-Fr 09:00-09:00", 7);
    oh_expect_refused("PH 10:00-12:00", 1);
    oh_expect_refused("Mo-Fr,PH 10:00-12:00", 7);
    oh_expect_refused("sunrise-sunset", 1);
    oh_expect_refused("Mo-Fr sunrise-sunset", 7);
    oh_expect_refused("Jan-Mar Mo 09:00-10:00", 1);
    oh_expect_refused("week 1-53", 1);
    oh_expect_refused("Mo 09:00-10:00 !", 16);
    oh_expect_refused("Mo 09:00-10:00;", 16);
    oh_expect_refused("Mo 09:00-10:00;; Tu 09:00-10:00", 16);
    oh_expect_refused("Mo 09:00-10:00, Tu 09:00-10:00", 17);
    oh_expect_refused("Mo 09:00", 9);
    oh_expect_refused("Mo 09:00+", 9);
    oh_expect_refused("Mo 9:00-10:00", 4);
    oh_expect_refused("mo 09:00-10:00", 1);
    oh_expect_refused("Mon 09:00-10:00", 1);
    oh_expect_refused("Mo09:00-10:00", 3);
    oh_expect_refused("Mo- 09:00-10:00", 5);
    oh_expect_refused("off", 1);
    oh_expect_refused("PH", 1);
    oh_expect_refused("PH on", 1);
    oh_expect_refused("SH off", 1);
    oh_expect_refused("Mo-Fr 24/7", 7);
    oh_expect_refused("24/7 Mo", 6);
    oh_expect_refused("2024 Mo 09:00-10:00", 1);
    oh_expect_refused("Mo 09:00-10:00 open", 16);
    oh_expect_refused("Mo 22:00-02:00", 4);
    oh_expect_refused("Mo[1] 09:00-10:00", 3);
    oh_expect_refused("Mo 09:00-10:00\n", 15);
    oh_expect_refused("Mo 09:00\xe2\x80\x93"
                      "10:00",
                      9);
    oh_expect_refused("\xff\xfe", 1);
}

Test(opening_hours_refuse, reasons_say_what_was_expected)
{
    struct oh_schedule s;
    char err[256];
    cr_assert_eq(oh_parse("Mo-Fr 9h-12h", &s, err, sizeof err), -1);
    cr_expect_str_eq(err, "at character 7: expected a time like 09:00");
    cr_assert_eq(oh_parse("Jan-Mar Mo 09:00-10:00", &s, err, sizeof err), -1);
    cr_expect_str_eq(err, "at character 1: month selectors are not supported");
    cr_assert_eq(oh_parse("PH 10:00-12:00", &s, err, sizeof err), -1);
    cr_expect(strstr(err, "PH off") != NULL, "%s", err);
    cr_assert_eq(oh_parse("Mo-Fr 12:00-09:00", &s, err, sizeof err), -1);
    cr_expect(strstr(err, "overnight") != NULL, "%s", err);
    cr_assert_eq(oh_parse("Mo-Fr", &s, err, sizeof err), -1);
    cr_expect(strstr(err, "09:00-12:00") != NULL, "%s", err);
    cr_assert_eq(oh_parse("", &s, NULL, 0), -1, "err may be NULL");
    char tiny[8];
    cr_assert_eq(oh_parse("Xx", &s, tiny, sizeof tiny), -1);
    cr_expect_str_eq(tiny, "at char", "the reason is truncated, not overflowed");
}

Test(opening_hours_refuse, span_limits)
{
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof text, "Mo ");
    for (int i = 0; i < 65; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%02d:%02d-%02d:%02d",
                                i ? "," : "", i / 4, i % 4 * 15, i / 4, i % 4 * 15 + 10);
    struct oh_schedule s;
    char err[256];
    cr_expect_eq(oh_parse(text, &s, err, sizeof err), -1, "65 spans in one rule");
    cr_expect(strstr(err, "at most 64") != NULL, "%s", err);
    text[strlen(text) - 12] = '\0'; /* 64 spans */
    cr_expect_eq(oh_parse(text, &s, err, sizeof err), 0, "%s", err);
    cr_expect_eq(s.count, 64);
    /* 7 days of 10 spans: 70 in the week. */
    len = (size_t)snprintf(text, sizeof text, "Mo-Su ");
    for (int i = 0; i < 10; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%02d:00-%02d:30", i ? "," : "", i,
                                i);
    cr_expect_eq(oh_parse(text, &s, err, sizeof err), -1);
    cr_expect(strstr(err, "more than 64") != NULL, "%s", err);
    cr_expect_eq(s.count, 0);
}

/* A tiny deterministic generator for the robustness tests. */
static unsigned oh_next(unsigned *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

Test(opening_hours_refuse, arbitrary_bytes_never_crash)
{
    static const char *const seeds[] = {
        "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00",
        "Mo-Fr 09:00-12:00,13:30-16:30; Sa 09:00-12:00; PH off",
        "Tu,Th 14:00-17:00",
        "24/7",
        "Mo-Sa 10:00-18:00; Su off",
        "Sa-Mo 10:00-12:00; PH closed",
    };
    static const char alphabet[] = "MoTuWeThFrSaSuPHoffclosed0123456789:-,;/ 24\t";
    struct oh_schedule s;
    char err[128];
    char buf[4096];
    unsigned state = 2463534242u;
    /* Every prefix of the valid examples. */
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        for (size_t n = 0; n <= strlen(seeds[k]); n++) {
            memcpy(buf, seeds[k], n);
            buf[n] = '\0';
            int rc = oh_parse(buf, &s, err, sizeof err);
            cr_assert(rc == 0 || rc == -1);
            cr_assert(s.count >= 0 && s.count <= OH_MAX_SPANS);
        }
    }
    for (int round = 0; round < 3000; round++) {
        size_t n = oh_next(&state) % (round < 2000 ? 64 : sizeof buf - 1);
        for (size_t i = 0; i < n; i++) {
            unsigned r = oh_next(&state);
            buf[i] =
                (r & 1) ? alphabet[(r >> 1) % (sizeof alphabet - 1)] : (char)(1 + (r >> 1) % 255);
        }
        buf[n] = '\0';
        if (round % 3 == 0) { /* mutate a valid example instead */
            const char *seed = seeds[oh_next(&state) % (sizeof seeds / sizeof seeds[0])];
            strcpy(buf, seed);
            buf[oh_next(&state) % strlen(seed)] = alphabet[oh_next(&state) % (sizeof alphabet - 1)];
        }
        if (oh_parse(buf, &s, err, sizeof err) == 0) {
            for (int i = 0; i < s.count; i++) {
                cr_assert(s.spans[i].start >= 0 && s.spans[i].start < s.spans[i].end);
                cr_assert(s.spans[i].end <= 10080);
                cr_assert(i == 0 || s.spans[i - 1].end < s.spans[i].start, "sorted and merged");
            }
        } else {
            cr_assert(strncmp(err, "at character ", 13) == 0, "%s", err);
        }
        const char *days[7] = {buf, buf, "", NULL, buf, "09:00 - 12:00", buf};
        char out[512];
        if (oh_from_weekday_columns(days, out, sizeof out, err, sizeof err) == 0 && out[0])
            cr_assert_eq(oh_parse(out, &s, err, sizeof err), 0, "%s: %s", out, err);
    }
    /* Long but valid: many overriding rules. */
    size_t len = 0;
    for (int i = 0; i < 200; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%sMo 09:00-10:00", i ? "; " : "");
    cr_expect_eq(oh_parse(buf, &s, err, sizeof err), 0, "%s", err);
    cr_expect_eq(s.count, 1);
}

Test(opening_hours_multirange, literals)
{
    oh_expect_multirange("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00",
                         "{[540,720),[840,1110),[1980,2160),[2280,2550),[3420,3600),[3720,3990),"
                         "[4860,5040),[5160,5430),[6300,6480),[6600,6870),[7710,7920)}");
    oh_expect_multirange("Tu,Th 14:00-17:00", "{[2280,2460),[5160,5340)}");
    oh_expect_multirange("24/7", "{[0,10080)}");
    oh_expect_multirange("Su 20:00-24:00; Mo 00:00-02:00", "{[0,120),[9840,10080)}");
    oh_expect_multirange("Mo 23:00-24:00; Tu 00:00-01:00", "{[1380,1500)}");
    oh_expect_multirange("Su off", "{}");
    oh_expect_multirange("PH off", "{}");
}

Test(opening_hours_multirange, refuses_what_does_not_fit)
{
    struct oh_schedule s;
    char out[64];
    oh_parse_ok("Tu,Th 14:00-17:00", &s);
    const char *expected = "{[2280,2460),[5160,5340)}";
    size_t need = strlen(expected) + 1;
    for (size_t cap = 0; cap < need; cap++) {
        memset(out, 'x', sizeof out);
        cr_expect_eq(oh_to_multirange(&s, out, cap), -1, "cap %zu", cap);
        if (cap > 0)
            cr_expect_eq(out[0], '\0');
        cr_expect_eq(out[cap], 'x', "nothing written past cap %zu", cap);
    }
    cr_expect_eq(oh_to_multirange(&s, out, need), 0);
    cr_expect_str_eq(out, expected);
    struct oh_schedule never = {.count = 0};
    cr_expect_eq(oh_to_multirange(&never, out, 3), 0);
    cr_expect_str_eq(out, "{}");
    cr_expect_eq(oh_to_multirange(&never, out, 2), -1);
}

static void oh_expect_columns(const char *const days[7], const char *expected)
{
    char out[512], err[256] = "";
    struct oh_schedule s;
    cr_assert_eq(oh_from_weekday_columns(days, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(out, expected);
    if (out[0])
        cr_expect_eq(oh_parse(out, &s, err, sizeof err), 0, "%s re-parses: %s", out, err);
}

Test(opening_hours_columns, france_services_rows)
{
    const char *val_de_gers[7] = {"",
                                  "09:30 - 12:30 / 13:30 - 18:00",
                                  "09:30 - 12:30 / 13:30 - 18:00",
                                  "09:30 - 12:30",
                                  "09:30 - 12:30",
                                  "09:30 - 12:30",
                                  ""};
    oh_expect_columns(val_de_gers, "Tu-We 09:30-12:30,13:30-18:00; Th-Sa 09:30-12:30");
    const char *weekdays[7] = {"09:00 - 17:00",
                               "09:00 - 17:00",
                               "09:00 - 17:00",
                               "09:00 - 17:00",
                               "09:00 - 17:00",
                               "",
                               ""};
    oh_expect_columns(weekdays, "Mo-Fr 09:00-17:00");
    const char *plaisance[7] = {"09:00 - 12:00 / 13:30 - 16:30",
                                "09:00 - 12:00 / 13:30 - 16:30",
                                "09:00 - 12:00 / 13:30 - 16:30",
                                "09:00 - 12:00 / 13:30 - 16:30",
                                "09:00 - 12:00 / 13:30 - 16:30",
                                "09:00 - 12:00",
                                NULL};
    oh_expect_columns(plaisance, "Mo-Fr 09:00-12:00,13:30-16:30; Sa 09:00-12:00");
    const char *alternating[7] = {"09:00 - 10:00", NULL, "09:00 - 10:00", "",
                                  "09:00-10:00",   "",   "10:00 - 11:00"};
    oh_expect_columns(alternating,
                      "Mo 09:00-10:00; We 09:00-10:00; Fr 09:00-10:00; Su 10:00-11:00");
    const char *reordered[7] = {"14:00 - 18:00 / 08:00 - 12:00",
                                "08:00-12:00/14:00-18:00",
                                "  08:00 - 12:00 / 12:00 - 24:00  ",
                                NULL,
                                NULL,
                                NULL,
                                NULL};
    oh_expect_columns(reordered, "Mo-Tu 08:00-12:00,14:00-18:00; We 08:00-24:00");
    const char *closed[7] = {"", NULL, " ", "", "", "", ""};
    oh_expect_columns(closed, "");
    oh_expect_columns(NULL, "");
}

Test(opening_hours_columns, malformed_columns_name_the_day)
{
    char out[512] = "unchanged", err[256] = "";
    const char *days[7] = {"09:00 - 12:00", "9h - 12h", "", "", "", "", ""};
    cr_expect_eq(oh_from_weekday_columns(days, out, sizeof out, err, sizeof err), -1);
    cr_expect_str_eq(err, "Tuesday: at character 1: expected a time like 09:00");
    cr_expect_str_eq(out, "");
    const char *bad[][2] = {
        {"Saturday", "09:00 - 12:00 /"},
        {"Saturday", "09:00 - 12:00 13:00 - 14:00"},
        {"Saturday", "12:00 - 09:00"},
        {"Saturday", "09:00 - 12:00, 14:00 - 16:00"},
        {"Saturday", "09:00"},
        {"Saturday", "Fermé"},
        {"Saturday", "09:00 - 12:00 / 25:00 - 26:00"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const char *week[7] = {"", "", "", "", "", bad[k][1], ""};
        cr_expect_eq(oh_from_weekday_columns(week, out, sizeof out, err, sizeof err), -1, "%s",
                     bad[k][1]);
        cr_expect(strncmp(err, bad[k][0], strlen(bad[k][0])) == 0, "%s: %s", bad[k][1], err);
    }
}

Test(opening_hours_columns, output_too_small)
{
    const char *days[7] = {"09:00 - 17:00", "09:00 - 17:00", "", "", "", "", ""};
    const char *expected = "Mo-Tu 09:00-17:00";
    char out[64], err[256];
    for (size_t cap = 0; cap <= strlen(expected); cap++) {
        memset(out, 'x', sizeof out);
        cr_expect_eq(oh_from_weekday_columns(days, out, cap, err, sizeof err), -1, "cap %zu", cap);
        cr_expect_eq(out[cap], 'x');
    }
    cr_expect_eq(oh_from_weekday_columns(days, out, strlen(expected) + 1, NULL, 0), 0);
    cr_expect_str_eq(out, expected);
}

/* Minutes of the day of the first time of a column such as "09:30 - 12:30 / ...". */
static int oh_first_start(const char *column)
{
    return ((column[0] - '0') * 10 + (column[1] - '0')) * 60 + (column[3] - '0') * 10 +
           (column[4] - '0');
}

Test(opening_hours_seed, every_gers_row_converts_and_reparses)
{
    static const char *const names[6] = {"h_lundi", "h_mardi",    "h_mercredi",
                                         "h_jeudi", "h_vendredi", "h_samedi"};
    FILE *f = fopen("db/seeds/france-services-32-gers.csv", "rb");
    cr_assert_not_null(f, "run from the repository root");
    char *text = malloc(1 << 20);
    cr_assert_not_null(text);
    size_t len = fread(text, 1, 1 << 20, f);
    fclose(f);
    struct csv csv;
    size_t err_line = 0;
    cr_assert_eq(csv_parse(text, len, ',', &csv, &err_line), 0, "line %zu", err_line);
    free(text);
    int columns[6];
    for (int d = 0; d < 6; d++) {
        columns[d] = csv_column(&csv, names[d]);
        cr_assert_geq(columns[d], 0, "%s", names[d]);
    }
    int id = csv_column(&csv, "id_fs");
    cr_assert_geq(id, 0);
    cr_expect_geq(csv.count, 2, "at least one place");
    size_t failures = 0;
    for (size_t r = 1; r < csv.count; r++) {
        const struct csv_row *row = &csv.rows[r];
        const char *days[7] = {NULL};
        for (int d = 0; d < 6; d++)
            days[d] = (size_t)columns[d] < row->count ? row->fields[columns[d]] : NULL;
        const char *place = (size_t)id < row->count ? row->fields[id] : "?";
        char out[1024], err[256] = "";
        struct oh_schedule s;
        if (oh_from_weekday_columns(days, out, sizeof out, err, sizeof err) != 0) {
            cr_expect_fail("place %s: %s", place, err);
            failures++;
            continue;
        }
        cr_expect_neq(out[0], '\0', "place %s has hours", place);
        if (oh_parse(out, &s, err, sizeof err) != 0) {
            cr_expect_fail("place %s: \"%s\" does not re-parse: %s", place, out, err);
            failures++;
            continue;
        }
        for (int d = 0; d < 6; d++) {
            if (!days[d] || !days[d][0]) {
                for (int m = 0; m < 1440; m += 15)
                    cr_expect_not(oh_is_open(&s, d * 1440 + m, false), "place %s day %d", place, d);
                continue;
            }
            int start = oh_first_start(days[d]);
            cr_expect(oh_is_open(&s, d * 1440 + start, false), "place %s opens on day %d at %s",
                      place, d, days[d]);
            cr_expect_not(oh_is_open(&s, d * 1440 + start - 1, false), "place %s day %d", place, d);
        }
        cr_expect_not(oh_is_open(&s, oh_at(SU, 11, 0), false), "no Sunday column");
    }
    cr_expect_eq(failures, 0);
    csv_free(&csv);
}

Test(opening_hours_holidays, year_2026)
{
    static const int holidays[][2] = {{1, 1},  {4, 6},  {5, 1},  {5, 8},   {5, 14}, {5, 25},
                                      {7, 14}, {8, 15}, {11, 1}, {11, 11}, {12, 25}};
    int count = 0;
    for (size_t k = 0; k < sizeof holidays / sizeof holidays[0]; k++)
        cr_expect(oh_is_french_public_holiday(2026, holidays[k][0], holidays[k][1]), "%d/%d",
                  holidays[k][1], holidays[k][0]);
    for (int m = 1; m <= 12; m++)
        for (int d = 1; d <= 31; d++)
            count += oh_is_french_public_holiday(2026, m, d);
    cr_expect_eq(count, 11, "exactly eleven in 2026");
    cr_expect_not(oh_is_french_public_holiday(2026, 4, 5), "Easter Sunday is not listed");
    cr_expect_not(oh_is_french_public_holiday(2026, 5, 24), "nor Whit Sunday");
    cr_expect_not(oh_is_french_public_holiday(2026, 4, 3), "nor Good Friday (Alsace-Moselle only)");
    cr_expect_not(oh_is_french_public_holiday(2026, 12, 26), "nor 26 Dec (Alsace-Moselle only)");
}

Test(opening_hours_holidays, year_2027)
{
    cr_expect(oh_is_french_public_holiday(2027, 3, 29), "Easter Monday");
    cr_expect(oh_is_french_public_holiday(2027, 5, 6), "Ascension");
    cr_expect(oh_is_french_public_holiday(2027, 5, 17), "Whit Monday");
    cr_expect(oh_is_french_public_holiday(2027, 1, 1));
    cr_expect(oh_is_french_public_holiday(2027, 11, 11));
    cr_expect_not(oh_is_french_public_holiday(2027, 3, 28));
    cr_expect_not(oh_is_french_public_holiday(2027, 4, 6), "2026's Easter Monday");
    cr_expect_not(oh_is_french_public_holiday(2027, 5, 14), "2026's Ascension");
    int count = 0;
    for (int m = 1; m <= 12; m++)
        for (int d = 1; d <= 31; d++)
            count += oh_is_french_public_holiday(2027, m, d);
    cr_expect_eq(count, 11);
}

Test(opening_hours_holidays, other_years_and_invalid_dates)
{
    cr_expect(oh_is_french_public_holiday(2024, 4, 1), "Easter Monday 2024");
    cr_expect(oh_is_french_public_holiday(2025, 4, 21), "Easter Monday 2025");
    cr_expect(oh_is_french_public_holiday(2025, 5, 29), "Ascension 2025");
    cr_expect(oh_is_french_public_holiday(2025, 6, 9), "Whit Monday 2025");
    cr_expect(oh_is_french_public_holiday(2038, 4, 26), "Easter on its latest date, 25 April");
    cr_expect_not(oh_is_french_public_holiday(2026, 2, 29));
    cr_expect_not(oh_is_french_public_holiday(2026, 2, 30));
    cr_expect_not(oh_is_french_public_holiday(2026, 13, 1));
    cr_expect_not(oh_is_french_public_holiday(2026, 0, 1));
    cr_expect_not(oh_is_french_public_holiday(2026, 1, 0));
    cr_expect_not(oh_is_french_public_holiday(-2147483647 - 1, 1, 1));
    cr_expect_not(oh_is_french_public_holiday(2147483647, 1, 1));
    cr_expect_not(oh_is_french_public_holiday(2026, -2147483647 - 1, -2147483647 - 1));
}

Test(opening_hours_holidays, with_a_schedule)
{
    struct oh_schedule s;
    oh_parse_ok("Mo-Fr 09:00-12:00,13:30-16:30; Sa 09:00-12:00; PH off", &s);
    /* Monday 25 May 2026 is Whit Monday; Monday 1 June 2026 is not a holiday. */
    bool whit = oh_is_french_public_holiday(2026, 5, 25);
    bool june = oh_is_french_public_holiday(2026, 6, 1);
    cr_expect_not(oh_is_open(&s, oh_at(MO, 10, 0), whit));
    cr_expect(oh_is_open(&s, oh_at(MO, 10, 0), june));
    oh_parse_ok("Mo-Fr 09:00-12:00", &s);
    cr_expect(oh_is_open(&s, oh_at(MO, 10, 0), whit), "no PH off: open on holidays");
}
