/* Workshop recurrence: the RRULE subset, its expansion into local dates, its refusals,
 * the calendar arithmetic against a naive day-by-day walk, and random or mutated input. */
#include "rrule.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RR_SENTINEL -777

static struct rrule_date rr_date(int y, int m, int d)
{
    struct rrule_date r = {y, m, d};
    return r;
}

static void rr_fill_sentinel(struct rrule_date *out)
{
    for (int i = 0; i < RRULE_MAX_OCCURRENCES; i++)
        out[i] = rr_date(RR_SENTINEL, RR_SENTINEL, RR_SENTINEL);
}

static bool rr_untouched(const struct rrule_date *out)
{
    for (int i = 0; i < RRULE_MAX_OCCURRENCES; i++)
        if (out[i].year != RR_SENTINEL || out[i].month != RR_SENTINEL || out[i].day != RR_SENTINEL)
            return false;
    return true;
}

/* Expands rule from start, which must succeed, into out; returns the count. */
static int rr_ok(const char *rule, struct rrule_date start, struct rrule_date *out)
{
    char err[256] = "";
    int count = -1;
    cr_assert_eq(rrule_expand(rule, start, out, &count, err, sizeof err), 0,
                 "\"%s\" must expand: %s", rule, err);
    cr_assert(count >= 1 && count <= RRULE_MAX_OCCURRENCES, "\"%s\": count %d", rule, count);
    return count;
}

/* Expands rule from start and compares with the n dates of expected. */
static void rr_expect(const char *rule, struct rrule_date start, const struct rrule_date *expected,
                      int n)
{
    struct rrule_date out[RRULE_MAX_OCCURRENCES];
    int count = rr_ok(rule, start, out);
    cr_assert_eq(count, n, "\"%s\": %d occurrences, expected %d", rule, count, n);
    for (int i = 0; i < n; i++)
        cr_expect(out[i].year == expected[i].year && out[i].month == expected[i].month &&
                      out[i].day == expected[i].day,
                  "\"%s\" #%d: %04d-%02d-%02d, expected %04d-%02d-%02d", rule, i, out[i].year,
                  out[i].month, out[i].day, expected[i].year, expected[i].month, expected[i].day);
}

/* The expansion must fail with a one-line reason starting with `reason` (the whole
 * reason when exact), *count 0 and out untouched. */
static void rr_refused_from(const char *rule, struct rrule_date start, const char *reason,
                            bool exact)
{
    struct rrule_date out[RRULE_MAX_OCCURRENCES];
    char err[256] = "";
    int count = -1;
    rr_fill_sentinel(out);
    cr_assert_eq(rrule_expand(rule, start, out, &count, err, sizeof err), -1,
                 "\"%s\" must be refused", rule);
    cr_expect_eq(count, 0, "\"%s\"", rule);
    cr_expect(rr_untouched(out), "\"%s\": out must be untouched", rule);
    cr_expect_null(strchr(err, '\n'), "\"%s\": one line: \"%s\"", rule, err);
    if (exact)
        cr_expect_str_eq(err, reason, "\"%s\"", rule);
    else
        cr_expect(strncmp(err, reason, strlen(reason)) == 0,
                  "\"%s\": \"%s\" should start with \"%s\"", rule, err, reason);
}

/* Tuesday 8 December 2026 is the start unless said otherwise. */
static void rr_refused(const char *rule, const char *reason)
{
    rr_refused_from(rule, rr_date(2026, 12, 8), reason, false);
}

static void rr_refused_exactly(const char *rule, const char *reason)
{
    rr_refused_from(rule, rr_date(2026, 12, 8), reason, true);
}

/* ---- Expansion ---- */

Test(rrule_expand, weekly_count)
{
    const struct rrule_date want[] = {
        {2026, 12, 8}, {2026, 12, 15}, {2026, 12, 22}, {2026, 12, 29}};
    rr_expect("FREQ=WEEKLY;COUNT=4", rr_date(2026, 12, 8), want, 4);
}

Test(rrule_expand, weekly_byday)
{
    const struct rrule_date want[] = {
        {2026, 12, 8}, {2026, 12, 10}, {2026, 12, 15}, {2026, 12, 17}};
    rr_expect("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4", rr_date(2026, 12, 8), want, 4);
    rr_expect("FREQ=WEEKLY;BYDAY=TH,TU;COUNT=4", rr_date(2026, 12, 8), want, 4);
}

Test(rrule_expand, weekly_byday_skips_days_before_start_in_first_week)
{
    /* From Wednesday 9 December: Monday 7 is before the start. */
    const struct rrule_date want[] = {
        {2026, 12, 9}, {2026, 12, 11}, {2026, 12, 14}, {2026, 12, 16}};
    rr_expect("FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=4", rr_date(2026, 12, 9), want, 4);
}

Test(rrule_expand, weekly_interval)
{
    const struct rrule_date want[] = {{2026, 12, 8}, {2026, 12, 22}, {2027, 1, 5}};
    rr_expect("FREQ=WEEKLY;INTERVAL=2;COUNT=3", rr_date(2026, 12, 8), want, 3);
}

Test(rrule_expand, weekly_interval_with_byday_and_sunday_ending_the_week)
{
    /* Weeks start on Monday: from Tuesday 8 Dec, every other week, Tuesday and Sunday. */
    const struct rrule_date want[] = {
        {2026, 12, 8}, {2026, 12, 13}, {2026, 12, 22}, {2026, 12, 27}, {2027, 1, 5}};
    rr_expect("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO;COUNT=5", rr_date(2026, 12, 8), want, 5);
}

Test(rrule_expand, daily_across_month_and_year_end)
{
    const struct rrule_date year_end[] = {
        {2026, 12, 29}, {2026, 12, 30}, {2026, 12, 31}, {2027, 1, 1}, {2027, 1, 2}};
    rr_expect("FREQ=DAILY;COUNT=5", rr_date(2026, 12, 29), year_end, 5);
    const struct rrule_date month_end[] = {
        {2027, 1, 29}, {2027, 1, 30}, {2027, 1, 31}, {2027, 2, 1}, {2027, 2, 2}};
    rr_expect("FREQ=DAILY;COUNT=5", rr_date(2027, 1, 29), month_end, 5);
    const struct rrule_date april[] = {{2027, 4, 29}, {2027, 5, 1}, {2027, 5, 3}};
    rr_expect("FREQ=DAILY;INTERVAL=2;COUNT=3", rr_date(2027, 4, 29), april, 3);
}

Test(rrule_expand, daily_byday_until)
{
    const struct rrule_date want[] = {
        {2026, 12, 14}, {2026, 12, 15}, {2026, 12, 16}, {2026, 12, 17}, {2026, 12, 18}};
    rr_expect("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20261218", rr_date(2026, 12, 14), want, 5);
    /* The weekend is filtered out; 21 December is past UNTIL. */
    rr_expect("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20261220", rr_date(2026, 12, 14), want, 5);
    const struct rrule_date more[] = {{2026, 12, 14}, {2026, 12, 15}, {2026, 12, 16},
                                      {2026, 12, 17}, {2026, 12, 18}, {2026, 12, 21}};
    rr_expect("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20261221", rr_date(2026, 12, 14), more, 6);
}

Test(rrule_expand, daily_byday_with_interval)
{
    /* Every other day from Monday 14 Dec: 14 (Mo), 16 (We), 18 (Fr), 20 (Su: filtered),
     * 22 (Tu: filtered), 24 (Th: filtered), 26 (Sa: filtered), 28 (Mo). */
    const struct rrule_date want[] = {
        {2026, 12, 14}, {2026, 12, 16}, {2026, 12, 18}, {2026, 12, 28}};
    rr_expect("FREQ=DAILY;INTERVAL=2;BYDAY=MO,WE,FR;COUNT=4", rr_date(2026, 12, 14), want, 4);
}

Test(rrule_expand, until_utc_date_time_keeps_the_date_part)
{
    /* 23:00Z on 31 Dec is 00:00 on 1 Jan in Paris; only the date part, 31 Dec, counts. */
    const struct rrule_date want[] = {{2026, 12, 29}, {2026, 12, 30}, {2026, 12, 31}};
    rr_expect("FREQ=DAILY;UNTIL=20261231T230000Z", rr_date(2026, 12, 29), want, 3);
    const struct rrule_date weekly[] = {
        {2026, 12, 8}, {2026, 12, 15}, {2026, 12, 22}, {2026, 12, 29}};
    rr_expect("FREQ=WEEKLY;UNTIL=20261231T230000Z", rr_date(2026, 12, 8), weekly, 4);
    /* An early time on the day of an occurrence still includes it. */
    rr_expect("FREQ=WEEKLY;UNTIL=20261229T000000Z", rr_date(2026, 12, 8), weekly, 4);
    rr_expect("FREQ=WEEKLY;UNTIL=20261228T235960Z", rr_date(2026, 12, 8), weekly, 3);
}

Test(rrule_expand, until_on_the_start_gives_one)
{
    const struct rrule_date want[] = {{2026, 12, 8}};
    rr_expect("FREQ=WEEKLY;UNTIL=20261208", rr_date(2026, 12, 8), want, 1);
    rr_expect("FREQ=DAILY;COUNT=1", rr_date(2026, 12, 8), want, 1);
}

Test(rrule_expand, leap_years)
{
    const struct rrule_date feb_2028[] = {{2028, 2, 28}, {2028, 2, 29}, {2028, 3, 1}};
    rr_expect("FREQ=DAILY;COUNT=3", rr_date(2028, 2, 28), feb_2028, 3);
    const struct rrule_date from_29[] = {{2028, 2, 29}, {2028, 3, 7}, {2028, 3, 14}};
    rr_expect("FREQ=WEEKLY;COUNT=3", rr_date(2028, 2, 29), from_29, 3);
    const struct rrule_date feb_2027[] = {{2027, 2, 28}, {2027, 3, 1}};
    rr_expect("FREQ=DAILY;COUNT=2", rr_date(2027, 2, 28), feb_2027, 2);
    const struct rrule_date feb_2100[] = {{2100, 2, 28}, {2100, 3, 1}};
    rr_expect("FREQ=DAILY;COUNT=2", rr_date(2100, 2, 28), feb_2100, 2);
    const struct rrule_date feb_2000[] = {{2000, 2, 28}, {2000, 2, 29}};
    rr_expect("FREQ=DAILY;COUNT=2", rr_date(2000, 2, 28), feb_2000, 2);
    const struct rrule_date until_29[] = {{2028, 2, 27}, {2028, 2, 28}, {2028, 2, 29}};
    rr_expect("FREQ=DAILY;UNTIL=20280229", rr_date(2028, 2, 27), until_29, 3);
    rr_refused_from("FREQ=DAILY;COUNT=2", rr_date(2027, 2, 29), "starts_at: ", false);
    rr_refused("FREQ=DAILY;UNTIL=20270229", "UNTIL: 20270229 is not a valid date");
}

Test(rrule_expand, prefix_order_and_optional_parts)
{
    const struct rrule_date want[] = {
        {2026, 12, 8}, {2026, 12, 15}, {2026, 12, 22}, {2026, 12, 29}};
    rr_expect("RRULE:FREQ=WEEKLY;COUNT=4", rr_date(2026, 12, 8), want, 4);
    rr_expect("COUNT=4;FREQ=WEEKLY", rr_date(2026, 12, 8), want, 4);
    rr_expect("FREQ=WEEKLY;INTERVAL=1;WKST=MO;BYDAY=TU;COUNT=04", rr_date(2026, 12, 8), want, 4);
}

Test(rrule_expand, fifty_two_is_the_limit)
{
    struct rrule_date out[RRULE_MAX_OCCURRENCES];
    cr_expect_eq(rr_ok("FREQ=WEEKLY;COUNT=52", rr_date(2026, 12, 8), out), 52);
    cr_expect(out[51].year == 2027 && out[51].month == 11 && out[51].day == 30);
    /* 8 Dec 2026 .. 28 Jan 2027 is 52 days. */
    cr_expect_eq(rr_ok("FREQ=DAILY;UNTIL=20270128", rr_date(2026, 12, 8), out), 52);
    cr_expect(out[51].year == 2027 && out[51].month == 1 && out[51].day == 28);
    rr_refused_exactly("FREQ=DAILY;UNTIL=20270129", "UNTIL: more than 52 occurrences");
    rr_refused_exactly("FREQ=WEEKLY;UNTIL=20991231", "UNTIL: more than 52 occurrences");
    /* INTERVAL=52 and COUNT=52: about 52 years ahead. */
    cr_expect_eq(rr_ok("FREQ=WEEKLY;INTERVAL=52;COUNT=52", rr_date(2026, 12, 8), out), 52);
}

Test(rrule_expand, end_of_the_calendar)
{
    struct rrule_date out[RRULE_MAX_OCCURRENCES];
    cr_expect_eq(rr_ok("FREQ=DAILY;COUNT=5", rr_date(9999, 12, 27), out), 5);
    cr_expect(out[4].year == 9999 && out[4].month == 12 && out[4].day == 31);
    cr_expect_eq(rr_ok("FREQ=DAILY;UNTIL=99991231", rr_date(9999, 12, 27), out), 5);
    rr_refused_from("FREQ=DAILY;COUNT=6", rr_date(9999, 12, 27), "COUNT: ", false);
    rr_refused_from("FREQ=WEEKLY;INTERVAL=52;COUNT=52", rr_date(9990, 1, 1), "COUNT: ", false);
}

Test(rrule_expand, error_buffer_optional_and_truncated)
{
    struct rrule_date out[RRULE_MAX_OCCURRENCES];
    int count = -1;
    cr_expect_eq(rrule_expand("FREQ=WEEKLY;COUNT=53", rr_date(2026, 12, 8), out, &count, NULL, 0),
                 -1);
    cr_expect_eq(count, 0);
    char small[6] = "xxxxx";
    cr_expect_eq(rrule_expand("FREQ=WEEKLY;COUNT=53", rr_date(2026, 12, 8), out, &count, small,
                              sizeof small),
                 -1);
    cr_expect_str_eq(small, "COUNT");
    char none[1] = {'x'};
    cr_expect_eq(rrule_expand("FREQ=WEEKLY;COUNT=53", rr_date(2026, 12, 8), out, &count, none, 0),
                 -1);
    cr_expect_eq(none[0], 'x');
    cr_expect_eq(rrule_expand("FREQ=WEEKLY;COUNT=2", rr_date(2026, 12, 8), out, &count, NULL, 0),
                 0);
    cr_expect_eq(count, 2);
}

Test(rrule_expand, null_arguments)
{
    struct rrule_date out[RRULE_MAX_OCCURRENCES];
    char err[128] = "";
    int count = -1;
    cr_expect_eq(rrule_expand(NULL, rr_date(2026, 12, 8), out, &count, err, sizeof err), -1);
    cr_expect_eq(count, 0);
    cr_expect_neq(err[0], '\0');
    cr_expect_eq(
        rrule_expand("FREQ=DAILY;COUNT=1", rr_date(2026, 12, 8), NULL, &count, err, sizeof err),
        -1);
    cr_expect_eq(
        rrule_expand("FREQ=DAILY;COUNT=1", rr_date(2026, 12, 8), out, NULL, err, sizeof err), -1);
}

Test(rrule_expand, invalid_start)
{
    rr_refused_from("FREQ=DAILY;COUNT=1", rr_date(2026, 13, 1), "starts_at: ", false);
    rr_refused_from("FREQ=DAILY;COUNT=1", rr_date(2026, 4, 31), "starts_at: ", false);
    rr_refused_from("FREQ=DAILY;COUNT=1", rr_date(2026, 0, 1), "starts_at: ", false);
    rr_refused_from("FREQ=DAILY;COUNT=1", rr_date(1200, 1, 1), "starts_at: ", false);
    rr_refused_from("FREQ=DAILY;COUNT=1", rr_date(10000, 1, 1), "starts_at: ", false);
    rr_refused_from("FREQ=DAILY;COUNT=1", rr_date(-2147483647 - 1, -5, 0), "starts_at: ", false);
}

/* ---- Refusals ---- */

Test(rrule_refuse, count_and_interval_range)
{
    rr_refused_exactly("FREQ=WEEKLY;COUNT=53", "COUNT: must be 1 to 52");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=0", "COUNT: must be 1 to 52");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=", "COUNT: must be 1 to 52");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=-1", "COUNT: must be 1 to 52");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=+4", "COUNT: must be 1 to 52");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=4X", "COUNT: must be 1 to 52");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=99999999999999999999999999", "COUNT: must be 1 to 52");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=2;INTERVAL=0", "INTERVAL: must be 1 to 52");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=2;INTERVAL=53", "INTERVAL: must be 1 to 52");
}

Test(rrule_refuse, end_required_and_single)
{
    rr_refused("FREQ=WEEKLY", "COUNT or UNTIL: ");
    rr_refused("FREQ=DAILY;INTERVAL=2", "COUNT or UNTIL: ");
    rr_refused("FREQ=WEEKLY;COUNT=4;UNTIL=20261231", "COUNT and UNTIL: ");
    rr_refused("FREQ=WEEKLY;UNTIL=20261231;COUNT=4", "COUNT and UNTIL: ");
}

Test(rrule_refuse, freq)
{
    rr_refused("COUNT=4", "FREQ: required");
    rr_refused("", "FREQ: required");
    rr_refused("RRULE:", "FREQ: required");
    rr_refused_exactly("FREQ=MONTHLY;COUNT=4", "FREQ: MONTHLY is not supported (only DAILY or "
                                               "WEEKLY)");
    rr_refused("FREQ=YEARLY;COUNT=4", "FREQ: YEARLY is not supported");
    rr_refused("FREQ=HOURLY;COUNT=4", "FREQ: HOURLY is not supported");
    rr_refused("FREQ=MINUTELY;COUNT=4", "FREQ: MINUTELY is not supported");
    rr_refused("FREQ=SECONDLY;COUNT=4", "FREQ: SECONDLY is not supported");
    rr_refused("FREQ=FORTNIGHTLY;COUNT=4", "FREQ: expected DAILY or WEEKLY");
    rr_refused("FREQ=;COUNT=4", "FREQ: expected DAILY or WEEKLY");
    rr_refused("FREQ=WEEKLYX;COUNT=4", "FREQ: expected DAILY or WEEKLY");
}

Test(rrule_refuse, byday)
{
    rr_refused_exactly("FREQ=WEEKLY;BYDAY=1MO;COUNT=4",
                       "BYDAY: numeric prefixes like 1MO are not supported");
    rr_refused("FREQ=WEEKLY;BYDAY=TU,+2TH;COUNT=4", "BYDAY: numeric prefixes");
    rr_refused("FREQ=WEEKLY;BYDAY=-1TU;COUNT=4", "BYDAY: numeric prefixes");
    rr_refused("FREQ=WEEKLY;BYDAY=10TU;COUNT=4", "BYDAY: numeric prefixes");
    rr_refused_exactly("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
                       "BYDAY: must include the weekday of starts_at");
    rr_refused_exactly("FREQ=DAILY;BYDAY=SA,SU;UNTIL=20261231",
                       "BYDAY: must include the weekday of starts_at");
    rr_refused("FREQ=WEEKLY;BYDAY=TU,TU;COUNT=4", "BYDAY: TU is listed twice");
    rr_refused("FREQ=WEEKLY;BYDAY=;COUNT=4", "BYDAY: expected");
    rr_refused("FREQ=WEEKLY;BYDAY=TU,;COUNT=4", "BYDAY: expected");
    rr_refused("FREQ=WEEKLY;BYDAY=,TU;COUNT=4", "BYDAY: expected");
    rr_refused("FREQ=WEEKLY;BYDAY=TUE;COUNT=4", "BYDAY: expected");
    rr_refused("FREQ=WEEKLY;BYDAY=MA;COUNT=4", "BYDAY: expected");
    rr_refused("FREQ=WEEKLY;BYDAY=1;COUNT=4", "BYDAY: expected");
    rr_refused("FREQ=WEEKLY;BYDAY=+;COUNT=4", "BYDAY: expected");
    rr_refused("FREQ=WEEKLY;BYDAY=tu;COUNT=4", "BYDAY: values are upper-case");
}

Test(rrule_refuse, until)
{
    rr_refused("FREQ=WEEKLY;UNTIL=20261207", "UNTIL: before starts_at");
    rr_refused("FREQ=WEEKLY;UNTIL=20261231T230000", "UNTIL: a date-time must be in UTC");
    rr_refused("FREQ=WEEKLY;UNTIL=2026-12-31", "UNTIL: expected a date");
    rr_refused("FREQ=WEEKLY;UNTIL=2026123", "UNTIL: expected a date");
    rr_refused("FREQ=WEEKLY;UNTIL=202612310", "UNTIL: expected a date");
    rr_refused("FREQ=WEEKLY;UNTIL=20261231T2300Z", "UNTIL: expected a date");
    rr_refused("FREQ=WEEKLY;UNTIL=20261231T230000ZZ", "UNTIL: expected a date");
    rr_refused("FREQ=WEEKLY;UNTIL=20261231T230000+0100", "UNTIL: expected a date");
    rr_refused("FREQ=WEEKLY;UNTIL=", "UNTIL: expected a date");
    rr_refused("FREQ=WEEKLY;UNTIL=20261232", "UNTIL: 20261232 is not a valid date");
    rr_refused("FREQ=WEEKLY;UNTIL=20261300", "UNTIL: 20261300 is not a valid date");
    rr_refused("FREQ=WEEKLY;UNTIL=00000101", "UNTIL: 00000101 is not a valid date");
    rr_refused("FREQ=WEEKLY;UNTIL=20261231T240000Z", "UNTIL: 240000 is not a valid time");
    rr_refused("FREQ=WEEKLY;UNTIL=20261231T236000Z", "UNTIL: 236000 is not a valid time");
    rr_refused("FREQ=WEEKLY;UNTIL=20261231T230061Z", "UNTIL: 230061 is not a valid time");
    rr_refused("FREQ=WEEKLY;UNTIL=20261231t230000z", "UNTIL: values are upper-case");
    rr_refused("FREQ=WEEKLY;UNTIL=15000101", "UNTIL: before starts_at");
}

Test(rrule_refuse, unsupported_and_unknown_parts)
{
    const char *unsupported[] = {"BYMONTH=1",  "BYSETPOS=1",   "BYHOUR=10",   "BYMINUTE=0",
                                 "BYSECOND=0", "BYMONTHDAY=8", "BYYEARDAY=1", "BYWEEKNO=1"};
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        char rule[64], reason[32];
        snprintf(rule, sizeof rule, "FREQ=WEEKLY;COUNT=4;%s", unsupported[i]);
        snprintf(reason, sizeof reason, "%.*s: not supported",
                 (int)(strchr(unsupported[i], '=') - unsupported[i]), unsupported[i]);
        rr_refused(rule, reason);
    }
    rr_refused("FREQ=WEEKLY;COUNT=4;X-NAME=1", "X-NAME: unknown part");
    rr_refused("FREQ=WEEKLY;COUNT=4;DTSTART=20261208", "DTSTART: unknown part");
    rr_refused("FREQ=WEEKLY;COUNT=4;AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=1",
               "AAAAAAAAAAAAAAAAAAAAAAAA...: unknown part");
    rr_refused("freq=WEEKLY;COUNT=4", "freq: part names are upper-case (FREQ)");
    rr_refused("FREQ=weekly;COUNT=4", "FREQ: values are upper-case");
    rr_refused("rrule:FREQ=WEEKLY;COUNT=4", "rrule:FREQ: unknown part");
    rr_refused("RRULE:RRULE:FREQ=WEEKLY;COUNT=4", "RRULE:FREQ: unknown part");
}

Test(rrule_refuse, wkst)
{
    rr_refused_exactly("FREQ=WEEKLY;COUNT=4;WKST=SU",
                       "WKST: only MO is supported (weeks start on Monday)");
    rr_refused("FREQ=WEEKLY;COUNT=4;WKST=", "WKST: expected MO");
    rr_refused("FREQ=WEEKLY;COUNT=4;WKST=MONDAY", "WKST: expected MO");
}

Test(rrule_refuse, duplicates)
{
    rr_refused_exactly("FREQ=WEEKLY;FREQ=WEEKLY;COUNT=4", "FREQ: given twice");
    rr_refused_exactly("FREQ=WEEKLY;FREQ=DAILY;COUNT=4", "FREQ: given twice");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=4;COUNT=4", "COUNT: given twice");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=4;INTERVAL=1;INTERVAL=2", "INTERVAL: given twice");
    rr_refused_exactly("FREQ=WEEKLY;UNTIL=20261231;UNTIL=20261231", "UNTIL: given twice");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=4;BYDAY=TU;BYDAY=TH", "BYDAY: given twice");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=4;WKST=MO;WKST=MO", "WKST: given twice");
}

Test(rrule_refuse, whitespace_and_structure)
{
    rr_refused_exactly("FREQ=WEEKLY; COUNT=4", "at character 13: whitespace is not allowed");
    rr_refused_exactly(" FREQ=WEEKLY;COUNT=4", "at character 1: whitespace is not allowed");
    rr_refused_exactly("FREQ=WEEKLY;COUNT=4\n", "at character 20: whitespace is not allowed");
    rr_refused("FREQ = WEEKLY;COUNT=4", "at character 5: whitespace");
    rr_refused("FREQ=WEEKLY;COUNT=4\t", "at character 20: whitespace");
    rr_refused("RRULE: FREQ=WEEKLY;COUNT=4", "at character 7: whitespace");
    rr_refused_exactly("FREQ=WEEKLY;;COUNT=4", "at character 13: empty part (expected NAME=VALUE)");
    rr_refused("FREQ=WEEKLY;COUNT=4;", "at character 21: empty part");
    rr_refused(";FREQ=WEEKLY;COUNT=4", "at character 1: empty part");
    rr_refused("FREQ=WEEKLY;COUNT", "at character 13: expected NAME=VALUE");
    rr_refused("FREQ=WEEKLY;=4", "at character 13: expected NAME=VALUE");
    rr_refused("FREQ=WEEKLY,COUNT=4", "FREQ: expected DAILY or WEEKLY");
    rr_refused("FREQ=WEEKLY;COUNT=4=5", "COUNT: must be 1 to 52");
}

Test(rrule_refuse, garbage)
{
    rr_refused("garbage", "at character 1: expected NAME=VALUE");
    rr_refused("{}", "at character 1: expected NAME=VALUE");
    rr_refused("FREQ=WEEKLY;COUNT=4\x01", "at character 20: unexpected byte 0x01");
    rr_refused("FREQ=WEEKLY;COUNT=4\x7f", "at character 20: unexpected byte 0x7F");
    rr_refused("FR\xc3\xa9Q=WEEKLY;COUNT=4", "at character 3: unexpected byte 0xC3");
    rr_refused("FREQ=WEEKLY;COUNT=4;\xff\xfe", "at character 21: unexpected byte 0xFF");
    rr_refused("RRULE", "at character 1: expected NAME=VALUE");
    rr_refused("=", "at character 1: expected NAME=VALUE");
    rr_refused(";", "at character 1: empty part");
    rr_refused("RRULE:;", "at character 7: empty part");
    rr_refused("%s%n%x", "at character 1: expected NAME=VALUE");
    rr_refused("%s=1", "%s: unknown part");
}

/* ---- Calendar arithmetic against a naive walk ---- */

static bool rr_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static struct rrule_date rr_next_day(struct rrule_date d)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = d.month == 2 && rr_leap(d.year) ? 29 : len[d.month - 1];
    if (++d.day > last) {
        d.day = 1;
        if (++d.month > 12) {
            d.month = 1;
            d.year++;
        }
    }
    return d;
}

static struct rrule_date rr_add_days(struct rrule_date d, int n)
{
    while (n-- > 0)
        d = rr_next_day(d);
    return d;
}

static bool rr_same(struct rrule_date a, struct rrule_date b)
{
    return a.year == b.year && a.month == b.month && a.day == b.day;
}

/* 0 for Monday .. 6 for Sunday (Sakamoto's method). */
static int rr_weekday(struct rrule_date d)
{
    static const int t[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    int y = d.year - (d.month < 3);
    int sunday_first = (y + y / 4 - y / 100 + y / 400 + t[d.month - 1] + d.day) % 7;
    return (sunday_first + 6) % 7;
}

Test(rrule_calendar, matches_a_naive_walk)
{
    static const char *const codes[7] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    struct rrule_date out[RRULE_MAX_OCCURRENCES];
    int checked = 0;
    /* Every 97th day from 1 Jan 1583 to the 9900s: a spread of months, leap days, centuries. */
    for (struct rrule_date s = {1583, 1, 1}; s.year < 9900; s = rr_add_days(s, 97), checked++) {
        char rule[64];
        int interval = 1 + checked % 52;
        snprintf(rule, sizeof rule, "FREQ=DAILY;INTERVAL=%d;COUNT=52", interval);
        cr_assert_eq(rr_ok(rule, s, out), 52);
        struct rrule_date want = s;
        for (int i = 0; i < 52; i++, want = rr_add_days(want, interval))
            cr_assert(rr_same(out[i], want), "%s from %04d-%02d-%02d #%d", rule, s.year, s.month,
                      s.day, i);
        /* BYDAY with the weekday of the start alone must be accepted; the day before not. */
        int wd = rr_weekday(s);
        snprintf(rule, sizeof rule, "FREQ=WEEKLY;BYDAY=%s;COUNT=3", codes[wd]);
        cr_assert_eq(rr_ok(rule, s, out), 3, "%s", rule);
        cr_assert(rr_same(out[2], rr_add_days(s, 14)), "%s", rule);
        snprintf(rule, sizeof rule, "FREQ=WEEKLY;BYDAY=%s;COUNT=3", codes[(wd + 6) % 7]);
        rr_refused_from(rule, s, "BYDAY: must include", false);
    }
    cr_expect_gt(checked, 30000);
}

Test(rrule_calendar, weekly_byday_every_day_of_the_week)
{
    /* BYDAY with all seven days is daily; from every weekday of a week. */
    struct rrule_date out[RRULE_MAX_OCCURRENCES];
    for (int k = 0; k < 7; k++) {
        struct rrule_date s = rr_add_days(rr_date(2026, 12, 14), k);
        cr_assert_eq(rr_ok("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT=52", s, out), 52);
        struct rrule_date want = s;
        for (int i = 0; i < 52; i++, want = rr_next_day(want))
            cr_assert(rr_same(out[i], want), "from day %d, #%d", k, i);
    }
}

/* ---- Random and mutated input ---- */

static uint64_t rr_rand_state = 0x9e3779b97f4a7c15u;

static uint32_t rr_rand(void)
{
    rr_rand_state ^= rr_rand_state << 13;
    rr_rand_state ^= rr_rand_state >> 7;
    rr_rand_state ^= rr_rand_state << 17;
    return (uint32_t)(rr_rand_state >> 32);
}

/* Runs the rule from an exact-size heap copy (so ASan sees any read past the NUL) and
 * checks the contract whatever the outcome. */
static void rr_check_any(const char *bytes, size_t len, struct rrule_date start)
{
    char *rule = malloc(len + 1);
    cr_assert_not_null(rule);
    memcpy(rule, bytes, len);
    rule[len] = '\0';
    struct rrule_date out[RRULE_MAX_OCCURRENCES];
    char err[128];
    int count = -1;
    memset(err, 'x', sizeof err);
    rr_fill_sentinel(out);
    int rc = rrule_expand(rule, start, out, &count, err, sizeof err);
    if (rc == 0) {
        cr_assert(count >= 1 && count <= RRULE_MAX_OCCURRENCES, "\"%s\": count %d", rule, count);
        cr_assert(rr_same(out[0], start), "\"%s\": the start comes first", rule);
        for (int i = 1; i < count; i++) {
            cr_assert(out[i].year >= 1583 && out[i].year <= 9999 && out[i].month >= 1 &&
                          out[i].month <= 12 && out[i].day >= 1 && out[i].day <= 31,
                      "\"%s\" #%d", rule, i);
            cr_assert(out[i].year > out[i - 1].year ||
                          (out[i].year == out[i - 1].year &&
                           (out[i].month > out[i - 1].month ||
                            (out[i].month == out[i - 1].month && out[i].day > out[i - 1].day))),
                      "\"%s\" #%d ascending", rule, i);
        }
    } else {
        cr_assert_eq(rc, -1);
        cr_assert_eq(count, 0);
        cr_assert(rr_untouched(out));
        cr_assert_not_null(memchr(err, '\0', sizeof err), "reason NUL-terminated");
        cr_assert_gt(strlen(err), 5, "a reason: \"%s\"", err);
        cr_assert_null(strchr(err, '\n'));
    }
    free(rule);
}

static const char *const rr_seeds[] = {
    "FREQ=WEEKLY;COUNT=4",
    "RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4",
    "FREQ=WEEKLY;INTERVAL=2;COUNT=3;WKST=MO",
    "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20261218",
    "FREQ=DAILY;UNTIL=20261231T230000Z",
    "FREQ=DAILY;INTERVAL=3;BYDAY=TU,SA,SU;COUNT=52",
    "FREQ=WEEKLY;BYDAY=1MO;UNTIL=20270101T000000Z;COUNT=7",
};

static const char *const rr_tokens[] = {
    "FREQ",     "=",     "DAILY",       "WEEKLY", ";",        "COUNT",    "UNTIL",
    "INTERVAL", "BYDAY", "WKST",        "MO",     "TU",       "SU",       ",",
    "1",        "52",    "53",          "0",      "2026",     "20261231", "T",
    "230000",   "Z",     "+",           "-",      "RRULE:",   "BYMONTH",  "weekly",
    "\xff",     " ",     "99999999999", ":",      "20280229", "00000000",
};

static struct rrule_date rr_random_start(void)
{
    static const struct rrule_date starts[] = {{2026, 12, 8},  {2026, 12, 14}, {2028, 2, 29},
                                               {9999, 12, 20}, {1583, 1, 1},   {2026, 12, 13}};
    return starts[rr_rand() % (sizeof starts / sizeof starts[0])];
}

Test(rrule_fuzz, every_prefix_of_valid_rules)
{
    for (size_t k = 0; k < sizeof rr_seeds / sizeof rr_seeds[0]; k++)
        for (size_t len = 0; len <= strlen(rr_seeds[k]); len++)
            rr_check_any(rr_seeds[k], len, rr_date(2026, 12, 8));
}

Test(rrule_fuzz, random_bytes)
{
    char buf[1024] = "";
    for (int round = 0; round < 4000; round++) {
        size_t len = rr_rand() % (sizeof buf + 1);
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)(1 + rr_rand() % 255); /* a C string: no NUL inside */
        rr_check_any(buf, len, rr_random_start());
    }
}

Test(rrule_fuzz, random_tokens)
{
    char buf[1024] = "";
    int accepted = 0;
    for (int round = 0; round < 20000; round++) {
        size_t len = 0, want = rr_rand() % 80;
        while (len < want) {
            const char *t = rr_tokens[rr_rand() % (sizeof rr_tokens / sizeof rr_tokens[0])];
            size_t n = strlen(t);
            if (len + n > sizeof buf)
                break;
            memcpy(buf + len, t, n);
            len += n;
        }
        rr_check_any(buf, len, rr_random_start());
        /* Well-formed ones too: a seed with a random part appended. */
        int w = snprintf(buf, sizeof buf, "FREQ=%s;%s=%s", rr_rand() % 2 ? "DAILY" : "WEEKLY",
                         rr_rand() % 2 ? "COUNT" : "UNTIL",
                         rr_tokens[rr_rand() % (sizeof rr_tokens / sizeof rr_tokens[0])]);
        cr_assert(w > 0 && (size_t)w < sizeof buf);
        struct rrule_date out[RRULE_MAX_OCCURRENCES];
        int count;
        if (rrule_expand(buf, rr_date(2026, 12, 8), out, &count, NULL, 0) == 0)
            accepted++;
        rr_check_any(buf, (size_t)w, rr_date(2026, 12, 8));
    }
    cr_expect_gt(accepted, 100);
}

Test(rrule_fuzz, mutated_rules)
{
    char buf[1024 + 1] = "";
    for (int round = 0; round < 20000; round++) {
        const char *seed = rr_seeds[rr_rand() % (sizeof rr_seeds / sizeof rr_seeds[0])];
        size_t len = strlen(seed);
        memcpy(buf, seed, len);
        for (int m = 1 + (int)(rr_rand() % 4); m > 0; m--) {
            size_t at = len ? rr_rand() % len : 0;
            switch (rr_rand() % 5) {
            case 0: /* replace a byte */
                if (len)
                    buf[at] = (char)(1 + rr_rand() % 255);
                break;
            case 1: /* insert a byte */
                if (len < 1024) {
                    memmove(buf + at + 1, buf + at, len - at);
                    buf[at] = (char)(1 + rr_rand() % 127);
                    len++;
                }
                break;
            case 2: /* delete a byte */
                if (len) {
                    memmove(buf + at, buf + at + 1, len - at - 1);
                    len--;
                }
                break;
            case 3: /* cut */ len = at; break;
            default: /* repeat the tail up to 1 KB */
                while (len > at && len + (len - at) <= 1024) {
                    memcpy(buf + len, buf + at, len - at);
                    len += len - at;
                }
                break;
            }
        }
        rr_check_any(buf, len, rr_random_start());
    }
}
