/* Calendar dates of the indicators' periods. */
#include "dates.h"

#include <stdio.h>
#include <string.h>

bool dates_parse(const char *s, long *days)
{
    int y, m, d, n = 0;
    for (int i = 0; i < 10; i++)
        if (!s[i] || (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9'))
            return false;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        s[4] != '-' || s[7] != '-' || y < 2000 || y > 2100)
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    time_t t = timegm(&tm);
    if (tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
        return false; /* normalised: 2026-02-30 is not a date */
    *days = (long)(t / 86400);
    return true;
}

void dates_format(long days, char out[11])
{
    time_t t = (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* 01:00 UTC on the last Sunday of a month (0-based) of a year: when Europe
 * changes clocks (March and October). */
static time_t last_sunday_1am(int year, int month)
{
    struct tm tm = {.tm_year = year - 1900, .tm_mon = month + 1, .tm_mday = 0, .tm_hour = 1};
    time_t last_day = timegm(&tm); /* day 0 of the next month: the last of this one */
    return last_day - (time_t)tm.tm_wday * 86400;
}

long dates_paris_day(time_t now)
{
    struct tm utc;
    gmtime_r(&now, &utc);
    int year = utc.tm_year + 1900;
    bool summer = now >= last_sunday_1am(year, 2) && now < last_sunday_1am(year, 9);
    return (long)((now + (summer ? 7200 : 3600)) / 86400);
}
