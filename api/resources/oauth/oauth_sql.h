/* The SQL of the token endpoint (api_clients, revoked_tokens; migration 012). */
#ifndef OAUTH_SQL_H
#define OAUTH_SQL_H

/* clang-format off */

enum { OAUTH_COL_ORG, OAUTH_COL_SCOPES, OAUTH_COL_ACTIVE, OAUTH_COL_SECRET, OAUTH_COL_PREVIOUS };

/* $1 client_id: its organisation, its scopes space-separated, whether it is
 * active ("t"/"f"), its secret's SHA-256, and the previous secret's while the
 * rotation overlap lasts ("" otherwise). Active means the client and its
 * organisation both are. */
#define OAUTH_SQL_CLIENT                                                                           \
    "SELECT c.org, array_to_string(c.scopes, ' '), c.active AND o.active, c.secret_sha256,"        \
    " CASE WHEN c.previous_valid_until > now() THEN c.previous_sha256 ELSE '' END"                 \
    " FROM api_clients c JOIN organizations o ON o.slug = c.org WHERE c.client_id = $1"

/* $1 jti, $2 its token's exp (seconds since the epoch): the token is refused
 * from now on; the row is kept until then (`purge` may delete it after). No
 * rows. */
#define OAUTH_SQL_REVOKE                                                                           \
    "INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, to_timestamp($2::double precision))" \
    " ON CONFLICT (jti) DO NOTHING"

/* clang-format on */

#endif
