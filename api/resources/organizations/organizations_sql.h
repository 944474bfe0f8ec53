/* The SQL of the partner directory. Every query returns, in this order: the
 * organisation as JSON text, its slug, its ETag. */
#ifndef ORGANIZATIONS_SQL_H
#define ORGANIZATIONS_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

enum { ORG_COL_JSON, ORG_COL_SLUG, ORG_COL_ETAG };

#define ORG_SQL_COLUMNS(t)                                                                         \
    "json_build_object('slug', " t ".slug, 'name', " t ".name, 'kind', " t ".kind, "               \
    "'active', " t ".active, "                                                                     \
    "'created_at', " t ".created_at, 'updated_at', " t ".updated_at)::text, " t ".slug, "          \
    "'\"' || (extract(epoch FROM " t ".updated_at) * 1000000)::bigint || '\"'"

/* $1 kind or NULL, $2 slug after which to start or NULL, $3 limit + 1. */
#define ORG_SQL_LIST                                                                               \
    "SELECT " ORG_SQL_COLUMNS(                                                                     \
        "o") " FROM organizations o "                                                              \
             "WHERE ($1::text IS NULL OR o.kind = $1) AND ($2::text IS NULL OR o.slug > $2) "      \
             "ORDER BY o.slug LIMIT $3::int"

/* $1 slug. */
#define ORG_SQL_GET "SELECT " ORG_SQL_COLUMNS("o") " FROM organizations o WHERE o.slug = $1"

/* $1 slug, $2 name, $3 kind. */
#define ORG_SQL_INSERT                                                                             \
    "INSERT INTO organizations AS o (slug, name, kind) VALUES ($1, $2, $3) "                       \
    "RETURNING " ORG_SQL_COLUMNS("o")

/* $1 slug: the row, locked until the end of the transaction. */
#define ORG_SQL_GET_FOR_UPDATE ORG_SQL_GET " FOR UPDATE"

/* $1 slug, $2 name or NULL, $3 kind or NULL, $4 active ("true"/"false") or
 * NULL. updated_at (and so the ETag) moves only when something changed. */
#define ORG_SQL_UPDATE                                                                             \
    "UPDATE organizations o SET name = coalesce($2, o.name), kind = coalesce($3, o.kind), "        \
    "active = coalesce($4::boolean, o.active), "                                                   \
    "updated_at = CASE WHEN (coalesce($2, o.name), coalesce($3, o.kind), "                         \
    "coalesce($4::boolean, o.active)) IS DISTINCT FROM "                                           \
    "(o.name, o.kind, o.active) THEN clock_timestamp() ELSE o.updated_at END "                     \
    "WHERE o.slug = $1 RETURNING " ORG_SQL_COLUMNS("o")

/* clang-format on */

#endif
