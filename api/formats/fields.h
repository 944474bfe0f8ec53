/* Validators for a place's contact and address fields, as the national data
 * standard for places of digital mediation (v1.0.2) writes them.
 *
 * Pure functions: no allocation, no I/O, no global state but the thread's language; safe from any
 * thread. Each returns true when the value is acceptable; on false, and when
 * `why` is not NULL, *why points to a short static reason naming the rule, in
 * the thread's language (lang_current; MSG_FIELDS_* of messages.h), fit for an
 * API error message ("must be an e-mail address such as contact@mairie.fr"). *why is left untouched
 * on success. Inputs are taken as they are: no trimming, so surrounding spaces are refused. */
#ifndef FIELDS_H
#define FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#define FIELDS_EMAIL_MAX 254  /* characters of an e-mail address */
#define FIELDS_URL_MAX   2048 /* characters of a web address */
#define FIELDS_E164_SIZE 17   /* bytes that hold any E.164 number: "+", 15 digits, NUL */

/* One e-mail address, local@domain: the local part (at most 64) of letters,
 * digits and ! # $ % & ' * + / = ? ^ _ ` { } ~ - with dots between them (no
 * quoted strings, no "|", the standard's list separator); the domain of
 * dot-separated labels of letters, digits and inner hyphens, at least two,
 * the last one letters (2 or more) or an "xn--" label. ASCII only. */
bool fields_email(const char *s, const char **why);

/* A French telephone number, normalised to E.164 in e164 (cap bytes, at least
 * FIELDS_E164_SIZE; e164 may be NULL to validate only; "" on failure).
 * Accepted: national "0X XX XX XX XX" (10 digits) and international "+CC..."
 * or "00CC..." with spaces, dots or hyphens between digits, and "(0)" right
 * after the country code ("+33 (0)5 62 03 01 09"). Country codes are the
 * standard's: +33 and the overseas +590 +594 +262 +596 (9 digits after them),
 * +269 +687 +689 +508 +681 (6 to 9 digits, as the standard allows). National
 * numbers of the overseas departments get their own code (0590 12 34 56 ->
 * +590590123456); other national numbers get +33 (05 62 03 01 09 ->
 * +33562030109). Refused: a 0 kept after the country code (+330562660408),
 * too many or too few digits, letters, other signs. */
bool fields_phone(const char *s, char *e164, size_t cap, const char **why);

/* A web address: http:// or https:// (any case), a host name with at least
 * one dot (same rules as an e-mail domain: no IP address, no "localhost", no
 * user name), an optional port 1..65535, then an optional path, query and
 * fragment of RFC 3986 characters with valid %XX escapes (no spaces, no "|",
 * no raw non-ASCII). At most FIELDS_URL_MAX characters. */
bool fields_url(const char *s, const char **why);

/* Five digits (the standard's ^\d{5}$). */
bool fields_postal_code(const char *s, const char **why);

/* An INSEE commune code (the standard's ^([013-9]\d|2[AB1-9])\d{3}$). */
bool fields_insee_code(const char *s, const char **why);

/* The standard's pivot (^[a-zA-Z0-9]{9,14}$: SIRET, RNA or RIDET). When it
 * is 14 digits it is a SIRET: its SIREN (9 first digits) and itself must pass
 * the Luhn check, except that La Poste's establishments (SIREN 356000000)
 * may instead have digits that add up to a multiple of 5. "00000000000000",
 * the placeholder for an unknown SIRET, is accepted; any other SIREN
 * 000000000 is refused. */
bool fields_pivot(const char *s, const char **why);

/* WGS84 degrees: finite, -90..90 and -180..180 inclusive. */
bool fields_latitude(double v, const char **why);
bool fields_longitude(double v, const char **why);

/* Metropolitan France with Corsica, generously (latitude 41 to 51.5, longitude
 * -5.8 to 10): where a `near` point must fall. `near` is latitude,longitude
 * while bbox and GeoJSON are longitude,latitude: a point outside is most often
 * one swapped, and is refused with MSG_FIELDS_NEAR_SWAPPED (messages.h) rather than answered
 * with an empty list. */
bool fields_in_france(double latitude, double longitude);

#endif
