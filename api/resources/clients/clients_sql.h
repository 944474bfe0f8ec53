/* The SQL of the API clients (api_clients, migration 012). Every query that
 * returns a client returns, in this order: the client as JSON text (never its
 * secret nor a hash of it), its client_id, its ETag. */
#ifndef CLIENTS_SQL_H
#define CLIENTS_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

enum { CLIENT_COL_JSON, CLIENT_COL_ID, CLIENT_COL_ETAG };

#define CLIENT_SQL_COLUMNS                                                                         \
    "json_strip_nulls(json_build_object('client_id', c.client_id, 'org', c.org, 'name', c.name,"                    \
    " 'scopes', to_json(c.scopes), 'active', c.active,"                                            \
    " 'previous_secret_expires_at', CASE WHEN c.previous_valid_until > now()"                      \
    "   THEN c.previous_valid_until END,"                                                          \
    " 'created_at', c.created_at, 'updated_at', c.updated_at))::text, c.client_id,"                 \
    " '\"' || (extract(epoch FROM c.updated_at) * 1000000)::bigint || '\"'"

/* $1 client_id, $2 org, $3 name, $4 scopes as a JSON array of strings, $5 the
 * secret's SHA-256 (hex). A missing org is a foreign-key violation (23503). */
#define CLIENT_SQL_INSERT                                                                          \
    "INSERT INTO api_clients AS c (client_id, org, name, scopes, secret_sha256)"                   \
    " VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5)"                 \
    " RETURNING " CLIENT_SQL_COLUMNS

/* $1 org or NULL, $2 client_id after which to start or NULL, $3 limit + 1. */
#define CLIENT_SQL_LIST                                                                            \
    "SELECT " CLIENT_SQL_COLUMNS " FROM api_clients c"                                             \
    " WHERE ($1::text IS NULL OR c.org = $1) AND ($2::text IS NULL OR c.client_id > $2)"           \
    " ORDER BY c.client_id LIMIT $3::int"

/* $1 client_id. */
#define CLIENT_SQL_GET "SELECT " CLIENT_SQL_COLUMNS " FROM api_clients c WHERE c.client_id = $1"

/* $1 client_id, $2 name or NULL, $3 scopes (JSON array) or NULL, $4 active
 * ("true"/"false") or NULL. */
#define CLIENT_SQL_UPDATE                                                                          \
    "UPDATE api_clients c SET name = coalesce($2, c.name),"                                        \
    " scopes = CASE WHEN $3::jsonb IS NULL THEN c.scopes"                                          \
    "   ELSE ARRAY(SELECT jsonb_array_elements_text($3::jsonb)) END,"                              \
    " active = coalesce($4::boolean, c.active), updated_at = clock_timestamp()"                    \
    " WHERE c.client_id = $1 RETURNING " CLIENT_SQL_COLUMNS

/* $1 client_id: one row when it was deleted. */
#define CLIENT_SQL_DELETE "DELETE FROM api_clients WHERE client_id = $1 RETURNING client_id"

/* $1 client_id, $2 the new secret's SHA-256 (hex), $3 seconds the previous
 * one keeps working (CLIENT_SECRET_OVERLAP_S). */
#define CLIENT_SQL_ROTATE                                                                          \
    "UPDATE api_clients c SET previous_sha256 = c.secret_sha256,"                                  \
    " previous_valid_until = now() + make_interval(secs => $3::int),"                              \
    " secret_sha256 = $2, updated_at = clock_timestamp()"                                          \
    " WHERE c.client_id = $1 RETURNING " CLIENT_SQL_COLUMNS

/* clang-format on */

#endif
