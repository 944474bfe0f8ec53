#include "ical.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ICAL_FOLD_OCTETS 75               /* per physical line, CRLF excluded */
#define ICAL_MIN_UTC     (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define ICAL_MAX_UTC     253402300799LL   /* 9999-12-31T23:59:59Z */
#define ICAL_MAX_SEQ     2147483647LL     /* INTEGER is 32-bit signed (§3.3.8) */
#define ICAL_REPLACEMENT "\xEF\xBF\xBD"   /* U+FFFD */

/* A growable, always NUL-terminated byte buffer; failed sticks after an
 * allocation failure and turns every later append into a no-op. */
struct ical_buf {
    char *data;
    size_t len, cap;
    bool failed;
};

/* The calendar being written and the logical line being assembled (value_at:
 * where the value starts in line, after "NAME:"). */
struct ical_writer {
    struct ical_buf out, line;
    size_t value_at;
};

static const char *const ical_vtimezone[] = {
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19810329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19961027T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
};

static void ical_buf_put(struct ical_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (n > SIZE_MAX / 2 - b->len) {
        b->failed = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void ical_buf_puts(struct ical_buf *b, const char *s)
{
    ical_buf_put(b, s, strlen(s));
}

static void ical_buf_truncate(struct ical_buf *b, size_t len)
{
    if (!b->failed && len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

/* The length of the well-formed UTF-8 sequence (RFC 3629) of 2..4 bytes at s,
 * or 0: no overlongs, no surrogates, nothing above U+10FFFF. */
static size_t ical_utf8_sequence(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (avail < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

/* Appends text as an RFC 5545 TEXT value (§3.3.11), dropping what iCalendar
 * cannot carry and replacing ill-formed UTF-8 (see ical.h). */
static void ical_put_text(struct ical_buf *b, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            if (c == '\\' || c == ';' || c == ',') {
                char pair[2] = {'\\', (char)c};
                ical_buf_put(b, pair, 2);
            } else if (c == '\n') {
                ical_buf_put(b, "\\n", 2);
            } else if (c == '\t' || (c >= 0x20 && c != 0x7F)) {
                ical_buf_put(b, text + i - 1, 1);
            }
            continue;
        }
        size_t k = ical_utf8_sequence(s + i, n - i);
        if (k == 0) {
            ical_buf_puts(b, ICAL_REPLACEMENT);
            i++;
        } else {
            if (!(k == 2 && c == 0xC2 && s[i + 1] < 0xA0)) /* C1 controls are dropped */
                ical_buf_put(b, text + i, k);
            i += k;
        }
    }
}

/* Appends a URI value: controls dropped, bytes outside the URI character set
 * (RFC 3986 unreserved, reserved and "%") percent-encoded. */
static void ical_put_uri(struct ical_buf *b, const char *uri)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *s = (const unsigned char *)uri; *s; s++) {
        unsigned char c = *s;
        if (c < 0x20 || c == 0x7F)
            continue;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            (c < 0x80 && strchr("-._~:/?#[]@!$&'()*+,;=%", c))) {
            char one = (char)c;
            ical_buf_put(b, &one, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 0xF]};
            ical_buf_put(b, esc, 3);
        }
    }
}

/* Octets from s[i] that must stay on one physical line: a backslash escape, a
 * UTF-8 sequence (the text is well-formed by now), or a single byte. */
static size_t ical_fold_unit(const char *s, size_t i, size_t n)
{
    unsigned char c = (unsigned char)s[i];
    size_t unit = 1;
    if (c == '\\')
        unit = 2;
    else if (c >= 0xF0)
        unit = 4;
    else if (c >= 0xE0)
        unit = 3;
    else if (c >= 0xC0)
        unit = 2;
    return unit < n - i ? unit : n - i;
}

/* Appends a logical line folded at ICAL_FOLD_OCTETS, then CRLF. */
static void ical_fold(struct ical_buf *out, const char *s, size_t n)
{
    size_t i = 0, used = 0;
    while (i < n) {
        size_t start = i;
        while (i < n) {
            size_t unit = ical_fold_unit(s, i, n);
            if (used + unit > ICAL_FOLD_OCTETS)
                break;
            used += unit;
            i += unit;
        }
        ical_buf_put(out, s + start, i - start);
        if (i < n) {
            ical_buf_put(out, "\r\n ", 3);
            used = 1;
        }
    }
    ical_buf_put(out, "\r\n", 2);
}

static void ical_line_start(struct ical_writer *w, const char *name)
{
    ical_buf_truncate(&w->line, 0);
    ical_buf_puts(&w->line, name);
    ical_buf_put(&w->line, ":", 1);
    w->value_at = w->line.len;
}

static bool ical_line_has_value(const struct ical_writer *w)
{
    return w->line.len > w->value_at;
}

static void ical_line_emit(struct ical_writer *w)
{
    if (!w->line.failed)
        ical_fold(&w->out, w->line.data, w->line.len);
    else
        w->out.failed = true;
}

/* A constant line, or NAME:value with value taken as is. */
static void ical_emit_raw(struct ical_writer *w, const char *name, const char *value)
{
    if (value) {
        ical_line_start(w, name);
        ical_buf_puts(&w->line, value);
    } else {
        ical_buf_truncate(&w->line, 0);
        ical_buf_puts(&w->line, name);
    }
    ical_line_emit(w);
}

/* NAME:<escaped text>, left out when the escaped value is empty. Returns
 * whether the line was written. */
static bool ical_emit_text(struct ical_writer *w, const char *name, const char *text)
{
    if (!text)
        return false;
    ical_line_start(w, name);
    ical_put_text(&w->line, text);
    if (!ical_line_has_value(w))
        return false;
    ical_line_emit(w);
    return true;
}

static long long ical_clamp(long long v, long long lo, long long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* v (0 <= v < 10^width) as `width` decimal digits at out. */
static void ical_put_digits(char *out, long long v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
}

/* Unix seconds (already clamped to years 1..9999) as 20261208T080000Z in out. */
static void ical_format_utc(long long t, char out[17])
{
    long long days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    /* civil_from_days (H. Hinnant): proleptic Gregorian, March-based years. */
    long long z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long day = doy - (153 * mp + 2) / 5 + 1;
    long long month = mp < 10 ? mp + 3 : mp - 9;
    long long year = yoe + era * 400 + (month <= 2);
    ical_put_digits(out, year, 4);
    ical_put_digits(out + 4, month, 2);
    ical_put_digits(out + 6, day, 2);
    out[8] = 'T';
    ical_put_digits(out + 9, secs / 3600, 2);
    ical_put_digits(out + 11, secs / 60 % 60, 2);
    ical_put_digits(out + 13, secs % 60, 2);
    out[15] = 'Z';
    out[16] = '\0';
}

static void ical_emit_time(struct ical_writer *w, const char *name, long long t)
{
    char stamp[17];
    ical_format_utc(t, stamp);
    ical_emit_raw(w, name, stamp);
}

/* Degrees with 6 decimals, rounded half away from zero, whatever the locale. */
static void ical_put_degrees(struct ical_buf *b, double degrees)
{
    double scaled = degrees * 1e6;
    long long micro = (long long)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
    unsigned long long mag = micro < 0 ? (unsigned long long)-micro : (unsigned long long)micro;
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%s%llu.%06llu", micro < 0 ? "-" : "", mag / 1000000, mag % 1000000);
    ical_buf_puts(b, tmp);
}

static void ical_emit_geo(struct ical_writer *w, const struct ical_event *e)
{
    /* Written so that NaN fails the range checks too. */
    if (!e->has_geo || !(e->latitude >= -90.0 && e->latitude <= 90.0) ||
        !(e->longitude >= -180.0 && e->longitude <= 180.0))
        return;
    ical_line_start(w, "GEO");
    ical_put_degrees(&w->line, e->latitude);
    ical_buf_put(&w->line, ";", 1);
    ical_put_degrees(&w->line, e->longitude);
    ical_line_emit(w);
}

static void ical_emit_categories(struct ical_writer *w, const char *const *categories)
{
    if (!categories)
        return;
    ical_line_start(w, "CATEGORIES");
    for (const char *const *c = categories; *c; c++) {
        size_t mark = w->line.len;
        if (ical_line_has_value(w))
            ical_buf_put(&w->line, ",", 1);
        size_t before = w->line.len;
        ical_put_text(&w->line, *c);
        if (w->line.len == before) /* empty once cleaned: no empty member */
            ical_buf_truncate(&w->line, mark);
    }
    if (ical_line_has_value(w))
        ical_line_emit(w);
}

static void ical_emit_event(struct ical_writer *w, const struct ical_event *e)
{
    if (!e->uid || !e->summary)
        return;
    size_t mark = w->out.len;
    ical_emit_raw(w, "BEGIN:VEVENT", NULL);
    if (!ical_emit_text(w, "UID", e->uid)) {
        ical_buf_truncate(&w->out, mark);
        return;
    }
    long long starts = ical_clamp(e->starts_utc, ICAL_MIN_UTC, ICAL_MAX_UTC);
    long long ends = ical_clamp(e->ends_utc, ICAL_MIN_UTC, ICAL_MAX_UTC);
    ical_emit_time(w, "DTSTAMP", ical_clamp(e->stamp_utc, ICAL_MIN_UTC, ICAL_MAX_UTC));
    ical_emit_time(w, "DTSTART", starts);
    if (ends > starts)
        ical_emit_time(w, "DTEND", ends);
    char seq[32];
    snprintf(seq, sizeof seq, "%lld", ical_clamp(e->sequence, 0, ICAL_MAX_SEQ));
    ical_emit_raw(w, "SEQUENCE", seq);
    if (!ical_emit_text(w, "SUMMARY", e->summary))
        ical_emit_raw(w, "SUMMARY:", NULL); /* the property is required, even empty */
    ical_emit_text(w, "DESCRIPTION", e->description);
    ical_emit_text(w, "LOCATION", e->location);
    ical_emit_geo(w, e);
    if (e->url) {
        ical_line_start(w, "URL");
        ical_put_uri(&w->line, e->url);
        if (ical_line_has_value(w))
            ical_line_emit(w);
    }
    ical_emit_categories(w, e->categories);
    ical_emit_raw(w, "STATUS", e->cancelled ? "CANCELLED" : "CONFIRMED");
    ical_emit_raw(w, "TRANSP", "OPAQUE");
    ical_emit_raw(w, "END:VEVENT", NULL);
}

char *ical_calendar(const char *name, const struct ical_event *events, size_t count, size_t *len)
{
    struct ical_writer w = {0};
    ical_emit_raw(&w, "BEGIN:VCALENDAR", NULL);
    ical_emit_raw(&w, "VERSION", "2.0");
    ical_emit_raw(&w, "PRODID", "-//inclusion-api//Gers//FR");
    ical_emit_raw(&w, "CALSCALE", "GREGORIAN");
    ical_emit_raw(&w, "METHOD", "PUBLISH");
    ical_emit_text(&w, "X-WR-CALNAME", name);
    ical_emit_raw(&w, "X-WR-TIMEZONE", "Europe/Paris");
    for (size_t i = 0; i < sizeof ical_vtimezone / sizeof *ical_vtimezone; i++)
        ical_emit_raw(&w, ical_vtimezone[i], NULL);
    for (size_t i = 0; events && i < count; i++)
        ical_emit_event(&w, &events[i]);
    ical_emit_raw(&w, "END:VCALENDAR", NULL);
    free(w.line.data);
    if (w.out.failed || w.line.failed) {
        free(w.out.data);
        *len = 0;
        return NULL;
    }
    *len = w.out.len;
    return w.out.data;
}
