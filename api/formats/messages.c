/* The catalogue: one entry per message id, each language beside the other.
 * French is the default language of the service (DEFAULT_LANGUAGE). */
#include "messages.h"

#include <stdio.h>

struct msg {
    const char *name;
    const char *text[LANG_COUNT];
};

#define M(id, fr, en) [id] = {#id, {[LANG_FR] = fr, [LANG_EN] = en}}

/* clang-format off */
static const struct msg catalogue[MSG_COUNT] = {
    M(MSG_TITLE_400, "Requête incorrecte", "Bad Request"),
    M(MSG_TITLE_401, "Authentification requise", "Unauthorized"),
    M(MSG_TITLE_403, "Accès refusé", "Forbidden"),
    M(MSG_TITLE_404, "Introuvable", "Not Found"),
    M(MSG_TITLE_405, "Méthode non autorisée", "Method Not Allowed"),
    M(MSG_TITLE_409, "Conflit", "Conflict"),
    M(MSG_TITLE_412, "Précondition non remplie", "Precondition Failed"),
    M(MSG_TITLE_413, "Contenu trop volumineux", "Content Too Large"),
    M(MSG_TITLE_414, "URI trop longue", "URI Too Long"),
    M(MSG_TITLE_415, "Type de contenu non pris en charge", "Unsupported Media Type"),
    M(MSG_TITLE_422, "Contenu impossible à traiter", "Unprocessable Content"),
    M(MSG_TITLE_429, "Trop de requêtes", "Too Many Requests"),
    M(MSG_TITLE_431, "En-têtes de requête trop volumineux", "Request Header Fields Too Large"),
    M(MSG_TITLE_500, "Erreur interne du serveur", "Internal Server Error"),
    M(MSG_TITLE_501, "Non implémenté", "Not Implemented"),
    M(MSG_TITLE_503, "Service indisponible", "Service Unavailable"),
    M(MSG_TITLE_504, "Délai de passerelle dépassé", "Gateway Timeout"),
    M(MSG_TITLE_OTHER, "Erreur", "Error"),

    M(MSG_BAD_REQUEST_SEE_ERRORS,
      "La requête est mal formée ; voir errors.",
      "The request is malformed; see errors."),
    M(MSG_VALIDATION_SEE_ERRORS,
      "Certains champs sont invalides ; voir errors.",
      "Some fields are invalid; see errors."),
    M(MSG_BODY_TOO_LARGE,
      "Le corps de la requête dépasse %zu octets.",
      "The request body is over %zu bytes."),
    M(MSG_BODY_MEDIA_TYPE,
      "Le corps de la requête doit être du %s (UTF-8).",
      "The request body must be %s (UTF-8)."),
    M(MSG_VALUE_OUT_OF_RANGE,
      "Une valeur de la requête est hors limites ou mal formée.",
      "A value of the request is out of range or malformed."),
    M(MSG_QUERY_TOO_EXPENSIVE,
      "La requête demande plus de travail que la base de données n'en accorde à une requête ; "
      "réduisez la période ou les filtres, ou demandez moins de points.",
      "The request needs more work than the database is allowed per request; "
      "narrow the period or the filters, or ask for fewer points."),
    M(MSG_DATABASE_UNAVAILABLE,
      "La base de données est injoignable ; réessayez dans un instant.",
      "The database is unreachable; retry shortly."),
    M(MSG_INTERNAL,
      "Une erreur interne s'est produite ; elle a été journalisée.",
      "An internal error occurred; it has been logged."),
    M(MSG_ENCODING_FAILED,
      "La réponse n'a pas pu être encodée.",
      "The response could not be encoded."),
    M(MSG_URI_TOO_LONG,
      "L'URL est trop longue (chemin 2 Kio, en tout 16 Kio).",
      "The URL is too long (path 2 KiB, all 16 KiB)."),
    M(MSG_HEADERS_TOO_LARGE,
      "Les en-têtes de la requête dépassent 16 Kio.",
      "The request headers exceed 16 KiB."),
    M(MSG_FRAMING_METHOD,
      "La méthode de la requête n'est pas un jeton valide.",
      "The request method is not a valid token."),
    M(MSG_FRAMING_HEADER_NAME,
      "Un nom d'en-tête n'est pas un jeton valide (une espace avant les deux-points ?).",
      "A header name is not a valid token (a space before its colon?)."),
    M(MSG_FRAMING_TWO_LENGTHS,
      "La requête a plus d'un en-tête Content-Length.",
      "The request has more than one Content-Length header."),
    M(MSG_FRAMING_LENGTH_AND_CODING,
      "La requête a à la fois Content-Length et Transfer-Encoding.",
      "The request has both Content-Length and Transfer-Encoding."),
    M(MSG_FRAMING_CODING,
      "Le seul codage de transfert accepté est chunked.",
      "The only transfer coding accepted is chunked."),
    M(MSG_FRAMING_QUERY_UTF8,
      "La chaîne de requête (query) n'est pas en UTF-8.",
      "The query string is not valid UTF-8."),
    M(MSG_NOTHING_AT_PATH,
      "Il n'y a rien à cette adresse.",
      "There is nothing at this path."),
    M(MSG_METHOD_NOT_ALLOWED,
      "Cette adresse accepte %s.",
      "This path accepts %s."),
    M(MSG_RATE_LIMITED,
      "Trop de requêtes ; réessayez après le nombre de secondes de Retry-After.",
      "Too many requests; retry after Retry-After seconds."),
    M(MSG_MISSING_TOKEN,
      "Cette opération demande un jeton (bearer token).",
      "This operation needs a bearer token."),
    M(MSG_TOKEN_REFUSED,
      "Le jeton est refusé : %s.",
      "The token is refused: %s."),
    M(MSG_TOKEN_SCHEME,
      "Le schéma de l'en-tête Authorization doit être Bearer.",
      "The Authorization scheme must be Bearer."),
    M(MSG_TOKEN_ORG_UNKNOWN,
      "L'organisation du jeton n'est pas dans l'annuaire.",
      "The token's organisation is not in the directory."),
    M(MSG_TOKEN_EXPIRED,
      "Le jeton a expiré ; demandez-en un nouveau.",
      "The token has expired; get a new one."),
    M(MSG_TOKEN_NOT_YET_VALID,
      "Le jeton n'est pas encore valable (nbf ou iat dans le futur).",
      "The token is not valid yet (nbf or iat in the future)."),
    M(MSG_TOKEN_BAD_SIGNATURE,
      "La signature du jeton n'est pas valide.",
      "The token's signature is not valid."),
    M(MSG_TOKEN_MALFORMED,
      "Le jeton n'est pas un JWT signé bien formé : %s.",
      "The token is not a well-formed signed JWT: %s."),
    M(MSG_TOKEN_ALGORITHM,
      "L'algorithme du jeton n'est pas accepté.",
      "The token's algorithm is not accepted."),
    M(MSG_TOKEN_ISSUER,
      "L'émetteur (iss) du jeton n'est pas accepté.",
      "The token's issuer (iss) is not accepted."),
    M(MSG_TOKEN_AUDIENCE,
      "L'audience (aud) du jeton n'est pas acceptée.",
      "The token's audience (aud) is not accepted."),
    M(MSG_TOKEN_CLAIMS,
      "Les claims du jeton sont incomplètes ou invalides : %s.",
      "The token's claims are missing or invalid: %s."),
    M(MSG_INSUFFICIENT_SCOPE,
      "Cette opération demande le scope « %s ».",
      "This operation needs the scope \"%s\"."),
    M(MSG_NOT_OWNER,
      "Seule l'organisation propriétaire (ou admin) peut modifier ceci.",
      "Only the owning organisation (or admin) may change this."),
    M(MSG_IDEMPOTENCY_IN_FLIGHT,
      "Une requête avec cette Idempotency-Key est encore en cours ; réessayez plus tard.",
      "A request with this Idempotency-Key is still being processed; retry later."),
    M(MSG_IDEMPOTENCY_OTHER_ROUTE,
      "Cette Idempotency-Key a été utilisée sur une autre route.",
      "This Idempotency-Key was used on another route."),
    M(MSG_IDEMPOTENCY_OTHER_BODY,
      "Cette Idempotency-Key a été utilisée avec un autre corps.",
      "This Idempotency-Key was used with another body."),
    M(MSG_OPENAPI_NOT_EMBEDDED,
      "Ce document n'est pas embarqué dans cette version.",
      "This document is not embedded in this build."),
    M(MSG_REFERENCE_UNKNOWN,
      "Aucune liste de référence ne porte ce nom ; voir /docs.",
      "No reference list has this name; see /docs."),

    M(MSG_SKILLS_SCORE,
      "arrondi(100 x somme des 12 niveaux / 36, 1 décimale)",
      "round(100 x sum of the 12 levels / 36, 1 decimal)"),
    M(MSG_SKILLS_AUTONOMY,
      "autonome quand la somme des niveaux atteint au moins %d (score d'au moins 66,7) : en "
      "moyenne la personne fait chaque tâche seule",
      "autonomous when the sum of the levels is at least %d (score at least 66.7): on "
      "average the person does each task alone"),

    M(MSG_FIELD_UNKNOWN_QUERY, "paramètre de requête inconnu", "unknown query parameter"),
    M(MSG_FIELD_INVALID_JSON,
      "JSON invalide ligne %d, colonne %d : %s",
      "invalid JSON at line %d, column %d: %s"),
    M(MSG_FIELD_NOT_OBJECT, "doit être un objet JSON", "must be a JSON object"),
    M(MSG_FIELD_READ_ONLY, "est en lecture seule", "is read-only"),
    M(MSG_FIELD_UNKNOWN, "n'est pas un champ connu", "is not a known field"),
    M(MSG_FIELD_REQUIRED, "est obligatoire", "is required"),
    M(MSG_FIELD_NOT_STRING, "doit être une chaîne de caractères", "must be a string"),
    M(MSG_FIELD_LENGTH,
      "doit faire de %zu à %zu caractères",
      "must be %zu to %zu characters long"),
    M(MSG_FIELD_CONTROL_CHARS,
      "ne doit pas contenir de caractères de contrôle",
      "must not contain control characters"),
    M(MSG_FIELD_ONE_OF, "doit être l'une des valeurs : %s", "must be one of: %s"),
    M(MSG_FIELD_ONE_OF_CODES,
      "doit être l'un des codes de /v1/reference/%s",
      "must be one of the codes of /v1/reference/%s"),
    M(MSG_FIELD_INTEGER_RANGE,
      "doit être un entier de %ld à %ld",
      "must be an integer from %ld to %ld"),
    M(MSG_FIELD_INT_RANGE,
      "doit être un entier de %d à %d",
      "must be an integer from %d to %d"),
    M(MSG_FIELD_RFC3339,
      "doit être une date et heure RFC 3339 telle que 2026-12-08T09:00:00+01:00",
      "must be an RFC 3339 time such as 2026-12-08T09:00:00+01:00"),
};
/* clang-format on */

const char *msg_text(enum msg_id id, enum lang lang)
{
    if (id < 0 || id >= MSG_COUNT)
        return "";
    if (lang < 0 || lang >= LANG_COUNT)
        lang = LANG_FR;
    const char *text = catalogue[id].text[lang];
    return text ? text : catalogue[id].text[LANG_EN] ? catalogue[id].text[LANG_EN] : "";
}

const char *msg_raw(enum msg_id id, enum lang lang)
{
    if (id < 0 || id >= MSG_COUNT || lang < 0 || lang >= LANG_COUNT)
        return NULL;
    return catalogue[id].text[lang];
}

const char *msg_name(enum msg_id id)
{
    return id >= 0 && id < MSG_COUNT && catalogue[id].name ? catalogue[id].name : NULL;
}

/* The one place that formats with a format from the catalogue: the unit test
 * of the catalogue checks that every language has the same conversions. */
char *msg_vformat(char *buf, size_t cap, enum lang lang, enum msg_id id, va_list ap)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(buf, cap, msg_text(id, lang), ap);
#pragma GCC diagnostic pop
    return buf;
}

char *msg_format(char *buf, size_t cap, enum lang lang, enum msg_id id, ...)
{
    va_list ap;
    va_start(ap, id);
    msg_vformat(buf, cap, lang, id, ap);
    va_end(ap);
    return buf;
}
