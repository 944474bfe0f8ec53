/* The SQL of the dashboard's share links (dashboard_links, migration 016).
 * Every query that returns a link returns it as JSON text (never its secret
 * nor its hash). */
#ifndef DASHBOARD_LINKS_SQL_H
#define DASHBOARD_LINKS_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

#define LINK_SQL_JSON                                                                              \
    "json_strip_nulls(json_build_object('id', l.id, 'org', l.org, 'label', l.label,"              \
    " 'commune', l.commune, 'from', l.period_from, 'to', l.period_to,"                            \
    " 'created_at', l.created_at, 'revoked_at', l.revoked_at))::text"

/* $1 org, $2 label, $3 secret's SHA-256 (hex), $4 commune or NULL, $5 from or
 * NULL, $6 to or NULL, $7 created_by. No row when the organisation already
 * holds 100 links not revoked; a commune not of the Gers is a foreign-key
 * violation (23503). Columns: the link, its id, its ETag. */
#define LINK_SQL_INSERT                                                                            \
    "INSERT INTO dashboard_links AS l (org, label, secret_sha256, commune, period_from,"           \
    " period_to, created_by)"                                                                      \
    " SELECT $1, $2, $3, $4, $5::date, $6::date, $7"                                               \
    " WHERE (SELECT count(*) FROM dashboard_links d WHERE d.org = $1 AND d.revoked_at IS NULL) < 100" \
    " RETURNING " LINK_SQL_JSON ", l.id,"                                                         \
    " '\"' || (extract(epoch FROM l.created_at) * 1000000)::bigint || '\"'"

/* $1 org: its links, newest first (at most 200: the 100 live ones
 * and the latest revoked). */
#define LINK_SQL_LIST                                                                              \
    "SELECT " LINK_SQL_JSON " FROM dashboard_links l WHERE l.org = $1"                             \
    " ORDER BY l.revoked_at IS NOT NULL, l.created_at DESC, l.id LIMIT 200"

/* $1 id, $2 org: revokes (once); no row when the link is not the org's. */
#define LINK_SQL_REVOKE                                                                            \
    "UPDATE dashboard_links l SET revoked_at = coalesce(l.revoked_at, now())"                      \
    " WHERE l.id = $1::uuid AND l.org = $2 RETURNING l.id"

/* clang-format on */

#endif
