/* Calendar dates as the indicators take them (YYYY-MM-DD, Europe/Paris).
 * Pure: no allocation, no global state. */
#ifndef DATES_H
#define DATES_H

#include <stdbool.h>
#include <time.h>

/* A real calendar date YYYY-MM-DD of 2000..2100 into *days (days since
 * 1970-01-01); false otherwise (2026-02-30, 2026-2-3, 2026-02-03T00:00). */
bool dates_parse(const char *s, long *days);

/* Writes YYYY-MM-DD of `days` into out. */
void dates_format(long days, char out[11]);

/* The date in Europe/Paris at `now` (UTC+1; UTC+2 from 01:00 UTC on the last
 * Sunday of March to 01:00 UTC on the last Sunday of October). */
long dates_paris_day(time_t now);

#endif
