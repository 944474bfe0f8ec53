#include "lang.h"

#include <string.h>
#include <strings.h>

static const char *const codes[LANG_COUNT] = {[LANG_FR] = "fr", [LANG_EN] = "en"};

/* English outside a request (the command line, unit tests): the router sets
 * the negotiated language for each request. */
static _Thread_local enum lang current = LANG_EN;

const char *lang_code(enum lang lang)
{
    return lang >= 0 && lang < LANG_COUNT ? codes[lang] : codes[LANG_FR];
}

bool lang_parse(const char *code, enum lang *out)
{
    for (int i = 0; code && i < LANG_COUNT; i++)
        if (strcasecmp(code, codes[i]) == 0) {
            *out = (enum lang)i;
            return true;
        }
    return false;
}

enum lang lang_current(void)
{
    return current;
}

void lang_set_current(enum lang lang)
{
    current = lang >= 0 && lang < LANG_COUNT ? lang : LANG_EN;
}

static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* A weight "q=0.5" (qvalue of RFC 9110 §12.4.2) in thousandths, or -1. */
static int parse_weight(const char *s, size_t len)
{
    if (len < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=')
        return -1;
    s += 2;
    len -= 2;
    if (s[0] != '0' && s[0] != '1')
        return -1;
    int whole = s[0] - '0', frac = 0, digits = 0;
    if (len > 1) {
        if (s[1] != '.' || len > 5)
            return -1;
        for (size_t i = 2; i < len; i++) {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            frac = frac * 10 + (s[i] - '0');
            digits++;
        }
    }
    for (; digits < 3; digits++)
        frac *= 10;
    int q = whole * 1000 + frac;
    return q > 1000 ? -1 : q;
}

/* One element "range *( OWS ; OWS param )" of s[0..len): its range's primary
 * subtag (or "*") in tag and its weight; false when malformed. */
static bool parse_element(const char *s, size_t len, char tag[9], int *weight)
{
    size_t i = 0, n = 0;
    *weight = 1000;
    if (i < len && s[i] == '*') {
        tag[n++] = '*';
        i++;
    } else {
        while (i < len && is_alpha(s[i]) && n < 8)
            tag[n++] = s[i++];
        if (n == 0)
            return false;
        while (i < len && s[i] == '-') { /* subtags: checked, not kept */
            size_t start = ++i;
            while (i < len && is_alnum(s[i]))
                i++;
            if (i == start || i - start > 8)
                return false;
        }
    }
    tag[n] = '\0';
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == len)
            break;
        if (s[i] != ';')
            return false;
        i++;
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t start = i;
        while (i < len && s[i] != ';' && s[i] != ' ' && s[i] != '\t')
            i++;
        if ((s[start] == 'q' || s[start] == 'Q') && start + 1 < len && s[start + 1] == '=') {
            *weight = parse_weight(s + start, i - start);
            if (*weight < 0)
                return false;
        }
    }
    return true;
}

enum lang lang_negotiate(const char *header, enum lang fallback)
{
    if (fallback < 0 || fallback >= LANG_COUNT)
        fallback = LANG_FR;
    if (!header)
        return fallback;
    int q[LANG_COUNT], pos[LANG_COUNT], any_q = -1, any_pos = 0, index = 0;
    for (int l = 0; l < LANG_COUNT; l++)
        q[l] = -1, pos[l] = 0;
    for (const char *s = header; *s; index++) {
        s = skip_ows(s);
        size_t len = strcspn(s, ",");
        size_t trimmed = len;
        while (trimmed && (s[trimmed - 1] == ' ' || s[trimmed - 1] == '\t'))
            trimmed--;
        char tag[9];
        int weight;
        if (trimmed && parse_element(s, trimmed, tag, &weight)) {
            enum lang l;
            if (strcmp(tag, "*") == 0) {
                if (weight > any_q)
                    any_q = weight, any_pos = index;
            } else if (lang_parse(tag, &l) && weight > q[l]) {
                q[l] = weight;
                pos[l] = index;
            }
        }
        s += len;
        if (*s == ',')
            s++;
    }
    int best = -1, best_q = 0, best_pos = 0;
    for (int l = 0; l < LANG_COUNT; l++) {
        int lq = q[l] >= 0 ? q[l] : any_q, lp = q[l] >= 0 ? pos[l] : any_pos;
        if (lq <= 0)
            continue;
        bool better = best < 0 || lq > best_q || (lq == best_q && lp < best_pos) ||
                      (lq == best_q && lp == best_pos && l == (int)fallback);
        if (better)
            best = l, best_q = lq, best_pos = lp;
    }
    return best < 0 ? fallback : (enum lang)best;
}
