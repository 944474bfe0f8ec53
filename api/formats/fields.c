#include "fields.h"

#include "messages.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#define EMAIL_LOCAL_MAX 64
#define DOMAIN_MAX      253
#define LABEL_MAX       63

/* No reason: the phone checks below found nothing wrong. */
#define NO_REASON MSG_COUNT

static bool fields_fail(const char **why, enum msg_id reason)
{
    if (why)
        *why = msg_text(reason, lang_current());
    return false;
}

static bool fields_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool fields_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool fields_is_hex(char c)
{
    return fields_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool fields_has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

/* A DNS name of len bytes: labels of 1..63 letters, digits and inner hyphens,
 * at least two, the last letters only (2+) or an "xn--" label. */
static bool fields_domain(const char *s, size_t len)
{
    size_t labels = 0, start = 0;
    if (len == 0 || len > DOMAIN_MAX)
        return false;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.') {
            if (!fields_is_alpha(s[i]) && !fields_is_digit(s[i]) && s[i] != '-')
                return false;
            continue;
        }
        size_t n = i - start;
        if (n == 0 || n > LABEL_MAX || s[start] == '-' || s[i - 1] == '-')
            return false;
        labels++;
        if (i == len) {
            bool idn = n > 4 && strncmp(s + start, "xn--", 4) == 0;
            for (size_t k = start; k < i && !idn; k++)
                if (!fields_is_alpha(s[k]))
                    return false;
            if (n < 2)
                return false;
        }
        start = i + 1;
    }
    return labels >= 2;
}

static bool fields_is_atext(char c)
{
    return fields_is_alpha(c) || fields_is_digit(c) || (c && strchr("!#$%&'*+/=?^_`{}~-", c));
}

bool fields_email(const char *s, const char **why)
{
    if (!s || !*s)
        return fields_fail(why, MSG_FIELDS_EMAIL);
    size_t len = strlen(s);
    if (strpbrk(s, " \t\r\n,;|"))
        return fields_fail(why, MSG_FIELDS_EMAIL_ONE);
    if (fields_has_non_ascii(s))
        return fields_fail(why, MSG_FIELDS_ASCII);
    if (len > FIELDS_EMAIL_MAX)
        return fields_fail(why, MSG_FIELDS_EMAIL_LONG);
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@'))
        return fields_fail(why, MSG_FIELDS_EMAIL);
    size_t local = (size_t)(at - s);
    if (local > EMAIL_LOCAL_MAX || s[0] == '.' || at[-1] == '.')
        return fields_fail(why, MSG_FIELDS_EMAIL_LOCAL);
    for (size_t i = 0; i < local; i++)
        if (!(fields_is_atext(s[i]) || (s[i] == '.' && s[i + 1] != '.')))
            return fields_fail(why, MSG_FIELDS_EMAIL_LOCAL);
    if (!fields_domain(at + 1, strlen(at + 1)))
        return fields_fail(why, MSG_FIELDS_EMAIL_DOMAIN);
    return true;
}

/* Phones ------------------------------------------------------------------ */

#define PHONE_DIGITS_MAX 15 /* E.164 */

struct fields_country {
    const char *code;
    size_t min, max; /* digits after the code */
};

/* The standard's telephone pattern: ^(\+33|\+590|...)(\d){6,9}$. */
static const struct fields_country fields_countries[] = {
    {"33", 9, 9},  {"590", 9, 9}, {"594", 9, 9}, {"262", 9, 9}, {"596", 9, 9},
    {"269", 6, 9}, {"687", 6, 9}, {"689", 6, 9}, {"508", 6, 9}, {"681", 6, 9},
};

/* National prefixes of the overseas departments and their country codes
 * (ARCEP numbering plan): 0590 12 34 56 is +590 590 12 34 56. */
static const struct {
    const char prefix[5], code[4];
} fields_overseas[] = {
    {"0590", "590"}, {"0690", "590"}, {"0691", "590"}, {"0594", "594"}, {"0694", "594"},
    {"0596", "596"}, {"0696", "596"}, {"0697", "596"}, {"0262", "262"}, {"0263", "262"},
    {"0692", "262"}, {"0693", "262"}, {"0269", "262"}, {"0639", "262"},
};

static bool fields_is_phone_separator(char c)
{
    return c == ' ' || c == '.' || c == '-';
}

/* Collects the digits of s (at most PHONE_DIGITS_MAX + 1, so that one too
 * many is seen) into digits, NUL-terminated; *intl when s starts with "+";
 * *trunk_at is the number of digits before a "(0)", or -1. Returns NO_REASON
 * or a reason. */
static enum msg_id fields_phone_scan(const char *s, char *digits, size_t *n, bool *intl,
                                     long *trunk_at)
{
    const char *p = s;
    *n = 0;
    *trunk_at = -1;
    *intl = *p == '+';
    if (*intl)
        p++;
    if (!fields_is_digit(*p))
        return fields_is_alpha(*p) ? MSG_FIELDS_PHONE_CHARS : MSG_FIELDS_PHONE_START;
    for (; *p; p++) {
        if (fields_is_digit(*p)) {
            if (*n <= PHONE_DIGITS_MAX)
                digits[(*n)++] = *p;
        } else if (fields_is_phone_separator(*p)) {
            bool before = fields_is_digit(p[-1]) || p[-1] == ')';
            bool after = fields_is_digit(p[1]) || p[1] == '(';
            if (!before || !after)
                return MSG_FIELDS_PHONE_CHARS;
        } else if (strncmp(p, "(0)", 3) == 0 && *trunk_at < 0 && p[3]) {
            *trunk_at = (long)*n;
            p += 2;
        } else {
            return MSG_FIELDS_PHONE_CHARS;
        }
    }
    digits[*n] = '\0';
    return NO_REASON;
}

static enum msg_id fields_phone_intl(const char *digits, size_t n, long trunk_at, const char **code,
                                     const char **national)
{
    for (size_t i = 0; i < sizeof fields_countries / sizeof fields_countries[0]; i++) {
        const struct fields_country *c = &fields_countries[i];
        size_t cl = strlen(c->code);
        if (n < cl || strncmp(digits, c->code, cl) != 0)
            continue;
        if (trunk_at >= 0 && (size_t)trunk_at != cl)
            return MSG_FIELDS_PHONE_CHARS;
        size_t rest = n - cl;
        if (rest > 0 && digits[cl] == '0')
            return MSG_FIELDS_PHONE_TRUNK;
        if (rest < c->min || rest > c->max)
            return c->min == 9 ? MSG_FIELDS_PHONE_INTL9 : MSG_FIELDS_PHONE_INTL6;
        *code = c->code;
        *national = digits + cl;
        return NO_REASON;
    }
    return MSG_FIELDS_PHONE_COUNTRY;
}

static enum msg_id fields_phone_national(const char *digits, size_t n, const char **code,
                                         const char **national)
{
    if (digits[0] != '0')
        return MSG_FIELDS_PHONE_START;
    if (n > 10)
        return MSG_FIELDS_PHONE_LONG;
    if (n < 10)
        return MSG_FIELDS_PHONE_SHORT;
    *code = "33";
    for (size_t i = 0; i < sizeof fields_overseas / sizeof fields_overseas[0]; i++)
        if (strncmp(digits, fields_overseas[i].prefix, 4) == 0)
            *code = fields_overseas[i].code;
    *national = digits + 1;
    return NO_REASON;
}

bool fields_phone(const char *s, char *e164, size_t cap, const char **why)
{
    char digits[PHONE_DIGITS_MAX + 2];
    size_t n;
    bool intl;
    long trunk_at;
    const char *code = NULL, *national = NULL;
    enum msg_id reason;
    if (e164 && cap > 0)
        e164[0] = '\0';
    if (!s || !*s)
        return fields_fail(why, MSG_FIELDS_PHONE);
    reason = fields_phone_scan(s, digits, &n, &intl, &trunk_at);
    if (reason == NO_REASON && !intl && n > 2 && digits[0] == '0' && digits[1] == '0') {
        intl = true; /* 00 33 5 62 03 01 09 */
        memmove(digits, digits + 2, n - 1);
        n -= 2;
        trunk_at = trunk_at >= 2 ? trunk_at - 2 : trunk_at;
    }
    if (reason == NO_REASON && !intl && trunk_at >= 0)
        reason = MSG_FIELDS_PHONE_CHARS;
    if (reason == NO_REASON && n > PHONE_DIGITS_MAX)
        reason = intl ? MSG_FIELDS_PHONE_INTL9 : MSG_FIELDS_PHONE_LONG;
    if (reason == NO_REASON)
        reason = intl ? fields_phone_intl(digits, n, trunk_at, &code, &national)
                      : fields_phone_national(digits, n, &code, &national);
    if (reason != NO_REASON)
        return fields_fail(why, reason);
    if (e164) {
        if (cap < 1 + strlen(code) + strlen(national) + 1)
            return fields_fail(why, MSG_FIELDS_PHONE_BUFFER);
        e164[0] = '+';
        strcpy(e164 + 1, code);
        strcat(e164, national);
    }
    return true;
}

/* URLs ---------------------------------------------------------------------- */

static bool fields_is_url_char(char c)
{
    return fields_is_alpha(c) || fields_is_digit(c) || (c && strchr("-._~:/?#[]@!$&'()*+,;=", c));
}

bool fields_url(const char *s, const char **why)
{
    if (!s || !*s)
        return fields_fail(why, MSG_FIELDS_URL);
    if (strpbrk(s, " \t\r\n|"))
        return fields_fail(why, MSG_FIELDS_URL_ONE);
    if (strlen(s) > FIELDS_URL_MAX)
        return fields_fail(why, MSG_FIELDS_URL_LONG);
    const char *p;
    if (strncasecmp(s, "http://", 7) == 0)
        p = s + 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        p = s + 8;
    else
        return fields_fail(why, MSG_FIELDS_URL_SCHEME);
    size_t authority = strcspn(p, "/?#");
    const char *at = memchr(p, '@', authority);
    if (at)
        return fields_fail(why, MSG_FIELDS_URL_USER);
    const char *colon = memchr(p, ':', authority);
    size_t host = colon ? (size_t)(colon - p) : authority;
    if (!fields_domain(p, host))
        return fields_fail(why, MSG_FIELDS_URL_HOST);
    if (colon) {
        size_t digits = authority - host - 1;
        long port = 0;
        if (digits == 0 || digits > 5)
            return fields_fail(why, MSG_FIELDS_URL_PORT);
        for (size_t i = 1; i <= digits; i++) {
            if (!fields_is_digit(colon[i]))
                return fields_fail(why, MSG_FIELDS_URL_PORT);
            port = port * 10 + (colon[i] - '0');
        }
        if (port < 1 || port > 65535)
            return fields_fail(why, MSG_FIELDS_URL_PORT);
    }
    for (p += authority; *p; p++) {
        if (*p == '%' && fields_is_hex(p[1]) && fields_is_hex(p[2]))
            p += 2;
        else if (!fields_is_url_char(*p))
            return fields_fail(why, MSG_FIELDS_URL_CHARS);
    }
    return true;
}

/* Codes --------------------------------------------------------------------- */

static bool fields_all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!fields_is_digit(s[i]))
            return false;
    return true;
}

bool fields_postal_code(const char *s, const char **why)
{
    if (!s || strlen(s) != 5 || !fields_all_digits(s, 5))
        return fields_fail(why, MSG_FIELDS_POSTAL);
    return true;
}

bool fields_insee_code(const char *s, const char **why)
{
    if (!s || strlen(s) != 5 || !fields_all_digits(s + 2, 3))
        return fields_fail(why, MSG_FIELDS_INSEE);
    bool head = (fields_is_digit(s[0]) && s[0] != '2' && fields_is_digit(s[1])) ||
                (s[0] == '2' && (s[1] == 'A' || s[1] == 'B' || (s[1] >= '1' && s[1] <= '9')));
    return head ? true : fields_fail(why, MSG_FIELDS_INSEE);
}

/* Luhn over n digits: from the right, every second digit doubled. */
static bool fields_luhn(const char *s, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = s[n - 1 - i] - '0';
        if (i % 2 == 1)
            d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
    }
    return sum % 10 == 0;
}

bool fields_pivot(const char *s, const char **why)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 9 || n > 14)
        return fields_fail(why, MSG_FIELDS_PIVOT);
    for (size_t i = 0; i < n; i++)
        if (!fields_is_alpha(s[i]) && !fields_is_digit(s[i]))
            return fields_fail(why, MSG_FIELDS_PIVOT);
    if (n != 14 || !fields_all_digits(s, 14))
        return true;
    if (strcmp(s, "00000000000000") == 0)
        return true; /* the standard's placeholder for an unknown SIRET */
    if (strncmp(s, "000000000", 9) == 0)
        return fields_fail(why, MSG_FIELDS_SIRET);
    if (fields_luhn(s, 9) && fields_luhn(s, 14))
        return true;
    if (strncmp(s, "356000000", 9) == 0) { /* La Poste */
        int sum = 0;
        for (size_t i = 0; i < 14; i++)
            sum += s[i] - '0';
        if (sum % 5 == 0)
            return true;
    }
    return fields_fail(why, MSG_FIELDS_SIRET);
}

/* Coordinates --------------------------------------------------------------- */

bool fields_latitude(double v, const char **why)
{
    return isfinite(v) && v >= -90.0 && v <= 90.0 ? true : fields_fail(why, MSG_FIELDS_LATITUDE);
}

bool fields_longitude(double v, const char **why)
{
    return isfinite(v) && v >= -180.0 && v <= 180.0 ? true : fields_fail(why, MSG_FIELDS_LONGITUDE);
}

bool fields_in_france(double latitude, double longitude)
{
    return latitude >= 41.0 && latitude <= 51.5 && longitude >= -5.8 && longitude <= 10.0;
}
