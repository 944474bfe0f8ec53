/* The SQL of the partner directory. Every query returns, in this order: the
 * organisation as JSON text, its slug, its ETag (and for the update, whether
 * the row was changed). */
#ifndef ORGANIZATIONS_SQL_H
#define ORGANIZATIONS_SQL_H

enum { ORG_COL_JSON, ORG_COL_SLUG, ORG_COL_ETAG, ORG_COL_UPDATED };

#define ORG_SQL_COLUMNS(t)                                                                         \
    "json_build_object('slug', " t ".slug, 'name', " t ".name, 'kind', " t ".kind, "             \
    "'created_at', " t ".created_at, 'updated_at', " t ".updated_at)::text, " t ".slug, "         \
    "'\"' || (extract(epoch FROM " t ".updated_at) * 1000000)::bigint || '\"'"

/* $1 kind or NULL, $2 slug after which to start or NULL, $3 limit + 1. */
#define ORG_SQL_LIST                                                                               \
    "SELECT " ORG_SQL_COLUMNS("o") " FROM organizations o "                                        \
    "WHERE ($1::text IS NULL OR o.kind = $1) AND ($2::text IS NULL OR o.slug > $2) "               \
    "ORDER BY o.slug LIMIT $3::int"

/* $1 slug. */
#define ORG_SQL_GET "SELECT " ORG_SQL_COLUMNS("o") " FROM organizations o WHERE o.slug = $1"

/* $1 slug, $2 name, $3 kind. */
#define ORG_SQL_INSERT                                                                             \
    "INSERT INTO organizations AS o (slug, name, kind) VALUES ($1, $2, $3) "                      \
    "RETURNING " ORG_SQL_COLUMNS("o")

/* $1 slug, $2 name or NULL, $3 kind or NULL, $4 If-Match or NULL. Returns the
 * row as it is after the statement, and 't' when it was changed, 'f' when the
 * If-Match precondition failed; no row when the slug is unknown. */
#define ORG_SQL_UPDATE                                                                             \
    "WITH changed AS (UPDATE organizations o SET name = coalesce($2, o.name), "                    \
    "kind = coalesce($3, o.kind), updated_at = clock_timestamp() "                                 \
    "WHERE o.slug = $1 AND ($4::text IS NULL OR $4 = '*' OR $4 = "                                 \
    "'\"' || (extract(epoch FROM o.updated_at) * 1000000)::bigint || '\"') RETURNING o.*) "        \
    "SELECT " ORG_SQL_COLUMNS("c") ", 't' FROM changed c "                                         \
    "UNION ALL SELECT " ORG_SQL_COLUMNS("o") ", 'f' FROM organizations o "                         \
    "WHERE o.slug = $1 AND NOT EXISTS (SELECT 1 FROM changed)"

#endif
