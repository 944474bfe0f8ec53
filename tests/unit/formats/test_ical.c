/* The iCalendar writer, read back by a strict little RFC 5545 reader kept here:
 * CRLF everywhere, physical lines of at most 75 octets, each valid UTF-8,
 * continuations starting with one space, BEGIN/END nesting, the properties a
 * VEVENT needs exactly once, values that unescape back to what went in. */
#include "ical.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ICAL_T_FOLD 75
#define ICAL_T_FFFD "\xEF\xBF\xBD"

/* A calendar as read back: logical (unfolded) lines, the physical lines, and
 * for each logical line the index of its first physical line. */
struct ical_t_doc {
    char **logical;
    size_t *first;
    size_t count;
    char **physical;
    size_t physical_count;
    char err[512];
};

/* ---- small growable things ---------------------------------------------- */

struct ical_t_str {
    char *p;
    size_t n, cap;
};

static void ical_t_str_add(struct ical_t_str *s, const char *bytes, size_t n)
{
    if (s->n + n + 1 > s->cap) {
        s->cap = (s->n + n + 1) * 2;
        s->p = realloc(s->p, s->cap);
        cr_assert_not_null(s->p);
    }
    memcpy(s->p + s->n, bytes, n);
    s->n += n;
    s->p[s->n] = '\0';
}

static void ical_t_str_adds(struct ical_t_str *s, const char *text)
{
    ical_t_str_add(s, text, strlen(text));
}

static void ical_t_push(char ***arr, size_t *n, char *item)
{
    *arr = realloc(*arr, (*n + 1) * sizeof **arr);
    cr_assert_not_null(*arr);
    (*arr)[(*n)++] = item;
}

static void ical_t_free_list(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

static void ical_t_doc_free(struct ical_t_doc *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->logical[i]);
    for (size_t i = 0; i < d->physical_count; i++)
        free(d->physical[i]);
    free(d->logical);
    free(d->physical);
    free(d->first);
    memset(d, 0, sizeof *d);
}

__attribute__((format(printf, 2, 3))) static bool ical_t_fail(struct ical_t_doc *d, const char *fmt,
                                                              ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof d->err, fmt, ap);
    va_end(ap);
    return false;
}

/* ---- the reader ---------------------------------------------------------- */

/* Well-formed UTF-8 without C1 controls (the writer drops them). */
static bool ical_t_utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) {
            k = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (i + k > n)
            return false;
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp <= 0x9F)
            return false;
        i += k;
    }
    return true;
}

/* One TEXT value (list: one member of a comma-separated list) from *pv, escapes
 * undone; NULL on an unknown escape or a bare ";" (or bare "," outside a list). */
static char *ical_t_unescape_part(const char **pv, bool list)
{
    struct ical_t_str out = {0};
    ical_t_str_add(&out, "", 0);
    const char *v = *pv;
    for (; *v; v++) {
        if (*v == '\\') {
            v++;
            char c = *v == 'n' || *v == 'N' ? '\n' : *v;
            if (c != '\n' && c != '\\' && c != ';' && c != ',') {
                free(out.p);
                return NULL;
            }
            ical_t_str_add(&out, &c, 1);
        } else if (*v == ',' && list) {
            break;
        } else if (*v == ';' || *v == ',') {
            free(out.p);
            return NULL;
        } else {
            ical_t_str_add(&out, v, 1);
        }
    }
    *pv = v;
    return out.p;
}

static char *ical_t_unescape(const char *v)
{
    return ical_t_unescape_part(&v, false);
}

/* The members of a CATEGORIES value, NULL-terminated; NULL when malformed. */
static char **ical_t_split(const char *v)
{
    char **members = NULL;
    size_t n = 0;
    for (;;) {
        char *m = ical_t_unescape_part(&v, true);
        if (!m) {
            ical_t_push(&members, &n, NULL);
            ical_t_free_list(members);
            return NULL;
        }
        ical_t_push(&members, &n, m);
        if (*v != ',')
            break;
        v++;
    }
    ical_t_push(&members, &n, NULL);
    return members;
}

static bool ical_t_time_ok(const char *v)
{
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(v) != 16 || v[8] != 'T' || v[15] != 'Z')
        return false;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (v[i] < '0' || v[i] > '9'))
            return false;
    int y, mo, d, h, mi, s;
    if (sscanf(v, "%4d%2d%2dT%2d%2d%2d", &y, &mo, &d, &h, &mi, &s) != 6)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1] || (mo == 2 && d == 29 && !leap))
        return false;
    return h < 24 && mi < 60 && s < 60;
}

static bool ical_t_degrees_ok(const char **pv, double limit)
{
    const char *v = *pv;
    if (*v == '-')
        v++;
    const char *digits = v;
    while (*v >= '0' && *v <= '9')
        v++;
    if (v == digits || *v != '.')
        return false;
    for (int i = 1; i <= 6; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    if (fabs(strtod(*pv, NULL)) > limit)
        return false;
    *pv = v + 7;
    return true;
}

static bool ical_t_geo_ok(const char *v)
{
    return ical_t_degrees_ok(&v, 90) && *v++ == ';' && ical_t_degrees_ok(&v, 180) && !*v;
}

static bool ical_t_uri_ok(const char *v)
{
    if (!*v)
        return false;
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c < 0x80 && strchr("-._~:/?#[]@!$&'()*+,;=%", c))))
            return false;
    }
    return true;
}

/* Checks a VEVENT property value (name known to be one the writer emits). */
static bool ical_t_event_value_ok(const char *name, const char *value)
{
    if (!strcmp(name, "DTSTAMP") || !strcmp(name, "DTSTART") || !strcmp(name, "DTEND"))
        return ical_t_time_ok(value);
    if (!strcmp(name, "SEQUENCE"))
        return value[0] && strspn(value, "0123456789") == strlen(value) && strlen(value) <= 10;
    if (!strcmp(name, "STATUS"))
        return !strcmp(value, "CONFIRMED") || !strcmp(value, "CANCELLED");
    if (!strcmp(name, "TRANSP"))
        return !strcmp(value, "OPAQUE");
    if (!strcmp(name, "GEO"))
        return ical_t_geo_ok(value);
    if (!strcmp(name, "URL"))
        return ical_t_uri_ok(value);
    if (!strcmp(name, "CATEGORIES")) {
        char **members = ical_t_split(value);
        bool ok = members != NULL;
        for (size_t i = 0; ok && members[i]; i++)
            ok = members[i][0] != '\0';
        ical_t_free_list(members);
        return ok;
    }
    char *text = ical_t_unescape(value); /* UID, SUMMARY, DESCRIPTION, LOCATION */
    bool ok = text != NULL && (strcmp(name, "UID") || text[0]);
    free(text);
    return ok;
}

/* The VEVENT properties: the first four always exactly once, DTEND too when
 * required, the others at most once. */
static const char *const ical_t_event_props[] = {
    "UID",    "DTSTAMP",  "DTSTART", "SUMMARY", "DTEND",       "SEQUENCE",   "STATUS",
    "TRANSP", "LOCATION", "GEO",     "URL",     "DESCRIPTION", "CATEGORIES",
};
#define ICAL_T_NPROPS (sizeof ical_t_event_props / sizeof *ical_t_event_props)

static bool ical_t_end_event(struct ical_t_doc *d, size_t at, const size_t *counts,
                             const char *dtstart, const char *dtend, bool require_dtend)
{
    for (size_t p = 0; p < ICAL_T_NPROPS; p++) {
        size_t required = p < 4 || (p == 4 && require_dtend);
        if (counts[p] > 1 || counts[p] < required)
            return ical_t_fail(d, "VEVENT ending at line %zu has %s %zu times", at + 1,
                               ical_t_event_props[p], counts[p]);
    }
    if (dtend && strcmp(dtend, dtstart) <= 0)
        return ical_t_fail(d, "VEVENT ending at line %zu: DTEND %s not after DTSTART %s", at + 1,
                           dtend, dtstart);
    return true;
}

static bool ical_t_structure(struct ical_t_doc *d, bool require_dtend)
{
    const char *stack[8];
    size_t depth = 0, components = 0, version = 0, prodid = 0, counts[ICAL_T_NPROPS] = {0};
    const char *dtstart = NULL, *dtend = NULL;
    for (size_t i = 0; i < d->count; i++) {
        const char *line = d->logical[i], *colon = strchr(line, ':');
        size_t nlen = (size_t)(colon - line);
        const char *value = colon + 1;
        const char *parent = depth ? stack[depth - 1] : "";
        if (!strncmp(line, "BEGIN:", 6)) {
            bool allowed = (depth == 0 && i == 0 && !strcmp(value, "VCALENDAR")) ||
                           (!strcmp(parent, "VCALENDAR") &&
                            (!strcmp(value, "VEVENT") || !strcmp(value, "VTIMEZONE"))) ||
                           (!strcmp(parent, "VTIMEZONE") &&
                            (!strcmp(value, "STANDARD") || !strcmp(value, "DAYLIGHT")));
            if (!allowed)
                return ical_t_fail(d, "line %zu: %s inside \"%s\"", i + 1, line, parent);
            stack[depth++] = value;
            components += depth == 2;
            if (!strcmp(value, "VEVENT")) {
                memset(counts, 0, sizeof counts);
                dtstart = dtend = NULL;
            }
        } else if (!strncmp(line, "END:", 4)) {
            if (!depth || strcmp(parent, value))
                return ical_t_fail(d, "line %zu: %s closes \"%s\"", i + 1, line, parent);
            if (!strcmp(value, "VEVENT") &&
                !ical_t_end_event(d, i, counts, dtstart, dtend, require_dtend))
                return false;
            if (--depth == 0 && i + 1 != d->count)
                return ical_t_fail(d, "line %zu: content after END:VCALENDAR", i + 2);
        } else if (!depth) {
            return ical_t_fail(d, "line %zu: %s outside any component", i + 1, line);
        } else if (!strcmp(parent, "VCALENDAR")) {
            if (!strncmp(line, "VERSION:", 8) && (version++ || strcmp(value, "2.0")))
                return ical_t_fail(d, "line %zu: %s", i + 1, line);
            if (!strncmp(line, "PRODID:", 7) && prodid++)
                return ical_t_fail(d, "line %zu: second PRODID", i + 1);
            char *text = strncmp(line, "X-WR-CALNAME:", 13) ? NULL : ical_t_unescape(value);
            if (!strncmp(line, "X-WR-CALNAME:", 13) && !text)
                return ical_t_fail(d, "line %zu: bad text %s", i + 1, line);
            free(text);
        } else if (!strcmp(parent, "VEVENT")) {
            size_t p = 0;
            while (p < ICAL_T_NPROPS && (strlen(ical_t_event_props[p]) != nlen ||
                                         strncmp(line, ical_t_event_props[p], nlen)))
                p++;
            if (p == ICAL_T_NPROPS)
                return ical_t_fail(d, "line %zu: unexpected property %s", i + 1, line);
            if (!ical_t_event_value_ok(ical_t_event_props[p], value))
                return ical_t_fail(d, "line %zu: bad value %s", i + 1, line);
            counts[p]++;
            if (p == 2)
                dtstart = value;
            if (p == 4)
                dtend = value;
        }
    }
    if (depth)
        return ical_t_fail(d, "%zu components left open", depth);
    if (version != 1 || prodid != 1 || components == 0)
        return ical_t_fail(d, "VERSION %zu, PRODID %zu, components %zu", version, prodid,
                           components);
    return true;
}

/* Reads text (len octets) into d; false with a reason in d->err. */
static bool ical_t_read(const char *text, size_t len, bool require_dtend, struct ical_t_doc *d)
{
    memset(d, 0, sizeof *d);
    if (strlen(text) != len)
        return ical_t_fail(d, "length %zu but a NUL at %zu", len, strlen(text));
    size_t pos = 0;
    while (pos < len) {
        size_t line_no = d->physical_count + 1;
        const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
        if (!nl)
            return ical_t_fail(d, "physical line %zu does not end with CRLF", line_no);
        if (nl == p || nl[-1] != '\r')
            return ical_t_fail(d, "physical line %zu ends with a bare LF", line_no);
        size_t n = (size_t)(nl - p) - 1;
        if (memchr(p, '\r', n))
            return ical_t_fail(d, "physical line %zu holds a bare CR", line_no);
        if (n == 0 || n > ICAL_T_FOLD)
            return ical_t_fail(d, "physical line %zu is %zu octets", line_no, n);
        if (!ical_t_utf8_ok((const unsigned char *)p, n))
            return ical_t_fail(d, "physical line %zu is not valid UTF-8", line_no);
        for (size_t i = 0; i < n; i++)
            if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7F)
                return ical_t_fail(d, "physical line %zu holds control 0x%02x", line_no,
                                   (unsigned char)p[i]);
        ical_t_push(&d->physical, &d->physical_count, strndup(p, n));
        if (p[0] == ' ') {
            if (!d->count || n < 2)
                return ical_t_fail(d, "physical line %zu: stray continuation", line_no);
            struct ical_t_str s = {d->logical[d->count - 1], strlen(d->logical[d->count - 1]), 0};
            s.cap = s.n + 1;
            ical_t_str_add(&s, p + 1, n - 1);
            d->logical[d->count - 1] = s.p;
        } else if (p[0] == '\t') {
            return ical_t_fail(d, "physical line %zu: continuation with a tab", line_no);
        } else {
            ical_t_push(&d->logical, &d->count, strndup(p, n));
            d->first = realloc(d->first, d->count * sizeof *d->first);
            cr_assert_not_null(d->first);
            d->first[d->count - 1] = d->physical_count - 1;
        }
        pos = (size_t)(nl - text) + 1;
    }
    for (size_t i = 0; i < d->count; i++) {
        const char *line = d->logical[i];
        size_t name = strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
        if (name == 0 || line[name] != ':')
            return ical_t_fail(d, "content line %zu has no NAME: (%s)", i + 1, line);
    }
    if (!d->count)
        return ical_t_fail(d, "empty");
    return ical_t_structure(d, require_dtend);
}

/* The logical line index of property `name` in the n-th VEVENT (component
 * NULL: in the VCALENDAR itself), or SIZE_MAX. */
static size_t ical_t_find(const struct ical_t_doc *d, const char *component, size_t n,
                          const char *name)
{
    size_t depth = 0, seen = 0, nlen = strlen(name);
    bool inside = false;
    for (size_t i = 0; i < d->count; i++) {
        const char *line = d->logical[i];
        if (!strncmp(line, "BEGIN:", 6)) {
            depth++;
            if (component && depth == 2 && !strcmp(line + 6, component))
                inside = seen++ == n;
        } else if (!strncmp(line, "END:", 4)) {
            if (depth-- == 2)
                inside = false;
        } else if (!strncmp(line, name, nlen) && line[nlen] == ':' &&
                   (component ? inside : depth == 1)) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* The raw value of `name` in the n-th VEVENT, or NULL. */
static const char *ical_t_prop(const struct ical_t_doc *d, size_t n, const char *name)
{
    size_t i = ical_t_find(d, "VEVENT", n, name);
    return i == SIZE_MAX ? NULL : strchr(d->logical[i], ':') + 1;
}

static size_t ical_t_events(const struct ical_t_doc *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->count; i++)
        n += !strcmp(d->logical[i], "BEGIN:VEVENT");
    return n;
}

/* Asserts that the n-th VEVENT's TEXT property unescapes to want. */
static void ical_t_expect_text(const struct ical_t_doc *d, size_t n, const char *name,
                               const char *want)
{
    const char *raw = ical_t_prop(d, n, name);
    cr_assert_not_null(raw, "event %zu has no %s", n, name);
    char *got = ical_t_unescape(raw);
    cr_assert_not_null(got, "%s:%s", name, raw);
    cr_expect_str_eq(got, want, "%s", name);
    free(got);
}

/* Renders, asserts the result reads back as a valid calendar, returns the text. */
static char *ical_t_render(const char *name, const struct ical_event *events, size_t count,
                           bool require_dtend, struct ical_t_doc *d)
{
    size_t len = 12345;
    char *text = ical_calendar(name, events, count, &len);
    cr_assert_not_null(text);
    cr_assert_eq(len, strlen(text));
    bool ok = ical_t_read(text, len, require_dtend, d);
    cr_assert(ok, "invalid calendar: %s\n%s", d->err, text);
    return text;
}

static struct ical_event ical_t_event(const char *uid, const char *summary)
{
    struct ical_event e = {.uid = uid,
                           .summary = summary,
                           .starts_utc = 1796716800, /* 2026-12-08 08:00 UTC */
                           .ends_utc = 1796716800 + 7200,
                           .stamp_utc = 1796630400}; /* a day before */
    return e;
}

/* ---- the reader itself must refuse what is wrong ------------------------ */

#define ICAL_T_HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n"
#define ICAL_T_BODY                                                                                \
    "UID:a\r\nDTSTAMP:20261208T080000Z\r\nDTSTART:20261208T080000Z\r\n"                            \
    "DTEND:20261208T090000Z\r\n"
#define ICAL_T_TAIL "END:VEVENT\r\nEND:VCALENDAR\r\n"

static bool ical_t_reads(const char *text)
{
    struct ical_t_doc d;
    bool ok = ical_t_read(text, strlen(text), true, &d);
    ical_t_doc_free(&d);
    return ok;
}

/* A calendar whose SUMMARY content line is `octets` long, unfolded. */
static bool ical_t_reads_line_of(size_t octets)
{
    struct ical_t_str s = {0};
    ical_t_str_adds(&s, ICAL_T_HEAD ICAL_T_BODY "SUMMARY:");
    for (size_t i = 8; i < octets; i++)
        ical_t_str_adds(&s, "x");
    ical_t_str_adds(&s, "\r\n" ICAL_T_TAIL);
    bool ok = ical_t_reads(s.p);
    free(s.p);
    return ok;
}

Test(ical_reader, accepts_a_minimal_calendar_and_refuses_broken_ones)
{
    cr_assert(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\n" ICAL_T_TAIL));
    cr_expect(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:a\\, b\\; c\\\\ d\\n\r\n"
                                                   " e\r\n" ICAL_T_TAIL));
    /* line ends */
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\rt\r\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\n"
                                                       "END:VEVENT\r\nEND:VCALENDAR"));
    /* folding: 76 octets, a tab, a stray continuation, a split UTF-8 sequence */
    cr_expect(ical_t_reads_line_of(75));
    cr_expect_not(ical_t_reads_line_of(76));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\n\tt\r\n" ICAL_T_TAIL));
    cr_expect_not(
        ical_t_reads(" BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n" ICAL_T_BODY
                     "SUMMARY:s\r\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:caf\xC3\r\n \xA9\r\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:\x01\r\n" ICAL_T_TAIL));
    /* nesting and properties */
    cr_expect_not(
        ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\nEND:VEVENT\r\n"));
    cr_expect_not(
        ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\n" ICAL_T_TAIL "BEGIN:VCALENDAR\r\n"));
    cr_expect_not(ical_t_reads("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n"));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD
                               "DTSTAMP:20261208T080000Z\r\nDTSTART:20261208T080000Z\r\n"
                               "DTEND:20261208T090000Z\r\nSUMMARY:s\r\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD
                               "UID:a\r\nDTSTAMP:20261208T080000Z\r\n"
                               "DTSTART:20261208T080000Z\r\nSUMMARY:s\r\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\nSUMMARY:t\r\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD "UID:a\r\nDTSTAMP:20261208T080000Z\r\n"
                                           "DTSTART:20261208T080000Z\r\nDTEND:20261208T080000Z\r\n"
                                           "SUMMARY:s\r\n" ICAL_T_TAIL));
    /* values */
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:a\\x\r\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:a;b\r\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:a,b\r\n" ICAL_T_TAIL));
    cr_expect_not(
        ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\nGEO:43.6;0.5\r\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\nURL:a b\r\n" ICAL_T_TAIL));
    cr_expect_not(
        ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\nCATEGORIES:a,,b\r\n" ICAL_T_TAIL));
    cr_expect_not(ical_t_reads(ICAL_T_HEAD "UID:a\r\nDTSTAMP:20261308T080000Z\r\n"
                                           "DTSTART:20261208T080000Z\r\nDTEND:20261208T090000Z\r\n"
                                           "SUMMARY:s\r\n" ICAL_T_TAIL));
    cr_expect_not(
        ical_t_reads(ICAL_T_HEAD ICAL_T_BODY "SUMMARY:s\r\nSTATUS:MAYBE\r\n" ICAL_T_TAIL));
}

/* ---- the writer ---------------------------------------------------------- */

#define ICAL_T_VTIMEZONE                                                                           \
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"                                                     \
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"                  \
    "DTSTART:19810329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"        \
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"                   \
    "DTSTART:19961027T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"       \
    "END:VTIMEZONE\r\n"

Test(ical, one_event_renders_exactly)
{
    const char *const categories[] = {"Numérique", "Seniors", NULL};
    struct ical_event e =
        ical_t_event("0b6c4d1e@inclusion-api.gers", "Premiers pas sur le smartphone");
    e.description = "Apportez votre téléphone, chargé.";
    e.location = "France Services, Auch";
    e.latitude = 43.6465;
    e.longitude = 0.5868;
    e.has_geo = true;
    e.sequence = 2;
    e.url = "https://example.org/a?x=1&y=2";
    e.categories = categories;
    struct ical_t_doc d;
    char *text = ical_t_render("Ateliers numériques du Gers", &e, 1, true, &d);
    cr_expect_str_eq(text, "BEGIN:VCALENDAR\r\n"
                           "VERSION:2.0\r\n"
                           "PRODID:-//inclusion-api//Gers//FR\r\n"
                           "CALSCALE:GREGORIAN\r\n"
                           "METHOD:PUBLISH\r\n"
                           "X-WR-CALNAME:Ateliers numériques du Gers\r\n"
                           "X-WR-TIMEZONE:Europe/Paris\r\n" ICAL_T_VTIMEZONE "BEGIN:VEVENT\r\n"
                           "UID:0b6c4d1e@inclusion-api.gers\r\n"
                           "DTSTAMP:20261207T080000Z\r\n"
                           "DTSTART:20261208T080000Z\r\n"
                           "DTEND:20261208T100000Z\r\n"
                           "SEQUENCE:2\r\n"
                           "SUMMARY:Premiers pas sur le smartphone\r\n"
                           "DESCRIPTION:Apportez votre téléphone\\, chargé.\r\n"
                           "LOCATION:France Services\\, Auch\r\n"
                           "GEO:43.646500;0.586800\r\n"
                           "URL:https://example.org/a?x=1&y=2\r\n"
                           "CATEGORIES:Numérique,Seniors\r\n"
                           "STATUS:CONFIRMED\r\n"
                           "TRANSP:OPAQUE\r\n"
                           "END:VEVENT\r\n"
                           "END:VCALENDAR\r\n");
    cr_expect_eq(ical_t_events(&d), 1);
    free(text);
    ical_t_doc_free(&d);
}

Test(ical, zero_events_is_still_a_valid_calendar)
{
    struct ical_t_doc d;
    char *text = ical_t_render("Ateliers", NULL, 0, true, &d);
    cr_expect_str_eq(text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//inclusion-api//Gers//FR\r\n"
                           "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Ateliers\r\n"
                           "X-WR-TIMEZONE:Europe/Paris\r\n" ICAL_T_VTIMEZONE "END:VCALENDAR\r\n");
    cr_expect_eq(ical_t_events(&d), 0);
    free(text);
    ical_t_doc_free(&d);

    text = ical_t_render(NULL, NULL, 0, true, &d); /* no name: no X-WR-CALNAME */
    cr_expect_eq(ical_t_find(&d, NULL, 0, "X-WR-CALNAME"), SIZE_MAX);
    cr_expect_neq(ical_t_find(&d, NULL, 0, "X-WR-TIMEZONE"), SIZE_MAX);
    free(text);
    ical_t_doc_free(&d);
}

Test(ical, times_are_utc_basic_format)
{
    /* Values checked with `date -u -d @<t> +%Y%m%dT%H%M%SZ`. */
    static const struct {
        long long t;
        const char *want;
    } cases[] = {
        {1796716800LL, "20261208T080000Z"},
        {0, "19700101T000000Z"},
        {-1, "19691231T235959Z"},
        {951782400LL, "20000229T000000Z"},
        {4102444799LL, "20991231T235959Z"},
        {1711846800LL, "20240331T010000Z"},
        {-62135596800LL, "00010101T000000Z"},
        {253402300799LL, "99991231T235959Z"},
        {LLONG_MIN, "00010101T000000Z"},
        {LLONG_MAX, "99991231T235959Z"},
        {-62135596801LL, "00010101T000000Z"},
        {253402300800LL, "99991231T235959Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct ical_event e = ical_t_event("u@x", "s");
        e.stamp_utc = cases[i].t;
        struct ical_t_doc d;
        char *text = ical_t_render(NULL, &e, 1, true, &d);
        cr_expect_str_eq(ical_t_prop(&d, 0, "DTSTAMP"), cases[i].want, "t = %lld", cases[i].t);
        cr_expect_str_eq(ical_t_prop(&d, 0, "DTSTART"), "20261208T080000Z");
        cr_expect_str_eq(ical_t_prop(&d, 0, "DTEND"), "20261208T100000Z");
        free(text);
        ical_t_doc_free(&d);
    }
}

Test(ical, dtend_only_when_later_than_dtstart)
{
    struct ical_event e[3] = {ical_t_event("a@x", "same"), ical_t_event("b@x", "before"),
                              ical_t_event("c@x", "clamped")};
    e[0].ends_utc = e[0].starts_utc;
    e[1].ends_utc = e[1].starts_utc - 60;
    e[2].starts_utc = LLONG_MAX - 10;
    e[2].ends_utc = LLONG_MAX;
    struct ical_t_doc d;
    char *text = ical_t_render(NULL, e, 3, false, &d);
    cr_assert_eq(ical_t_events(&d), 3);
    for (size_t i = 0; i < 3; i++)
        cr_expect_null(ical_t_prop(&d, i, "DTEND"), "event %zu", i);
    cr_expect_str_eq(ical_t_prop(&d, 2, "DTSTART"), "99991231T235959Z");
    free(text);
    ical_t_doc_free(&d);
    /* the strict reader refuses these events when DTEND is required */
    text = ical_calendar(NULL, e, 3, &(size_t){0});
    cr_expect_not(ical_t_read(text, strlen(text), true, &d));
    free(text);
    ical_t_doc_free(&d);
}

Test(ical, status_sequence_and_transparency)
{
    struct ical_event e[3] = {ical_t_event("a@x", "on"), ical_t_event("b@x", "off"),
                              ical_t_event("c@x", "odd")};
    e[0].sequence = 3;
    e[1].cancelled = true;
    e[1].sequence = LLONG_MAX;
    e[2].sequence = -5;
    struct ical_t_doc d;
    char *text = ical_t_render(NULL, e, 3, true, &d);
    cr_assert_eq(ical_t_events(&d), 3);
    cr_expect_str_eq(ical_t_prop(&d, 0, "STATUS"), "CONFIRMED");
    cr_expect_str_eq(ical_t_prop(&d, 1, "STATUS"), "CANCELLED");
    cr_expect_str_eq(ical_t_prop(&d, 2, "STATUS"), "CONFIRMED");
    cr_expect_str_eq(ical_t_prop(&d, 0, "SEQUENCE"), "3");
    cr_expect_str_eq(ical_t_prop(&d, 1, "SEQUENCE"), "2147483647");
    cr_expect_str_eq(ical_t_prop(&d, 2, "SEQUENCE"), "0");
    for (size_t i = 0; i < 3; i++)
        cr_expect_str_eq(ical_t_prop(&d, i, "TRANSP"), "OPAQUE");
    free(text);
    ical_t_doc_free(&d);
}

/* Octets of text once escaped (the reader's view, independent of the writer). */
static size_t ical_t_escaped_len(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += strchr("\\;,\n", *text) ? 2 : 1;
    return n;
}

Test(ical, summary_round_trips_with_an_emoji_across_the_fold)
{
    /* "SUMMARY:" is 8 octets; pad so the emoji's first octet is octet 73 of
     * the content line: its 4 octets would straddle the 75-octet fold. */
    struct ical_t_str s = {0};
    ical_t_str_adds(&s, "Atelier « café ; thé, \\ pâtisserie »\nsuite ");
    while (8 + ical_t_escaped_len(s.p) < 72)
        ical_t_str_adds(&s, "x");
    cr_assert_eq(8 + ical_t_escaped_len(s.p), 72);
    ical_t_str_adds(&s, "🎄 et après : fin; encore, \\ et Noël\n");
    struct ical_event e = ical_t_event("u@x", s.p);
    struct ical_t_doc d;
    char *text = ical_t_render(NULL, &e, 1, true, &d);
    ical_t_expect_text(&d, 0, "SUMMARY", s.p);
    size_t line = ical_t_find(&d, "VEVENT", 0, "SUMMARY");
    const char *first = d.physical[d.first[line]], *next = d.physical[d.first[line] + 1];
    cr_expect_eq(strlen(first), 72, "the fold falls before the emoji: %s", first);
    cr_expect_eq(strncmp(next, " 🎄", strlen(" 🎄")), 0, "%s", next);
    free(text);
    ical_t_doc_free(&d);

    /* Every offset around the fold, for 2-, 3- and 4-octet characters. */
    const char *wide[] = {"é", "€", "🎄"};
    for (size_t w = 0; w < 3; w++) {
        for (size_t pad = 55; pad < 80; pad++) {
            struct ical_t_str t = {0};
            for (size_t i = 0; i < pad; i++)
                ical_t_str_adds(&t, "a");
            for (size_t i = 0; i < 40; i++)
                ical_t_str_adds(&t, wide[w]);
            e.summary = t.p;
            text = ical_t_render(NULL, &e, 1, true, &d);
            ical_t_expect_text(&d, 0, "SUMMARY", t.p);
            free(text);
            ical_t_doc_free(&d);
            free(t.p);
        }
    }
    free(s.p);
}

Test(ical, folds_never_split_an_escape)
{
    /* ";" as octet 75: its escape "\;" would straddle the fold. */
    char summary[80];
    memset(summary, 'a', 66);
    strcpy(summary + 66, ";bcd");
    struct ical_event e = ical_t_event("u@x", summary);
    struct ical_t_doc d;
    char *text = ical_t_render(NULL, &e, 1, true, &d);
    size_t line = ical_t_find(&d, "VEVENT", 0, "SUMMARY");
    cr_expect_eq(strlen(d.physical[d.first[line]]), 74);
    cr_expect_str_eq(d.physical[d.first[line] + 1], " \\;bcd");
    ical_t_expect_text(&d, 0, "SUMMARY", summary);
    free(text);
    ical_t_doc_free(&d);
}

Test(ical, long_multibyte_description_folds_on_character_boundaries)
{
    static const char *const pieces[] = {"é", "€", "𝄞", "ü", "a", "Ç", "\n", ", ", "日本", "😀"};
    struct ical_t_str s = {0};
    for (size_t i = 0; i < 900; i++)
        ical_t_str_adds(&s, pieces[(i * 7 + i / 3) % 10]);
    struct ical_event e = ical_t_event("u@x", "s");
    e.description = s.p;
    e.location = s.p;
    struct ical_t_doc d;
    char *text = ical_t_render(NULL, &e, 1, true, &d);
    ical_t_expect_text(&d, 0, "DESCRIPTION", s.p);
    ical_t_expect_text(&d, 0, "LOCATION", s.p);
    size_t line = ical_t_find(&d, "VEVENT", 0, "DESCRIPTION");
    size_t pieces_of_line = d.first[line + 1] - d.first[line];
    cr_expect_gt(pieces_of_line, 30, "the description is folded (%zu lines)", pieces_of_line);
    for (size_t p = d.first[line]; p < d.first[line + 1]; p++) {
        /* the reader already checked UTF-8 and length per line; a fold leaves
         * at most 3 octets unused (the widest character that did not fit) */
        if (p + 1 < d.first[line + 1])
            cr_expect_geq(strlen(d.physical[p]), ICAL_T_FOLD - 3, "%s", d.physical[p]);
        if (p > d.first[line])
            cr_expect_eq(d.physical[p][0], ' ');
    }
    free(text);
    ical_t_doc_free(&d);
    free(s.p);
}

Test(ical, controls_dropped_and_bad_utf8_replaced)
{
    struct ical_event e = ical_t_event("u\x01@x\r\n", "a\x01"
                                                      "b\rc\r\nd\te\x7f f\xC2\x85g\xFFh\xC3");
    e.description = "\x01\x02\r"; /* nothing left: no DESCRIPTION */
    e.location = "Mairie,\tAuch\x1b[0m";
    struct ical_t_doc d;
    char *text = ical_t_render("Gers\x07", &e, 1, true, &d);
    ical_t_expect_text(&d, 0, "UID", "u@x\n");
    ical_t_expect_text(&d, 0, "SUMMARY", "abc\nd\te fg" ICAL_T_FFFD "h" ICAL_T_FFFD);
    ical_t_expect_text(&d, 0, "LOCATION", "Mairie,\tAuch[0m");
    cr_expect_null(ical_t_prop(&d, 0, "DESCRIPTION"));
    size_t calname = ical_t_find(&d, NULL, 0, "X-WR-CALNAME");
    cr_assert_neq(calname, SIZE_MAX);
    cr_expect_str_eq(d.logical[calname], "X-WR-CALNAME:Gers");
    free(text);
    ical_t_doc_free(&d);

    /* ill-formed UTF-8: each octet of it becomes one U+FFFD */
    static const struct {
        const char *in, *want;
    } bad[] = {
        {"a\xC0\xAF"
         "b",
         "a" ICAL_T_FFFD ICAL_T_FFFD "b"},                                     /* overlong */
        {"\xE0\x80\xAF", ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD},                 /* overlong */
        {"\xF0\x80\x80\xAF", ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD}, /* overlong */
        {"\xED\xB0\x80", ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD},                 /* surrogate */
        {"\xF4\x90\x80\x80", ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD}, /* > U+10FFFF */
        {"\xF8\x88\x80\x80\x80", ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD},
        {"\xE2\x82", ICAL_T_FFFD ICAL_T_FFFD}, /* truncated */
        {"\xE0\xA0\x80\xED\x9F\xBF\xF4\x8F\xBF\xBF", "\xE0\xA0\x80\xED\x9F\xBF\xF4\x8F\xBF\xBF"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        e.summary = bad[i].in;
        text = ical_t_render(NULL, &e, 1, true, &d);
        ical_t_expect_text(&d, 0, "SUMMARY", bad[i].want);
        free(text);
        ical_t_doc_free(&d);
    }
}

Test(ical, events_without_uid_or_summary_are_skipped)
{
    struct ical_event e[6] = {ical_t_event(NULL, "no uid"),   ical_t_event("a@x", NULL),
                              ical_t_event("", "empty uid"),  ical_t_event("\x01\r", "control uid"),
                              ical_t_event("kept@x", "kept"), ical_t_event("empty@x", "")};
    struct ical_t_doc d;
    char *text = ical_t_render(NULL, e, 6, true, &d);
    cr_assert_eq(ical_t_events(&d), 2);
    cr_expect_str_eq(ical_t_prop(&d, 0, "UID"), "kept@x");
    cr_expect_str_eq(ical_t_prop(&d, 1, "UID"), "empty@x");
    cr_expect_str_eq(ical_t_prop(&d, 1, "SUMMARY"), "");
    free(text);
    ical_t_doc_free(&d);
}

Test(ical, url_is_a_uri_not_text_but_folded)
{
    struct ical_t_str url = {0};
    ical_t_str_adds(&url,
                    "https://ateliers.example.org/gers/auch?themes=smartphone,internet;v=2&q=");
    for (int i = 0; i < 30; i++)
        ical_t_str_adds(&url, "abc,;");
    struct ical_event e[3] = {ical_t_event("a@x", "s"), ical_t_event("b@x", "s"),
                              ical_t_event("c@x", "s")};
    e[0].url = url.p;
    e[1].url = "https://ex.org/a b\"é\x01<x>|\\^`{}";
    e[2].url = "\x01\r\n";
    struct ical_t_doc d;
    char *text = ical_t_render(NULL, e, 3, true, &d);
    cr_expect_str_eq(ical_t_prop(&d, 0, "URL"), url.p); /* unfolded, not escaped */
    size_t line = ical_t_find(&d, "VEVENT", 0, "URL");
    cr_expect_gt(d.first[line + 1] - d.first[line], 1, "folded");
    cr_expect_str_eq(ical_t_prop(&d, 1, "URL"),
                     "https://ex.org/a%20b%22%C3%A9%3Cx%3E%7C%5C%5E%60%7B%7D");
    cr_expect_null(ical_t_prop(&d, 2, "URL"));
    free(text);
    ical_t_doc_free(&d);
    free(url.p);
}

Test(ical, geo_has_six_decimals_and_only_when_valid)
{
    static const struct {
        double lat, lon;
        const char *want;
    } cases[] = {
        {43.6465, 0.5868, "43.646500;0.586800"},
        {-33.8688, -151.2093, "-33.868800;-151.209300"},
        {1.23456789, -1.23456749, "1.234568;-1.234567"},
        {0.0000004, -0.0000004, "0.000000;0.000000"},
        {90, -180, "90.000000;-180.000000"},
        {90.5, 0, NULL},
        {0, 180.5, NULL},
        {NAN, 0, NULL},
        {0, INFINITY, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct ical_event e = ical_t_event("u@x", "s");
        e.latitude = cases[i].lat;
        e.longitude = cases[i].lon;
        e.has_geo = true;
        struct ical_t_doc d;
        char *text = ical_t_render(NULL, &e, 1, true, &d);
        if (cases[i].want)
            cr_expect_str_eq(ical_t_prop(&d, 0, "GEO"), cases[i].want);
        else
            cr_expect_null(ical_t_prop(&d, 0, "GEO"), "case %zu", i);
        free(text);
        ical_t_doc_free(&d);
    }
    struct ical_event e = ical_t_event("u@x", "s");
    e.latitude = 43.6;
    struct ical_t_doc d;
    char *text = ical_t_render(NULL, &e, 1, true, &d);
    cr_expect_null(ical_t_prop(&d, 0, "GEO"), "has_geo is false");
    free(text);
    ical_t_doc_free(&d);
}

Test(ical, categories_are_escaped_one_by_one)
{
    const char *const cats[] = {"Numérique", "", "a,b;c\\", "\x01", "Seniors\n", NULL};
    const char *const none[] = {"", "\r", NULL};
    struct ical_event e[3] = {ical_t_event("a@x", "s"), ical_t_event("b@x", "s"),
                              ical_t_event("c@x", "s")};
    e[0].categories = cats;
    e[1].categories = none;
    struct ical_t_doc d;
    char *text = ical_t_render(NULL, e, 3, true, &d);
    cr_expect_str_eq(ical_t_prop(&d, 0, "CATEGORIES"), "Numérique,a\\,b\\;c\\\\,Seniors\\n");
    char **members = ical_t_split(ical_t_prop(&d, 0, "CATEGORIES"));
    cr_assert_not_null(members);
    cr_expect_str_eq(members[0], "Numérique");
    cr_expect_str_eq(members[1], "a,b;c\\");
    cr_expect_str_eq(members[2], "Seniors\n");
    cr_expect_null(members[3]);
    ical_t_free_list(members);
    cr_expect_null(ical_t_prop(&d, 1, "CATEGORIES"));
    cr_expect_null(ical_t_prop(&d, 2, "CATEGORIES"));
    free(text);
    ical_t_doc_free(&d);
}

/* ---- fuzz-ish: random text in every field keeps every invariant --------- */

static uint64_t ical_t_next(uint64_t *state)
{
    uint64_t x = *state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Appends a random piece to raw and what the writer must keep of it to want:
 * printable ASCII (the escaped ones often), newlines, CR, tabs, C0/DEL/C1
 * controls (dropped), 2-4 octet characters, and ill-formed UTF-8 (one U+FFFD
 * per octet; lead octets are always followed within the piece by something
 * that ends their sequence, so pieces never combine). */
static void ical_t_piece(uint64_t *rng, struct ical_t_str *raw, struct ical_t_str *want)
{
    static const char *const wide[] = {"é", "à", "ç",      "«", "\u00a0", "€", "’",
                                       "…", "ỳ", "\ufffd", "😀", "🎄",      "𝄞", "\U0010FFFD"};
    static const struct {
        const char *raw, *want;
    } bad[] = {
        {"\xFF", ICAL_T_FFFD},
        {"\x80", ICAL_T_FFFD},
        {"\xC0\x80", ICAL_T_FFFD ICAL_T_FFFD},
        {"\xED\xA0\x80", ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD},
        {"\xF4\x90\x80\x80", ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD},
        {"\xE0\x9F\xBF", ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD},
        {"\xF0\x8F\xBF\xBF", ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD},
        {"\xE2\x82!", ICAL_T_FFFD ICAL_T_FFFD "!"},
        {"\xF0\x9F\x8E!", ICAL_T_FFFD ICAL_T_FFFD ICAL_T_FFFD "!"},
    };
    uint64_t r = ical_t_next(rng);
    unsigned kind = (unsigned)(r % 100);
    r >>= 8;
    char c;
    if (kind < 40) {
        c = (char)(0x20 + r % 95);
        ical_t_str_add(raw, &c, 1);
        ical_t_str_add(want, &c, 1);
    } else if (kind < 46) {
        c = ";,\\"[r % 3];
        ical_t_str_add(raw, &c, 1);
        ical_t_str_add(want, &c, 1);
    } else if (kind < 50) {
        ical_t_str_adds(raw, r % 2 ? "\n" : "\r\n");
        ical_t_str_adds(want, "\n");
    } else if (kind < 52) {
        ical_t_str_adds(raw, "\r");
    } else if (kind < 55) {
        ical_t_str_adds(raw, "\t");
        ical_t_str_adds(want, "\t");
    } else if (kind < 58) {
        static const char controls[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10"
                                       "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
                                       "\x1e\x1f\x7f";
        c = controls[r % (sizeof controls - 1)];
        ical_t_str_add(raw, &c, 1);
    } else if (kind < 60) {
        char c1[2] = {(char)0xC2, (char)(0x80 + r % 32)};
        ical_t_str_add(raw, c1, 2);
    } else if (kind < 92) {
        const char *w = wide[r % (sizeof wide / sizeof *wide)];
        ical_t_str_adds(raw, w);
        ical_t_str_adds(want, w);
    } else {
        size_t b = r % (sizeof bad / sizeof *bad);
        ical_t_str_adds(raw, bad[b].raw);
        ical_t_str_adds(want, bad[b].want);
    }
}

/* A random string (raw) and what the calendar must carry of it (want). */
static void ical_t_random_text(uint64_t *rng, struct ical_t_str *raw, struct ical_t_str *want)
{
    ical_t_str_add(raw, "", 0);
    ical_t_str_add(want, "", 0);
    uint64_t r = ical_t_next(rng);
    size_t n = r % 3 == 0 ? (r >> 8) % 160 : (r >> 8) % 12;
    for (size_t i = 0; i < n; i++)
        ical_t_piece(rng, raw, want);
}

#define ICAL_T_MAX_EVENTS 4
#define ICAL_T_MAX_CATS   4

/* Everything one random event owns; want_* are NULL when the field is NULL. */
struct ical_t_fuzz_event {
    struct ical_t_str raw[5], want[5]; /* uid, summary, description, location, url */
    bool null[5];
    struct ical_t_str cat_raw[ICAL_T_MAX_CATS], cat_want[ICAL_T_MAX_CATS];
    const char *cats[ICAL_T_MAX_CATS + 1];
    size_t ncats;
};

static void ical_t_fuzz_fill(uint64_t *rng, struct ical_t_fuzz_event *f, struct ical_event *e)
{
    memset(f, 0, sizeof *f);
    for (int k = 0; k < 5; k++) {
        ical_t_random_text(rng, &f->raw[k], &f->want[k]);
        f->null[k] = ical_t_next(rng) % (k < 2 ? 12 : 4) == 0;
    }
    uint64_t r = ical_t_next(rng);
    f->ncats = r % (ICAL_T_MAX_CATS + 1);
    for (size_t c = 0; c < f->ncats; c++) {
        ical_t_random_text(rng, &f->cat_raw[c], &f->cat_want[c]);
        f->cats[c] = f->cat_raw[c].p;
    }
    memset(e, 0, sizeof *e);
    e->uid = f->null[0] ? NULL : f->raw[0].p;
    e->summary = f->null[1] ? NULL : f->raw[1].p;
    e->description = f->null[2] ? NULL : f->raw[2].p;
    e->location = f->null[3] ? NULL : f->raw[3].p;
    e->url = f->null[4] ? NULL : f->raw[4].p;
    e->categories = f->ncats || r % 7 ? f->cats : NULL;
    r = ical_t_next(rng);
    e->starts_utc = r % 4 ? 1700000000LL + (long long)(r % 400000000) : (long long)r;
    r = ical_t_next(rng);
    e->ends_utc = r % 4 ? e->starts_utc + (long long)(r % 20000) - 1000 : (long long)r;
    e->stamp_utc = (long long)ical_t_next(rng);
    e->sequence = (long long)ical_t_next(rng) % 100;
    e->cancelled = ical_t_next(rng) % 2;
    r = ical_t_next(rng);
    e->has_geo = r % 2;
    double geo[] = {43.6465, -0.5868, 200.0, NAN, INFINITY, -90.0, (double)(r % 1000) / 7.0};
    e->latitude = geo[(r >> 8) % 7];
    e->longitude = geo[(r >> 16) % 7];
}

static void ical_t_fuzz_free(struct ical_t_fuzz_event *f)
{
    for (int k = 0; k < 5; k++) {
        free(f->raw[k].p);
        free(f->want[k].p);
    }
    for (size_t c = 0; c < f->ncats; c++) {
        free(f->cat_raw[c].p);
        free(f->cat_want[c].p);
    }
}

/* Checks the n-th VEVENT against what its fields must have become. */
static void ical_t_fuzz_check(const struct ical_t_doc *d, size_t n,
                              const struct ical_t_fuzz_event *f, const struct ical_event *e)
{
    ical_t_expect_text(d, n, "UID", f->want[0].p);
    ical_t_expect_text(d, n, "SUMMARY", f->want[1].p);
    const char *names[] = {"DESCRIPTION", "LOCATION"};
    for (int k = 2; k < 4; k++) {
        if (!f->null[k] && f->want[k].n)
            ical_t_expect_text(d, n, names[k - 2], f->want[k].p);
        else
            cr_expect_null(ical_t_prop(d, n, names[k - 2]));
    }
    cr_expect_str_eq(ical_t_prop(d, n, "STATUS"), e->cancelled ? "CANCELLED" : "CONFIRMED");
    cr_expect_eq(ical_t_prop(d, n, "GEO") != NULL,
                 e->has_geo && fabs(e->latitude) <= 90 && fabs(e->longitude) <= 180);
    const char *raw = ical_t_prop(d, n, "CATEGORIES");
    char **members = raw && e->categories ? ical_t_split(raw) : NULL;
    size_t got = 0;
    for (size_t c = 0; c < f->ncats; c++) {
        if (!f->cat_want[c].n)
            continue;
        cr_assert(members && members[got], "category %zu missing", c);
        cr_expect_str_eq(members[got], f->cat_want[c].p);
        got++;
    }
    cr_expect(got ? members && !members[got] : raw == NULL, "categories");
    ical_t_free_list(members);
}

Test(ical_fuzz, random_text_in_every_field_keeps_the_invariants)
{
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    for (int round = 0; round < 400; round++) {
        struct ical_t_fuzz_event f[ICAL_T_MAX_EVENTS];
        struct ical_event e[ICAL_T_MAX_EVENTS];
        size_t count = ical_t_next(&rng) % (ICAL_T_MAX_EVENTS + 1);
        for (size_t i = 0; i < count; i++)
            ical_t_fuzz_fill(&rng, &f[i], &e[i]);
        struct ical_t_str name = {0}, name_want = {0};
        ical_t_random_text(&rng, &name, &name_want);
        bool null_name = ical_t_next(&rng) % 5 == 0;

        size_t len = 0;
        char *text = ical_calendar(null_name ? NULL : name.p, e, count, &len);
        cr_assert_not_null(text);
        struct ical_t_doc d;
        bool ok = ical_t_read(text, len, false, &d);
        cr_assert(ok, "round %d: %s\n%s", round, d.err, text);

        size_t calname = ical_t_find(&d, NULL, 0, "X-WR-CALNAME");
        if (null_name || !name_want.n) {
            cr_expect_eq(calname, SIZE_MAX);
        } else {
            cr_assert_neq(calname, SIZE_MAX, "round %d: no X-WR-CALNAME", round);
            char *got = ical_t_unescape(strchr(d.logical[calname], ':') + 1);
            cr_expect_str_eq(got, name_want.p);
            free(got);
        }
        size_t n = 0;
        for (size_t i = 0; i < count; i++) {
            if (f[i].null[0] || f[i].null[1] || !f[i].want[0].n)
                continue; /* skipped */
            cr_assert_lt(n, ical_t_events(&d), "round %d: event %zu missing", round, i);
            ical_t_fuzz_check(&d, n++, &f[i], &e[i]);
        }
        cr_expect_eq(ical_t_events(&d), n, "round %d", round);

        free(text);
        ical_t_doc_free(&d);
        free(name.p);
        free(name_want.p);
        for (size_t i = 0; i < count; i++)
            ical_t_fuzz_free(&f[i]);
    }
}
