/* iCalendar (RFC 5545) writer for GET /v1/calendar.ics: the campaign's
 * workshops as a calendar residents subscribe to. Pure: no database, no I/O;
 * the only allocation is the returned string, which the caller owns.
 *
 * Output (CRLF after every line, content lines folded at 75 octets with CRLF +
 * one space, never inside a UTF-8 sequence nor inside a backslash escape):
 *
 *   BEGIN:VCALENDAR
 *   VERSION:2.0 / PRODID:-//inclusion-api//Gers//FR / CALSCALE:GREGORIAN /
 *   METHOD:PUBLISH / X-WR-CALNAME:<name> (omitted when name is NULL or "") /
 *   X-WR-TIMEZONE:Europe/Paris
 *   a VTIMEZONE for Europe/Paris (always: RFC 5545 §3.6 wants at least one
 *   component, so a campaign without workshops is still a valid calendar)
 *   one VEVENT per event: UID, DTSTAMP, DTSTART, DTEND, SEQUENCE, SUMMARY,
 *   [DESCRIPTION], [LOCATION], [GEO], [URL], [CATEGORIES], STATUS, TRANSP:OPAQUE
 *   END:VCALENDAR
 *
 * Nothing is refused; the output is always a valid calendar:
 *   - an event whose uid or summary is NULL, or whose uid is empty once
 *     cleaned (below), is skipped; an empty summary gives "SUMMARY:";
 *   - text (name, uid, summary, description, location, categories) is escaped
 *     per §3.3.11 (\\ \; \, and newline as \n); CR, the other C0 controls
 *     except TAB, DEL and the C1 controls are dropped; a byte that is not part
 *     of well-formed UTF-8 becomes U+FFFD;
 *   - description and location are omitted when NULL or empty once cleaned,
 *     categories when NULL or holding no member left non-empty once cleaned
 *     (empty members are skipped); CATEGORIES is one comma-separated line;
 *   - url is a URI, not text: controls are dropped, bytes a URI cannot hold
 *     (space, "<>\^`{|}, non-ASCII) are percent-encoded; omitted when empty;
 *   - times are UTC (DTSTART:20261208T080000Z), clamped to years 0001..9999;
 *     DTEND is omitted when it would not be later than DTSTART (§3.6.1: the
 *     event then ends when it starts);
 *   - GEO (6 decimals, "43.646500;0.586800", locale-independent) is omitted
 *     when has_geo is false or a coordinate is not finite or out of range;
 *   - SEQUENCE is clamped to 0..2147483647. */
#ifndef ICAL_H
#define ICAL_H

#include <stdbool.h>
#include <stddef.h>

struct ical_event {
    const char *uid;         /* stable, e.g. "<workshop uuid>@inclusion-api.gers" */
    const char *summary;     /* title */
    const char *description; /* may be NULL */
    const char *location;    /* place name, address, commune; may be NULL */
    double latitude, longitude;
    bool has_geo;
    long long starts_utc, ends_utc; /* Unix seconds */
    long long stamp_utc;            /* DTSTAMP (e.g. the row's updated_at) */
    long long sequence;             /* SEQUENCE, increases when the event changes */
    bool cancelled;                 /* STATUS:CANCELLED, else STATUS:CONFIRMED */
    const char *url;                /* may be NULL */
    const char *const *categories;  /* NULL-terminated, may be NULL (theme, audiences) */
};

/* The calendar of `count` events (events may be NULL when count is 0). The
 * strings are borrowed for the call only. Returns a NUL-terminated string the
 * caller frees, its length (without the NUL) in *len; NULL with *len = 0 only
 * when memory runs out. */
char *ical_calendar(const char *name, const struct ical_event *events, size_t count, size_t *len);

#endif
