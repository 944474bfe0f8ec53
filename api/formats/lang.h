/* The languages the API speaks, and Accept-Language negotiation (RFC 9110
 * §12.5.4, language ranges of RFC 4647). Pure: no allocation, no I/O.
 *
 * The language of the request being answered is also kept per thread
 * (lang_set_current, set by the router for each request), so that the
 * messages built in formats/ (validate.c) follow it without every check
 * taking a language argument. */
#ifndef LANG_H
#define LANG_H

#include <stdbool.h>

enum lang { LANG_FR, LANG_EN, LANG_COUNT };

/* "fr", "en". */
const char *lang_code(enum lang lang);

/* The language of a code ("fr", "EN"); false when it is not one we speak. */
bool lang_parse(const char *code, enum lang *out);

/* The language to answer in for an Accept-Language value (NULL: absent).
 * Quality values are honoured (q=0 excludes a language), a range matches by
 * its primary subtag ("fr-FR" and "fr-CA" ask for fr), "*" stands for every
 * language not named; among equal qualities the range listed first wins, and
 * `fallback` wins when nothing else decides (absent, malformed, only other
 * languages, everything excluded). */
enum lang lang_negotiate(const char *accept_language, enum lang fallback);

/* The language of the request this thread is answering (LANG_EN outside a
 * request: the command line). */
enum lang lang_current(void);
void lang_set_current(enum lang lang);

#endif
