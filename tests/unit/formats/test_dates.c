/* Dates of the indicators' periods: parsing, formatting, today in Paris. */
#include "dates.h"

#include <criterion/criterion.h>

Test(dates, real_dates_parse_and_format_back)
{
    const char *good[] = {"2000-01-01", "2024-02-29", "2026-12-31", "2100-12-31"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        long days = -1;
        cr_assert(dates_parse(good[i], &days), "%s", good[i]);
        char back[11];
        dates_format(days, back);
        cr_expect_str_eq(back, good[i]);
    }
    long days = 0;
    cr_assert(dates_parse("1970-01-02", &days) == false, "before 2000 is refused");
    cr_assert(dates_parse("2026-01-01", &days));
    cr_expect_eq(days, 20454, "2026-01-01 is day 20454 of the epoch");
}

Test(dates, anything_else_is_refused)
{
    const char *bad[] = {"2026-02-30",       "2025-02-29", "2026-13-01", "2026-00-10",
                         "2026-2-03",        "2026-02-3",  "2026-+2-03", " 2026-02-03",
                         "2026-02-03T00:00", "2026/02/03", "",           "20260203",
                         "2101-01-01",       "1999-12-31"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long days = 42;
        cr_expect_not(dates_parse(bad[i], &days), "\"%s\" must be refused", bad[i]);
    }
}

/* The date in Paris changes at 23:00 UTC in winter and 22:00 UTC in summer;
 * summer time starts and ends at 01:00 UTC on the last Sundays of March and
 * October (29 March and 25 October in 2026). */
Test(dates, today_in_paris_follows_summer_time)
{
    struct {
        const char *utc; /* YYYY-MM-DD HH:MM */
        const char *paris_day;
    } cases[] = {
        {"2026-01-15 22:59", "2026-01-15"}, {"2026-01-15 23:00", "2026-01-16"},
        {"2026-07-15 21:59", "2026-07-15"}, {"2026-07-15 22:00", "2026-07-16"},
        {"2026-03-29 00:59", "2026-03-29"}, /* 01:59 in Paris, winter time */
        {"2026-03-28 22:30", "2026-03-28"}, /* 23:30 winter time */
        {"2026-10-24 22:30", "2026-10-25"}, /* 00:30 summer time */
        {"2026-10-25 23:30", "2026-10-26"}, /* 00:30 winter time */
        {"2026-10-25 22:30", "2026-10-25"}, /* 23:30 winter time, after the change */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tm tm = {0};
        cr_assert(strptime(cases[i].utc, "%Y-%m-%d %H:%M", &tm));
        char day[11];
        dates_format(dates_paris_day(timegm(&tm)), day);
        cr_expect_str_eq(day, cases[i].paris_day, "%s UTC", cases[i].utc);
    }
}
