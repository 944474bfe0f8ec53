/* The SQL of the token endpoint (api_clients, revoked_tokens; migration 012). */
#ifndef OAUTH_SQL_H
#define OAUTH_SQL_H

/* clang-format off */

enum { OAUTH_COL_ORG, OAUTH_COL_SCOPES, OAUTH_COL_ACTIVE, OAUTH_COL_SECRET, OAUTH_COL_PREVIOUS };

/* $1 client_id: its organisation, its scopes space-separated, whether it is
 * active ("t"/"f"), its secret's SHA-256, and the previous secret's while the
 * rotation overlap lasts ("" otherwise). */
#define OAUTH_SQL_CLIENT                                                                           \
    "SELECT c.org, array_to_string(c.scopes, ' '), c.active, c.secret_sha256,"                     \
    " CASE WHEN c.previous_valid_until > now() THEN c.previous_sha256 ELSE '' END"                 \
    " FROM api_clients c WHERE c.client_id = $1"

/* clang-format on */

#endif
