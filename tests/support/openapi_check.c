/* Test support: the response validator behind openapi_check.h.
 *
 * Ownership: this file and openapi_check.h are the test support layer's; they read
 * build/openapi.json (produced from openapi/openapi.yaml by its own script) and
 * never change it. Module state: the loaded document and a cache of compiled
 * patterns, both released by openapi_unload().
 *
 * JSON Schema coverage (the 2020-12 subset OpenAPI 3.1 documents use): $ref (local
 * "#/..." pointers, siblings honoured), boolean schemas, type, enum, const,
 * properties, patternProperties, additionalProperties, unevaluatedProperties,
 * required, minProperties, maxProperties, prefixItems, items, contains, minItems,
 * maxItems, uniqueItems, minLength, maxLength, pattern, format (date-time, date,
 * time, uri, uri-reference, uuid, email; others ignored), minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, multipleOf, allOf, anyOf, oneOf, not,
 * if/then/else. Annotations and unknown keywords are ignored.
 *
 * Patterns are compiled as POSIX extended regular expressions after a light
 * rewrite of common ECMA-262 spellings: \d \D \w \W \s \S, "(?:", and escapes
 * inside brackets. They are searched unanchored, as JSON Schema says. */
#include "openapi_check.h"

#include <ctype.h>
#include <jansson.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH    200 /* schema nesting, guards against $ref cycles */
#define MAX_REF_HOPS 32
#define PTR_MAX      1024 /* instance JSON pointer in messages */
#define BRANCH_ERR   1024 /* one anyOf/oneOf branch's message */
#define MEDIA_MAX    256

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

struct pattern {
    struct pattern *next;
    char *source; /* as written in the document */
    regex_t re;
    bool ok;
    char error[128];
};

static json_t *g_doc;
static struct pattern *g_patterns;

/* ---------------------------------------------------------------- utilities */

static void lower_copy(char *dst, size_t n, const char *src, size_t len)
{
    if (n == 0)
        return;
    if (len >= n)
        len = n - 1;
    for (size_t i = 0; i < len; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[len] = '\0';
}

/* The media type of a Content-Type value or a content map key: before ';',
 * trimmed, lower-cased. "" when absent. */
static void media_type_of(const char *value, char *out, size_t n)
{
    if (!value) {
        if (n)
            out[0] = '\0';
        return;
    }
    while (*value == ' ' || *value == '\t')
        value++;
    size_t len = strcspn(value, ";");
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    lower_copy(out, n, value, len);
}

static bool is_json_media(const char *mt)
{
    size_t n = strlen(mt);
    return strcmp(mt, "application/json") == 0 || (n > 5 && strcmp(mt + n - 5, "+json") == 0);
}

static void append(char *buf, size_t n, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void append(char *buf, size_t n, const char *fmt, ...)
{
    if (n == 0)
        return;
    size_t used = strnlen(buf, n);
    if (used + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}

/* Compact JSON of `v` for messages, shortened with "..." to fit. */
static void describe(const json_t *v, char *buf, size_t n)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!s) {
        snprintf(buf, n, "(unprintable)");
        return;
    }
    if (strlen(s) < n)
        snprintf(buf, n, "%s", s);
    else if (n > 4)
        snprintf(buf, n, "%.*s...", (int)(n - 4), s);
    else if (n)
        buf[0] = '\0';
    free(s);
}

static double abs_double(double x)
{
    return x < 0 ? -x : x;
}

/* Whether a finite double has no fractional part (no libm needed). */
static bool is_integral(double x)
{
    if (x != x || x - x != 0) /* NaN or infinite */
        return false;
    if (abs_double(x) >= 9007199254740992.0) /* 2^53: every double is whole */
        return true;
    return (double)(long long)x == x;
}

static double nearest_whole(double x)
{
    if (abs_double(x) >= 9007199254740992.0)
        return x;
    return x < 0 ? -(double)(long long)(-x + 0.5) : (double)(long long)(x + 0.5);
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

static bool has_type(const json_t *v, const char *t)
{
    if (strcmp(t, "null") == 0)
        return json_is_null(v);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(t, "object") == 0)
        return json_is_object(v);
    if (strcmp(t, "array") == 0)
        return json_is_array(v);
    if (strcmp(t, "string") == 0)
        return json_is_string(v);
    if (strcmp(t, "number") == 0)
        return json_is_number(v);
    if (strcmp(t, "integer") == 0)
        return json_is_integer(v) || (json_is_real(v) && is_integral(json_real_value(v)));
    return false;
}

/* -1, 0 or 1; exact when both are integers. */
static int number_cmp(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return (x > y) - (x < y);
    }
    double x = json_number_value(a), y = json_number_value(b);
    return (x > y) - (x < y);
}

/* Equality as JSON Schema defines it (1 equals 1.0). */
static bool json_schema_equal(json_t *a, json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return number_cmp(a, b) == 0;
    if (json_typeof(a) != json_typeof(b))
        return false;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!json_schema_equal(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *key;
        json_t *va;
        json_object_foreach(a, key, va)
        {
            json_t *vb = json_object_get(b, key);
            if (!vb || !json_schema_equal(va, vb))
                return false;
        }
        return true;
    }
    default: return true; /* true, false, null */
    }
}

static size_t utf8_code_points(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* ------------------------------------------------------------ $ref pointers */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The node at JSON pointer `ptr` ("" or "/a/b", URI-fragment escaped) in g_doc. */
static json_t *pointer_get(const char *ptr)
{
    json_t *cur = g_doc;
    const char *p = ptr;
    char token[512];
    if (*p != '\0' && *p != '/')
        return NULL;
    while (cur && *p == '/') {
        size_t n = 0;
        for (p++; *p && *p != '/'; p++) {
            char ch = *p;
            if (ch == '%' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
                ch = (char)(hex_value(p[1]) * 16 + hex_value(p[2]));
                p += 2;
            } else if (ch == '~') {
                if (p[1] != '0' && p[1] != '1')
                    return NULL;
                ch = p[1] == '0' ? '~' : '/';
                p++;
            }
            if (n + 1 >= sizeof token)
                return NULL;
            token[n++] = ch;
        }
        token[n] = '\0';
        if (json_is_object(cur)) {
            cur = json_object_get(cur, token);
        } else if (json_is_array(cur)) {
            char *end;
            if (n == 0 || !isdigit((unsigned char)token[0]) || (token[0] == '0' && n > 1))
                return NULL;
            unsigned long idx = strtoul(token, &end, 10);
            cur = *end ? NULL : json_array_get(cur, idx);
        } else {
            return NULL;
        }
    }
    return cur;
}

/* The target of a local "$ref" string, or NULL. */
static json_t *ref_target(const char *ref)
{
    return ref[0] == '#' ? pointer_get(ref + 1) : NULL;
}

/* Follows "$ref" chains on a non-schema object (path item, response, media type);
 * NULL when a reference does not resolve. */
static json_t *deref(json_t *node)
{
    for (int hops = 0; hops < MAX_REF_HOPS; hops++) {
        const char *ref = json_string_value(json_object_get(node, "$ref"));
        if (!ref)
            return node;
        node = ref_target(ref);
        if (!node)
            return NULL;
    }
    return NULL;
}

/* ----------------------------------------------------------------- patterns */

static void put_str(char **o, const char *s)
{
    size_t n = strlen(s);
    memcpy(*o, s, n);
    *o += n;
}

/* Rewrites a bracket expression starting after '[' at *pp; leaves *pp after ']'. */
static void translate_bracket(const char **pp, char **o)
{
    const char *p = *pp;
    bool negate = false, rbracket = false, dash = false, caret = false;
    char body[1024];
    size_t n = 0;
#define BODY_PUT(s)                                                                                \
    do {                                                                                           \
        const char *s_ = (s);                                                                      \
        size_t l_ = strlen(s_);                                                                    \
        if (n + l_ < sizeof body) {                                                                \
            memcpy(body + n, s_, l_);                                                              \
            n += l_;                                                                               \
        }                                                                                          \
    } while (0)
    if (*p == '^') {
        negate = true;
        p++;
    }
    bool first = true;
    while (*p && *p != ']') {
        char one[2] = {*p, '\0'};
        if (*p == '[' && p[1] == ':') { /* POSIX class such as [:alnum:] */
            const char *end = strstr(p + 2, ":]");
            if (end) {
                char cls[64];
                size_t l = (size_t)(end + 2 - p);
                if (l < sizeof cls) {
                    memcpy(cls, p, l);
                    cls[l] = '\0';
                    BODY_PUT(cls);
                }
                p = end + 2;
                first = false;
                continue;
            }
        }
        if (*p == '\\' && p[1]) {
            char e = p[1];
            p += 2;
            switch (e) {
            case 'd': BODY_PUT("0-9"); break;
            case 'w': BODY_PUT("A-Za-z0-9_"); break;
            case 's': BODY_PUT(" \t\n\r\f\v"); break;
            case 'n': BODY_PUT("\n"); break;
            case 't': BODY_PUT("\t"); break;
            case 'r': BODY_PUT("\r"); break;
            case 'x': /* \xHH: the byte itself; NUL, which no C string holds, as 0x01 */
                if (isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1])) {
                    char hex[3] = {p[0], p[1], '\0'};
                    long v = strtol(hex, NULL, 16);
                    one[0] = (char)(v == 0 ? 1 : v);
                    p += 2;
                } else {
                    one[0] = 'x';
                }
                BODY_PUT(one);
                break;
            case ']': rbracket = true; break;
            case '-': dash = true; break;
            case '^': caret = true; break;
            default: one[0] = e; BODY_PUT(one);
            }
            first = false;
            continue;
        }
        if (*p == '-' && (first || p[1] == ']')) {
            dash = true;
        } else if (*p == '^') {
            caret = true;
        } else {
            BODY_PUT(one);
        }
        first = false;
        p++;
    }
#undef BODY_PUT
    if (*p == ']')
        p++;
    *pp = p;
    if (!negate && n == 0 && !rbracket && caret && !dash) {
        put_str(o, "\\^");
        return;
    }
    *(*o)++ = '[';
    if (negate)
        *(*o)++ = '^';
    if (rbracket)
        *(*o)++ = ']';
    if (n == 0 && !rbracket && caret) { /* "-^": neither may come first otherwise */
        put_str(o, "-^");
    } else {
        memcpy(*o, body, n);
        *o += n;
        if (caret)
            *(*o)++ = '^';
        if (dash)
            *(*o)++ = '-';
    }
    *(*o)++ = ']';
}

/* A malloc'ed POSIX ERE for an ECMA-262-style pattern (see the file comment). */
static char *translate_pattern(const char *src)
{
    char *out = malloc(strlen(src) * 16 + 16);
    if (!out)
        return NULL;
    char *o = out;
    const char *p = src;
    while (*p) {
        if (*p == '[') {
            p++;
            translate_bracket(&p, &o);
        } else if (p[0] == '(' && p[1] == '?' && p[2] == ':') {
            *o++ = '(';
            p += 3;
        } else if (*p == '\\' && p[1]) {
            char e = p[1];
            p += 2;
            switch (e) {
            case 'd': put_str(&o, "[0-9]"); break;
            case 'D': put_str(&o, "[^0-9]"); break;
            case 'w': put_str(&o, "[A-Za-z0-9_]"); break;
            case 'W': put_str(&o, "[^A-Za-z0-9_]"); break;
            case 's': put_str(&o, "[[:space:]]"); break;
            case 'S': put_str(&o, "[^[:space:]]"); break;
            case 'n': *o++ = '\n'; break;
            case 't': *o++ = '\t'; break;
            case 'r': *o++ = '\r'; break;
            default:
                if (strchr(".[]{}()*+?^$|\\", e) || isalnum((unsigned char)e))
                    *o++ = '\\';
                *o++ = e;
            }
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static struct pattern *pattern_get(const char *source)
{
    for (struct pattern *p = g_patterns; p; p = p->next)
        if (strcmp(p->source, source) == 0)
            return p;
    struct pattern *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->source = strdup(source);
    char *ere = translate_pattern(source);
    if (!p->source || !ere) {
        free(ere);
        free(p->source);
        free(p);
        return NULL;
    }
    int rc = regcomp(&p->re, ere, REG_EXTENDED | REG_NOSUB);
    free(ere);
    p->ok = rc == 0;
    if (!p->ok)
        regerror(rc, &p->re, p->error, sizeof p->error);
    p->next = g_patterns;
    g_patterns = p;
    return p;
}

/* ------------------------------------------------------------------ formats */

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static int number_at(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* "YYYY-MM-DD" at the start of s, with a real calendar day. */
static bool date_prefix(const char *s)
{
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return false;
    int y = number_at(s, 4), m = number_at(s + 5, 2), d = number_at(s + 8, 2);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

/* "HH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" and nothing after. */
static bool time_full(const char *s)
{
    if (!digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' || !digits(s + 6, 2))
        return false;
    if (number_at(s, 2) > 23 || number_at(s + 3, 2) > 59 || number_at(s + 6, 2) > 60)
        return false;
    const char *p = s + 8;
    if (*p == '.') {
        if (!isdigit((unsigned char)p[1]))
            return false;
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    }
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0';
    if (*p != '+' && *p != '-')
        return false;
    return digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) && p[6] == '\0' &&
           number_at(p + 1, 2) <= 23 && number_at(p + 4, 2) <= 59;
}

static bool uri_chars_ok(const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7f || strchr("<>\"\\^`{|}", c))
            return false;
        if (c == '%' && (hex_value(p[1]) < 0 || hex_value(p[2]) < 0))
            return false;
    }
    return true;
}

/* NULL when `s` satisfies the format (or the format is unknown), else what it should be. */
static const char *format_problem(const char *format, const char *s)
{
    if (strcmp(format, "date-time") == 0) {
        bool ok = date_prefix(s) && (s[10] == 'T' || s[10] == 't') && time_full(s + 11);
        return ok ? NULL : "an RFC 3339 date-time with offset (e.g. 2024-05-01T12:00:00Z)";
    }
    if (strcmp(format, "date") == 0)
        return date_prefix(s) && s[10] == '\0' ? NULL : "an RFC 3339 full-date (YYYY-MM-DD)";
    if (strcmp(format, "time") == 0)
        return time_full(s) ? NULL : "an RFC 3339 full-time (HH:MM:SS with offset)";
    if (strcmp(format, "uri") == 0) {
        bool ok = isalpha((unsigned char)s[0]);
        const char *p = s + 1;
        while (ok && (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.'))
            p++;
        ok = ok && *p == ':' && uri_chars_ok(s);
        return ok ? NULL : "an absolute URI (scheme:...)";
    }
    if (strcmp(format, "uri-reference") == 0)
        return uri_chars_ok(s) ? NULL : "a URI reference";
    if (strcmp(format, "uuid") == 0) {
        bool ok = strlen(s) == 36;
        for (int i = 0; ok && i < 36; i++)
            ok = (i == 8 || i == 13 || i == 18 || i == 23) ? s[i] == '-'
                                                           : isxdigit((unsigned char)s[i]) != 0;
        return ok ? NULL : "a UUID (8-4-4-4-12 hex digits)";
    }
    if (strcmp(format, "email") == 0) {
        const char *at = strchr(s, '@');
        bool ok = at && at != s && at[1] && !strchr(at + 1, '@');
        for (const char *p = s; ok && *p; p++)
            ok = (unsigned char)*p > 0x20 && *p != 0x7f;
        return ok ? NULL : "an e-mail address";
    }
    return NULL;
}

/* --------------------------------------------------------------- validation */

struct vctx {
    char ptr[PTR_MAX]; /* JSON pointer of the instance being checked */
    size_t ptr_len;
    char *err; /* where a failure is described */
    size_t err_len;
    int depth;
};

static bool fail(struct vctx *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static bool fail(struct vctx *c, const char *fmt, ...)
{
    if (c->err_len == 0)
        return false;
    int n = snprintf(c->err, c->err_len, "at \"%s\"%s: ", c->ptr, c->ptr_len ? "" : " (root)");
    if (n >= 0 && (size_t)n < c->err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->err_len - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

static void ptr_add(struct vctx *c, const char *s)
{
    for (; *s; s++) {
        const char *piece = *s == '~' ? "~0" : *s == '/' ? "~1" : NULL;
        size_t l = piece ? 2 : 1;
        if (c->ptr_len + l + 1 > sizeof c->ptr)
            break;
        memcpy(c->ptr + c->ptr_len, piece ? piece : s, l);
        c->ptr_len += l;
    }
    c->ptr[c->ptr_len] = '\0';
}

static size_t ptr_push_key(struct vctx *c, const char *key)
{
    size_t old = c->ptr_len;
    if (c->ptr_len + 2 <= sizeof c->ptr) {
        c->ptr[c->ptr_len++] = '/';
        c->ptr[c->ptr_len] = '\0';
        ptr_add(c, key);
    }
    return old;
}

static size_t ptr_push_index(struct vctx *c, size_t i)
{
    char num[32];
    snprintf(num, sizeof num, "%zu", i);
    return ptr_push_key(c, num);
}

static void ptr_pop(struct vctx *c, size_t old)
{
    c->ptr_len = old;
    c->ptr[old] = '\0';
}

static bool validate(json_t *schema, json_t *inst, struct vctx *c, json_t *evaluated);

/* Validates with failures written to `buf` instead of the caller's message. */
static bool try_validate(json_t *schema, json_t *inst, struct vctx *c, json_t *evaluated, char *buf,
                         size_t n)
{
    char *saved = c->err;
    size_t saved_len = c->err_len;
    c->err = buf;
    c->err_len = n;
    if (n)
        buf[0] = '\0';
    bool ok = validate(schema, inst, c, evaluated);
    c->err = saved;
    c->err_len = saved_len;
    return ok;
}

static void mark(json_t *evaluated, const char *key)
{
    if (evaluated)
        json_object_set_new(evaluated, key, json_true());
}

static bool pattern_matches(struct vctx *c, const char *source, const char *s, bool *matched)
{
    struct pattern *p = pattern_get(source);
    if (!p)
        return fail(c, "out of memory compiling pattern");
    if (!p->ok)
        return fail(c, "the spec's pattern \"%s\" does not compile: %s", source, p->error);
    *matched = regexec(&p->re, s, 0, NULL, 0) == 0;
    return true;
}

static bool check_type(json_t *schema, json_t *inst, struct vctx *c)
{
    json_t *type = json_object_get(schema, "type");
    if (!type)
        return true;
    char want[128] = "";
    if (json_is_string(type)) {
        if (has_type(inst, json_string_value(type)))
            return true;
        snprintf(want, sizeof want, "%s", json_string_value(type));
    } else if (json_is_array(type)) {
        size_t i;
        json_t *t;
        json_array_foreach(type, i, t)
        {
            if (json_is_string(t) && has_type(inst, json_string_value(t)))
                return true;
            if (json_is_string(t))
                append(want, sizeof want, "%s%s", want[0] ? " or " : "", json_string_value(t));
        }
    } else {
        return true;
    }
    char got[80];
    describe(inst, got, sizeof got);
    return fail(c, "expected type %s, got %s %s", want, type_name(inst), got);
}

static bool check_enum_const(json_t *schema, json_t *inst, struct vctx *c)
{
    json_t *en = json_object_get(schema, "enum");
    if (json_is_array(en)) {
        size_t i;
        json_t *v;
        bool found = false;
        json_array_foreach(en, i, v)
        {
            found = found || json_schema_equal(v, inst);
        }
        if (!found) {
            char got[80], allowed[200];
            describe(inst, got, sizeof got);
            describe(en, allowed, sizeof allowed);
            return fail(c, "%s is not one of the enum values %s", got, allowed);
        }
    }
    json_t *cn = json_object_get(schema, "const");
    if (cn && !json_schema_equal(cn, inst)) {
        char got[80], want[80];
        describe(inst, got, sizeof got);
        describe(cn, want, sizeof want);
        return fail(c, "%s is not the constant %s", got, want);
    }
    return true;
}

static bool check_string(json_t *schema, json_t *inst, struct vctx *c)
{
    const char *s = json_string_value(inst);
    size_t len = utf8_code_points(s, json_string_length(inst));
    json_t *v;
    char got[80];
    describe(inst, got, sizeof got);
    if (json_is_integer(v = json_object_get(schema, "minLength")) &&
        (json_int_t)len < json_integer_value(v))
        return fail(c, "string %s has %zu characters, fewer than minLength %" JSON_INTEGER_FORMAT,
                    got, len, json_integer_value(v));
    if (json_is_integer(v = json_object_get(schema, "maxLength")) &&
        (json_int_t)len > json_integer_value(v))
        return fail(c, "string %s has %zu characters, more than maxLength %" JSON_INTEGER_FORMAT,
                    got, len, json_integer_value(v));
    const char *source = json_string_value(json_object_get(schema, "pattern"));
    if (source) {
        bool matched;
        if (!pattern_matches(c, source, s, &matched))
            return false;
        if (!matched)
            return fail(c, "string %s does not match pattern \"%s\"", got, source);
    }
    const char *format = json_string_value(json_object_get(schema, "format"));
    const char *problem = format ? format_problem(format, s) : NULL;
    if (problem)
        return fail(c, "string %s is not a valid \"%s\": expected %s", got, format, problem);
    return true;
}

static bool check_number(json_t *schema, json_t *inst, struct vctx *c)
{
    json_t *v;
    char got[80], lim[80];
    describe(inst, got, sizeof got);
    json_t *emin = json_object_get(schema, "exclusiveMinimum");
    json_t *emax = json_object_get(schema, "exclusiveMaximum");
    if (json_is_number(v = json_object_get(schema, "minimum"))) {
        int cmp = number_cmp(inst, v);
        if (cmp < 0 || (cmp == 0 && json_is_true(emin))) { /* OpenAPI 3.0 boolean form */
            describe(v, lim, sizeof lim);
            return fail(c, "%s is %s the minimum %s%s", got, cmp < 0 ? "below" : "equal to", lim,
                        cmp < 0 ? "" : " (exclusive)");
        }
    }
    if (json_is_number(v = json_object_get(schema, "maximum"))) {
        int cmp = number_cmp(inst, v);
        if (cmp > 0 || (cmp == 0 && json_is_true(emax))) {
            describe(v, lim, sizeof lim);
            return fail(c, "%s is %s the maximum %s%s", got, cmp > 0 ? "above" : "equal to", lim,
                        cmp > 0 ? "" : " (exclusive)");
        }
    }
    if (json_is_number(emin) && number_cmp(inst, emin) <= 0) {
        describe(emin, lim, sizeof lim);
        return fail(c, "%s is not greater than exclusiveMinimum %s", got, lim);
    }
    if (json_is_number(emax) && number_cmp(inst, emax) >= 0) {
        describe(emax, lim, sizeof lim);
        return fail(c, "%s is not less than exclusiveMaximum %s", got, lim);
    }
    if (json_is_number(v = json_object_get(schema, "multipleOf")) && json_number_value(v) > 0) {
        bool ok;
        if (json_is_integer(inst) && json_is_integer(v)) {
            ok = json_integer_value(inst) % json_integer_value(v) == 0;
        } else {
            double q = json_number_value(inst) / json_number_value(v);
            double scale = abs_double(q) > 1 ? abs_double(q) : 1;
            ok = abs_double(q - nearest_whole(q)) <= 1e-9 * scale;
        }
        if (!ok) {
            describe(v, lim, sizeof lim);
            return fail(c, "%s is not a multiple of %s", got, lim);
        }
    }
    return true;
}

static bool check_object(json_t *schema, json_t *inst, struct vctx *c, json_t *evaluated)
{
    json_t *v;
    size_t i;
    json_t *required = json_object_get(schema, "required");
    json_array_foreach(required, i, v)
    {
        const char *name = json_string_value(v);
        if (name && !json_object_get(inst, name))
            return fail(c, "missing required property \"%s\"", name);
    }
    size_t count = json_object_size(inst);
    if (json_is_integer(v = json_object_get(schema, "minProperties")) &&
        (json_int_t)count < json_integer_value(v))
        return fail(c, "object has %zu properties, fewer than minProperties %" JSON_INTEGER_FORMAT,
                    count, json_integer_value(v));
    if (json_is_integer(v = json_object_get(schema, "maxProperties")) &&
        (json_int_t)count > json_integer_value(v))
        return fail(c, "object has %zu properties, more than maxProperties %" JSON_INTEGER_FORMAT,
                    count, json_integer_value(v));

    json_t *props = json_object_get(schema, "properties");
    json_t *patterns = json_object_get(schema, "patternProperties");
    json_t *additional = json_object_get(schema, "additionalProperties");
    const char *key;
    json_t *value;
    json_object_foreach(inst, key, value)
    {
        bool matched = false;
        size_t old = ptr_push_key(c, key);
        json_t *sub = json_object_get(props, key);
        bool ok = true;
        if (sub) {
            matched = true;
            ok = validate(sub, value, c, NULL);
        }
        const char *pat;
        json_t *psub;
        json_object_foreach(patterns, pat, psub)
        {
            bool hit = false;
            if (!ok || !(ok = pattern_matches(c, pat, key, &hit)))
                break;
            if (hit) {
                matched = true;
                ok = validate(psub, value, c, NULL);
            }
        }
        if (ok && !matched && additional) {
            matched = true;
            if (json_is_false(additional))
                ok = fail(c, "unexpected property \"%s\" (additionalProperties is false)", key);
            else
                ok = validate(additional, value, c, NULL);
        }
        ptr_pop(c, old);
        if (!ok)
            return false;
        if (matched)
            mark(evaluated, key);
    }
    return true;
}

static bool check_array(json_t *schema, json_t *inst, struct vctx *c)
{
    json_t *v;
    size_t n = json_array_size(inst);
    if (json_is_integer(v = json_object_get(schema, "minItems")) &&
        (json_int_t)n < json_integer_value(v))
        return fail(c, "array has %zu items, fewer than minItems %" JSON_INTEGER_FORMAT, n,
                    json_integer_value(v));
    if (json_is_integer(v = json_object_get(schema, "maxItems")) &&
        (json_int_t)n > json_integer_value(v))
        return fail(c, "array has %zu items, more than maxItems %" JSON_INTEGER_FORMAT, n,
                    json_integer_value(v));
    if (json_is_true(json_object_get(schema, "uniqueItems")))
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (json_schema_equal(json_array_get(inst, i), json_array_get(inst, j)))
                    return fail(c, "items %zu and %zu are equal (uniqueItems)", i, j);

    json_t *prefix = json_object_get(schema, "prefixItems");
    json_t *items = json_object_get(schema, "items");
    if (json_is_array(items)) { /* draft 2019-09 tuple form */
        prefix = items;
        items = json_object_get(schema, "additionalItems");
    }
    size_t np = json_array_size(prefix);
    for (size_t i = 0; i < n; i++) {
        json_t *sub = i < np ? json_array_get(prefix, i) : items;
        if (!sub)
            continue;
        size_t old = ptr_push_index(c, i);
        bool ok = json_is_false(sub) ? fail(c, "no item allowed at this index")
                                     : validate(sub, json_array_get(inst, i), c, NULL);
        ptr_pop(c, old);
        if (!ok)
            return false;
    }

    json_t *contains = json_object_get(schema, "contains");
    if (contains) {
        json_int_t min = 1, max = -1, hits = 0;
        if (json_is_integer(v = json_object_get(schema, "minContains")))
            min = json_integer_value(v);
        if (json_is_integer(v = json_object_get(schema, "maxContains")))
            max = json_integer_value(v);
        for (size_t i = 0; i < n; i++) {
            size_t old = ptr_push_index(c, i);
            hits += try_validate(contains, json_array_get(inst, i), c, NULL, NULL, 0);
            ptr_pop(c, old);
        }
        if (hits < min)
            return fail(c, "%lld items match \"contains\", fewer than %lld", (long long)hits,
                        (long long)min);
        if (max >= 0 && hits > max)
            return fail(c, "%lld items match \"contains\", more than maxContains %lld",
                        (long long)hits, (long long)max);
    }
    return true;
}

/* anyOf (one = false) or oneOf (one = true). */
static bool check_any_one(json_t *list, bool one, json_t *inst, struct vctx *c, json_t *evaluated)
{
    const char *kw = one ? "oneOf" : "anyOf";
    size_t n = json_array_size(list);
    char *all = malloc(2 * BRANCH_ERR), *msg = malloc(BRANCH_ERR);
    if (!all || !msg) {
        free(all);
        free(msg);
        return fail(c, "out of memory");
    }
    all[0] = '\0';
    size_t passed = 0, first = 0, second = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        json_t *set = evaluated ? json_object() : NULL;
        if (try_validate(json_array_get(list, i), inst, c, set, msg, BRANCH_ERR)) {
            if (passed == 0)
                first = i;
            else if (passed == 1)
                second = i;
            passed++;
            if (evaluated)
                json_object_update(evaluated, set);
        } else {
            append(all, 2 * BRANCH_ERR, "%s[%zu] %s", i ? "; " : "", i, msg);
        }
        json_decref(set);
        if (passed && !one && !evaluated)
            break;
    }
    if (passed == 0)
        ok = fail(c, "matches none of the %s schemas: %s", kw, all);
    else if (one && passed > 1)
        ok = fail(c, "matches %zu oneOf schemas (%zu and %zu at least), expected exactly one",
                  passed, first, second);
    free(all);
    free(msg);
    return ok;
}

static bool validate_object_schema(json_t *schema, json_t *inst, struct vctx *c, json_t *evaluated)
{
    json_t *v;
    json_t *unevaluated = json_object_get(schema, "unevaluatedProperties");
    /* unevaluatedProperties sees only what this schema and its in-place subschemas
     * evaluated: collect that apart, hand it to the caller's set when all passed. */
    json_t *local = NULL, *outer = NULL;
    if (!json_is_object(inst)) {
        evaluated = NULL;
    } else if (unevaluated) {
        outer = evaluated;
        evaluated = local = json_object();
        if (!local)
            return fail(c, "out of memory");
    }
    bool ok = false;

    const char *ref = json_string_value(json_object_get(schema, "$ref"));
    if (ref) {
        json_t *target = ref_target(ref);
        if (!target) {
            fail(c, "the spec's $ref \"%s\" does not resolve", ref);
            goto done;
        }
        if (!validate(target, inst, c, evaluated))
            goto done;
    }
    if (!check_type(schema, inst, c) || !check_enum_const(schema, inst, c))
        goto done;
    if (json_is_string(inst) && !check_string(schema, inst, c))
        goto done;
    if (json_is_number(inst) && !check_number(schema, inst, c))
        goto done;
    if (json_is_object(inst) && !check_object(schema, inst, c, evaluated))
        goto done;
    if (json_is_array(inst) && !check_array(schema, inst, c))
        goto done;

    size_t i;
    json_t *sub;
    json_array_foreach(json_object_get(schema, "allOf"), i, sub)
    {
        if (!validate(sub, inst, c, evaluated))
            goto done;
    }
    if (json_is_array(v = json_object_get(schema, "anyOf")) &&
        !check_any_one(v, false, inst, c, evaluated))
        goto done;
    if (json_is_array(v = json_object_get(schema, "oneOf")) &&
        !check_any_one(v, true, inst, c, evaluated))
        goto done;
    if ((v = json_object_get(schema, "not")) && try_validate(v, inst, c, NULL, NULL, 0)) {
        fail(c, "matches the schema under \"not\"");
        goto done;
    }
    if ((v = json_object_get(schema, "if"))) {
        json_t *set = evaluated ? json_object() : NULL;
        bool cond = try_validate(v, inst, c, set, NULL, 0);
        if (cond && evaluated)
            json_object_update(evaluated, set);
        json_decref(set);
        json_t *branch = json_object_get(schema, cond ? "then" : "else");
        if (branch && !validate(branch, inst, c, evaluated))
            goto done;
    }

    if (unevaluated && json_is_object(inst)) {
        const char *key;
        json_t *value;
        json_object_foreach(inst, key, value)
        {
            if (json_object_get(evaluated, key))
                continue;
            size_t old = ptr_push_key(c, key);
            bool pass =
                json_is_false(unevaluated)
                    ? fail(c, "unexpected property \"%s\" (unevaluatedProperties is false)", key)
                    : validate(unevaluated, value, c, NULL);
            ptr_pop(c, old);
            if (!pass)
                goto done;
            mark(evaluated, key);
        }
    }
    ok = true;
    if (outer)
        json_object_update(outer, local);
done:
    json_decref(local);
    return ok;
}

static bool validate(json_t *schema, json_t *inst, struct vctx *c, json_t *evaluated)
{
    if (json_is_true(schema))
        return true;
    if (json_is_false(schema))
        return fail(c, "no value is allowed here (schema false)");
    if (!json_is_object(schema))
        return fail(c, "the spec has an invalid schema here (%s)", type_name(schema));
    if (c->depth >= MAX_DEPTH)
        return fail(c, "schema nesting deeper than %d (recursive $ref?)", MAX_DEPTH);
    c->depth++;
    bool ok = validate_object_schema(schema, inst, c, evaluated);
    c->depth--;
    return ok;
}

/* ------------------------------------------------------------ path matching */

/* Whether template segment [t, t+tl) matches concrete segment [s, s+sl); "{x}" takes
 * one or more characters. */
static bool segment_matches(const char *t, size_t tl, const char *s, size_t sl)
{
    while (tl > 0) {
        if (*t == '{') {
            const char *close = memchr(t, '}', tl);
            if (close) {
                size_t rest = tl - (size_t)(close + 1 - t);
                for (size_t take = 1; take <= sl; take++)
                    if (segment_matches(close + 1, rest, s + take, sl - take))
                        return true;
                return false;
            }
        }
        if (sl == 0 || *t != *s)
            return false;
        t++, tl--, s++, sl--;
    }
    return sl == 0;
}

static size_t segment_len(const char *s, const char *end)
{
    const char *slash = memchr(s, '/', (size_t)(end - s));
    return slash ? (size_t)(slash - s) : (size_t)(end - s);
}

static bool template_matches(const char *tpl, const char *path, size_t plen)
{
    const char *tend = tpl + strlen(tpl), *pend = path + plen;
    if (*tpl != '/' || plen == 0 || *path != '/')
        return false;
    const char *t = tpl + 1, *p = path + 1;
    for (;;) {
        size_t tl = segment_len(t, tend), pl = segment_len(p, pend);
        if (!segment_matches(t, tl, p, pl))
            return false;
        bool tmore = t + tl < tend, pmore = p + pl < pend;
        if (!tmore || !pmore)
            return tmore == pmore;
        t += tl + 1;
        p += pl + 1;
    }
}

/* Whether template a is more specific than b (both matched the same path): at the
 * first segment where one is literal and the other templated, the literal wins. */
static bool template_better(const char *a, const char *b)
{
    const char *aend = a + strlen(a), *bend = b + strlen(b);
    while (a < aend && b < bend) {
        size_t al = segment_len(a + 1, aend), bl = segment_len(b + 1, bend);
        bool alit = !memchr(a + 1, '{', al), blit = !memchr(b + 1, '{', bl);
        if (alit != blit)
            return alit;
        a += al + 1;
        b += bl + 1;
    }
    return false;
}

static const char *const METHODS[] = {"get",     "put",  "post",  "delete",
                                      "options", "head", "patch", "trace"};

/* ------------------------------------------------------------------ the API */

void openapi_unload(void)
{
    json_decref(g_doc);
    g_doc = NULL;
    while (g_patterns) {
        struct pattern *next = g_patterns->next;
        if (g_patterns->ok)
            regfree(&g_patterns->re);
        free(g_patterns->source);
        free(g_patterns);
        g_patterns = next;
    }
}

int openapi_load(const char *path)
{
    openapi_unload();
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        fprintf(stderr, "openapi_load: %s:%d:%d: %s\n", path, jerr.line, jerr.column, jerr.text);
        return -1;
    }
    if (!json_is_object(doc) || !json_is_object(json_object_get(doc, "paths"))) {
        fprintf(stderr, "openapi_load: %s: not an OpenAPI document (no \"paths\" object)\n", path);
        json_decref(doc);
        return -1;
    }
    g_doc = doc;
    return 0;
}

static bool report(char *err, size_t err_len, const char *where, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
static bool report(char *err, size_t err_len, const char *where, const char *fmt, ...)
{
    if (err_len == 0)
        return false;
    int n = snprintf(err, err_len, "%s: ", where);
    if (n >= 0 && (size_t)n < err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, err_len - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* The content map's entry for media type `mt`: exact, then a "type/..." range, then
 * the any-type wildcard. */
static json_t *find_media(json_t *content, const char *mt)
{
    const char *key;
    json_t *value, *range = NULL, *any = NULL;
    char norm[MEDIA_MAX];
    size_t slash = strcspn(mt, "/");
    json_object_foreach(content, key, value)
    {
        media_type_of(key, norm, sizeof norm);
        if (strcmp(norm, mt) == 0)
            return value;
        if (strcmp(norm, "*/*") == 0)
            any = value;
        else if (mt[slash] == '/' && strncmp(norm, mt, slash + 1) == 0 &&
                 strcmp(norm + slash + 1, "*") == 0)
            range = value;
    }
    return range ? range : any;
}

static void list_keys(json_t *obj, char *buf, size_t n)
{
    const char *key;
    json_t *value;
    buf[0] = '\0';
    json_object_foreach(obj, key, value)
    {
        append(buf, n, "%s%s", buf[0] ? ", " : "", key);
    }
}

bool openapi_check_response(const char *method, const char *path, int status,
                            const char *content_type, const char *body, size_t body_len, char *err,
                            size_t err_len)
{
    char where[512], list[512];
    if (err_len)
        err[0] = '\0';
    if (!method || !path)
        return report(err, err_len, "openapi_check_response", "method and path are required");
    size_t plen = strcspn(path, "?#");
    snprintf(where, sizeof where, "%s %.*s -> %d", method, (int)plen, path, status);
    if (!g_doc)
        return report(err, err_len, where, "no OpenAPI document loaded (openapi_load)");

    char m[16];
    lower_copy(m, sizeof m, method, strlen(method));
    bool head = strcmp(m, "head") == 0;
    bool known = false;
    for (size_t i = 0; i < sizeof METHODS / sizeof METHODS[0]; i++)
        known = known || strcmp(m, METHODS[i]) == 0;
    if (!known)
        return report(err, err_len, where, "\"%s\" is not an HTTP method OpenAPI describes",
                      method);

    json_t *paths = json_object_get(g_doc, "paths");
    const char *tpl = NULL, *key;
    json_t *item = NULL, *value;
    json_object_foreach(paths, key, value)
    {
        if (template_matches(key, path, plen) && (!tpl || template_better(key, tpl))) {
            tpl = key;
            item = value;
        }
    }
    if (!tpl)
        return report(err, err_len, where, "no path template in the spec matches \"%.*s\"",
                      (int)plen, path);
    item = deref(item);
    if (!item)
        return report(err, err_len, where, "the path item of %s does not resolve", tpl);
    json_t *op = json_object_get(item, m);
    if (!op && head)
        op = json_object_get(item, "get");
    op = op ? deref(op) : NULL;
    if (!op) {
        list[0] = '\0';
        for (size_t i = 0; i < sizeof METHODS / sizeof METHODS[0]; i++)
            if (json_object_get(item, METHODS[i]))
                append(list, sizeof list, "%s%s", list[0] ? ", " : "", METHODS[i]);
        return report(err, err_len, where, "operation not in the spec: %s documents only [%s]", tpl,
                      list);
    }
    snprintf(where, sizeof where, "%s %.*s (%s) -> %d", method, (int)plen, path, tpl, status);

    json_t *responses = json_object_get(op, "responses");
    json_t *resp = NULL;
    char code[16];
    if (status >= 100 && status <= 599) {
        snprintf(code, sizeof code, "%d", status);
        resp = json_object_get(responses, code);
        if (!resp) {
            snprintf(code, sizeof code, "%dXX", status / 100);
            resp = json_object_get(responses, code);
        }
        if (!resp) {
            snprintf(code, sizeof code, "%dxx", status / 100);
            resp = json_object_get(responses, code);
        }
    }
    if (!resp)
        resp = json_object_get(responses, "default");
    if (!resp) {
        list_keys(responses, list, sizeof list);
        return report(err, err_len, where, "status %d is not documented (documented: %s)", status,
                      list);
    }
    resp = deref(resp);
    if (!resp)
        return report(err, err_len, where, "the response object does not resolve");

    bool no_body = head || status == 204 || status == 304;
    if (status == 204 || status == 304)
        return true;
    json_t *content = json_object_get(resp, "content");
    if (json_object_size(content) == 0) {
        if (!no_body && body_len > 0)
            return report(err, err_len, where,
                          "a %zu-byte body was sent but the spec documents no content", body_len);
        return true;
    }

    char mt[MEDIA_MAX];
    media_type_of(content_type, mt, sizeof mt);
    list_keys(content, list, sizeof list);
    if (mt[0] == '\0') {
        if (head)
            return true;
        return report(err, err_len, where, "no Content-Type; the spec documents: %s", list);
    }
    json_t *media = find_media(content, mt);
    if (!media)
        return report(err, err_len, where,
                      "Content-Type \"%s\" is not documented for this status (documented: %s)", mt,
                      list);
    if (no_body || !is_json_media(mt))
        return true;
    media = deref(media);
    if (!media)
        return report(err, err_len, where, "the media type object does not resolve");

    json_error_t jerr;
    json_t *inst = json_loadb(body ? body : "", body ? body_len : 0,
                              JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!inst)
        return report(err, err_len, where, "the %s body is not valid JSON: %s (line %d, column %d)",
                      mt, jerr.text, jerr.line, jerr.column);
    json_t *schema = json_object_get(media, "schema");
    bool ok = true;
    if (schema) {
        struct vctx *c = calloc(1, sizeof *c);
        char *why = malloc(2 * BRANCH_ERR + 256);
        if (!c || !why) {
            ok = report(err, err_len, where, "out of memory");
        } else {
            c->err = why;
            c->err_len = 2 * BRANCH_ERR + 256;
            why[0] = '\0';
            if (!validate(schema, inst, c, NULL))
                ok = report(err, err_len, where, "body does not match the schema: %s", why);
        }
        free(c);
        free(why);
    }
    json_decref(inst);
    return ok;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t openapi_operations(char ***out)
{
    *out = NULL;
    json_t *paths = json_object_get(g_doc, "paths");
    size_t count = 0, cap = 0;
    char **list = NULL;
    const char *tpl;
    json_t *item;
    json_object_foreach(paths, tpl, item)
    {
        item = deref(item);
        for (size_t i = 0; item && i < sizeof METHODS / sizeof METHODS[0]; i++) {
            if (!json_object_get(item, METHODS[i]))
                continue;
            if (count == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                char **grown = realloc(list, ncap * sizeof *grown);
                if (!grown)
                    goto oom;
                list = grown;
                cap = ncap;
            }
            size_t len = strlen(METHODS[i]) + 1 + strlen(tpl) + 1;
            char *s = malloc(len);
            if (!s)
                goto oom;
            for (size_t k = 0; METHODS[i][k]; k++)
                s[k] = (char)toupper((unsigned char)METHODS[i][k]);
            snprintf(s + strlen(METHODS[i]), len - strlen(METHODS[i]), " %s", tpl);
            list[count++] = s;
        }
    }
    if (count)
        qsort(list, count, sizeof *list, compare_strings);
    *out = list;
    return count;
oom:
    fprintf(stderr, "openapi_operations: out of memory\n");
    openapi_free_list(list, count);
    return 0;
}

void openapi_free_list(char **list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        free(list[i]);
    free(list);
}
