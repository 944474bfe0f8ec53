/* The SQL of places. The statements that list every field of a place (insert,
 * upsert, update, the place as JSON) are made from the table of
 * place_fields.h, once, by places_sql() (places_sql.c), out of the templates
 * below: `{name}` is a hole that places_sql.c fills (a list it made from the
 * table, or a parameter's number). Parameters $1..$PC_COUNT are the columns of
 * enum place_column, in order; lists arrive as JSON arrays. Queries that
 * return places return, in this order: the place as JSON text, its id, its
 * ETag. The alias of places is always p. */
#ifndef PLACES_SQL_H
#define PLACES_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

enum { PLACE_COL_JSON, PLACE_COL_ID, PLACE_COL_ETAG, PLACE_COL_EXTRA };

/* The statements and lists made from place_fields.h (built once; never freed). */
struct places_sql {
    const char *insert, *upsert, *update, *get, *get_for_update;
    const char *json_args;       /* the arguments of json_build_object for a place p */
    const char *properties_args; /* the same without its id and coordinates */
};
const struct places_sql *places_sql(void);

/* $1..$PC_COUNT: a new place; a (source, source_id) already used violates the unique key. */
#define PLACES_SQL_INSERT (places_sql()->insert)
/* $1..$PC_COUNT: insert or update by (source, source_id) (see the template). */
#define PLACES_SQL_UPSERT (places_sql()->upsert)
/* $1..$PC_COUNT, then the id: replaces every column of a live place. */
#define PLACES_SQL_UPDATE (places_sql()->update)
/* $1 id: a live place. */
#define PLACES_SQL_GET (places_sql()->get)
/* $1 id: a live place, locked for the transaction, with its owner. */
#define PLACES_SQL_GET_FOR_UPDATE (places_sql()->get_for_update)

/* A parameter by its number. */
#define PLACES_SQL_PARAM "$%d"

/* A stored column in the column lists: as it is, of EXCLUDED, of p. */
#define PLACES_SQL_COLUMN          "{column}"
#define PLACES_SQL_EXCLUDED_COLUMN "EXCLUDED.{column}"
#define PLACES_SQL_COLUMN_OF_P     "p.{column}"

/* The value of a column from its parameter, by the `sql` kind of its line in
 * place_fields.h ({param}: its $n; {next}: the next one, the longitude). */
#define PLACES_SQL_VALUE_TEXT          "{param}"
#define PLACES_SQL_VALUE_TEXT_OR_UUID  "coalesce({param}, gen_random_uuid()::text)"
#define PLACES_SQL_VALUE_LATITUDE                                                                  \
    "CASE WHEN {param}::float8 IS NULL THEN NULL ELSE "                                            \
    "ST_SetSRID(ST_MakePoint({next}::float8, {param}::float8), 4326)::geography END"
#define PLACES_SQL_VALUE_LONGITUDE     NULL /* no column of its own: the point of LATITUDE */
#define PLACES_SQL_VALUE_ARRAY         "ARRAY(SELECT jsonb_array_elements_text({param}::jsonb))"
#define PLACES_SQL_VALUE_MINUTES       "{param}::int4multirange"
#define PLACES_SQL_VALUE_BOOLEAN       "{param}::boolean"
#define PLACES_SQL_VALUE_DATE_OR_TODAY "coalesce({param}::date, current_date)"

/* The value of a member of the place's JSON from its column, by the same kind. */
#define PLACES_SQL_MEMBER_TEXT          "p.{column}"
#define PLACES_SQL_MEMBER_TEXT_OR_UUID  "p.{column}"
#define PLACES_SQL_MEMBER_LATITUDE      "ST_Y(p.{column}::geometry)"
#define PLACES_SQL_MEMBER_LONGITUDE     "ST_X(p.{column}::geometry)"
#define PLACES_SQL_MEMBER_ARRAY         "p.{column}"
#define PLACES_SQL_MEMBER_MINUTES       "p.{column}"
#define PLACES_SQL_MEMBER_BOOLEAN       "p.{column}"
#define PLACES_SQL_MEMBER_DATE_OR_TODAY "p.{column}"

/* One member: {member}, and {value} the PLACES_SQL_MEMBER_ of its kind. */
#define PLACES_SQL_MEMBER "'{member}', {value}"

/* A place as the API shows it, as the arguments of json_build_object
 * ({members}: every member of place_fields.h, in order). A GeoJSON feature's
 * properties are the same fields without id and coordinates (the feature's
 * own "id" and "geometry"; {properties}: the members but the coordinates):
 * made from the same table, so that the two never differ. */
#define PLACES_SQL_JSON_ARGS_TEMPLATE                                                              \
    "'id', p.id, {members}, 'created_at', p.created_at, 'updated_at', p.updated_at"
#define PLACES_SQL_PROPERTIES_ARGS_TEMPLATE                                                        \
    "{properties}, 'created_at', p.created_at, 'updated_at', p.updated_at"

#define PLACES_SQL_ETAG "'\"' || (extract(epoch FROM p.updated_at) * 1000000)::bigint || '\"'"

/* The place as JSON text, its id, its ETag ({json_args}: PLACES_SQL_JSON_ARGS_TEMPLATE). */
#define PLACES_SQL_RETURNING_TEMPLATE "json_build_object({json_args})::text, p.id, " PLACES_SQL_ETAG

/* {columns}: the stored columns; {values}: their values from $1..$PC_COUNT. */
#define PLACES_SQL_INSERT_TEMPLATE                                                                 \
    "INSERT INTO places AS p ({columns}) VALUES ({values}) RETURNING {returning}"

/* Insert or update by (source, source_id), for imports and the seed: an
 * unchanged row is not touched; a row of another owner is not either. Returns
 * the row and 'created', 'updated' or nothing when unchanged or not ours
 * ({excluded}: the columns of EXCLUDED; {columns_of_p}: those of p). */
#define PLACES_SQL_UPSERT_TEMPLATE                                                                 \
    "INSERT INTO places AS p ({columns}) VALUES ({values}) "                                       \
    "ON CONFLICT (source, source_id) DO UPDATE SET ({columns}) = "                                 \
    "({excluded}), updated_at = clock_timestamp(), deleted_at = NULL "                             \
    "WHERE p.owner = EXCLUDED.owner AND (p.deleted_at IS NOT NULL OR "                             \
    "({columns_of_p}) IS DISTINCT FROM ({excluded})) "                                             \
    "RETURNING {returning}, CASE WHEN xmax = 0 THEN 'created' ELSE 'updated' END"

/* {id}: the parameter after the columns, the place's id. */
#define PLACES_SQL_UPDATE_TEMPLATE                                                                 \
    "UPDATE places AS p SET ({columns}) = (SELECT {values}), "                                     \
    "updated_at = clock_timestamp() WHERE p.id = {id}::uuid AND p.deleted_at IS NULL "             \
    "RETURNING {returning}"

#define PLACES_SQL_GET_FOR_UPDATE_TEMPLATE                                                         \
    "SELECT {returning}, p.owner FROM places p "                                                   \
    "WHERE p.id = $1::uuid AND p.deleted_at IS NULL FOR UPDATE"

#define PLACES_SQL_GET_TEMPLATE                                                                    \
    "SELECT {returning} FROM places p WHERE p.id = $1::uuid AND p.deleted_at IS NULL"

/* When any place last changed (created, updated or deleted: every change
 * sets updated_at), as Unix seconds, 0 when there is none: the lists'
 * Last-Modified (the index places_updated answers it). */
#define PLACES_SQL_LAST_MODIFIED                                                                   \
    "SELECT coalesce(floor(extract(epoch FROM max(updated_at)))::bigint, 0) FROM places"

/* $1 id: turns a place into a tombstone. */
#define PLACES_SQL_DELETE                                                                          \
    "UPDATE places SET deleted_at = clock_timestamp(), updated_at = clock_timestamp() "           \
    "WHERE id = $1::uuid AND deleted_at IS NULL"

/* $1 insee_code, $2 latitude, $3 longitude: whether the commune is in the
 * reference table, whether the point lies within 1 km of it, its name. */
#define PLACES_SQL_CHECK_COMMUNE                                                                   \
    "SELECT EXISTS (SELECT 1 FROM communes WHERE insee_code = $1), "                               \
    "$2::float8 IS NULL OR coalesce((SELECT ST_DWithin(outline::geography, "                       \
    "ST_SetSRID(ST_MakePoint($3::float8, $2::float8), 4326)::geography, 1000) "                     \
    "FROM communes WHERE insee_code = $1), true), "                                                \
    "coalesce((SELECT name FROM communes WHERE insee_code = $1), '')"

/* $1 source, $2 source_id: the owner of the place (live or not) with this key. */
#define PLACES_SQL_OWNER_OF_KEY "SELECT owner FROM places WHERE source = $1 AND source_id = $2"

/* GET /v1/places (places_query.c) is one statement put together from the
 * pieces below, printf formats whose %d are parameter numbers. */

/* q: a word of the search text (LIKE's wildcards in it escaped). */
#define PLACES_SQL_WHERE_TEXT                                                                      \
    " AND p.search LIKE '%%' || replace(replace(replace(search_text($%d), "                        \
    "'\\', '\\\\'), '%%', '\\%%'), '_', '\\_') || '%%'"
/* commune: an INSEE code. */
#define PLACES_SQL_WHERE_INSEE_CODE " AND p.insee_code = $%d"
/* postal_code. */
#define PLACES_SQL_WHERE_POSTAL_CODE " AND p.postal_code = $%d"
/* itinerant=true, itinerant=false. */
#define PLACES_SQL_WHERE_ITINERANT     " AND ( 'itinerant' = ANY(p.itinerance))"
#define PLACES_SQL_WHERE_NOT_ITINERANT " AND (NOT 'itinerant' = ANY(p.itinerance))"
/* typology, service, public: the code $%d is in the array column %s. */
#define PLACES_SQL_WHERE_CODE " AND $%d = ANY(p.%s)"
/* near and radius_km: the point $%d, the radius in metres $%d (on the sphere, as <-> measures). */
#define PLACES_SQL_WHERE_NEAR " AND (p.location <-> $%d::geography) <= $%d::float8"
/* bbox: the polygon $%d. */
#define PLACES_SQL_WHERE_BBOX " AND ST_Intersects(p.location::geometry, $%d::geometry)"
/* open_at: the time $%d (four times), in Paris, within the opening minutes, not a closed holiday. */
#define PLACES_SQL_WHERE_OPEN_AT                                                                   \
    " AND p.open_minutes @> ((extract(isodow FROM $%d::timestamptz AT TIME ZONE "                  \
    "'Europe/Paris')::int - 1) * 1440 + extract(hour FROM $%d::timestamptz AT TIME "               \
    "ZONE 'Europe/Paris')::int * 60 + extract(minute FROM $%d::timestamptz AT TIME "               \
    "ZONE 'Europe/Paris')::int) AND NOT (p.closed_on_public_holidays AND "                         \
    "french_public_holiday(($%d::timestamptz AT TIME ZONE 'Europe/Paris')::date))"
/* updated_since: the time $%d. */
#define PLACES_SQL_WHERE_UPDATED_SINCE " AND p.updated_at > $%d::timestamptz"
/* cursor, by id: after the id $%d. */
#define PLACES_SQL_AFTER_ID " AND p.id > $%d::uuid"
/* cursor, nearest first: after (distance to the point $%d, id) = ($%d, $%d). */
#define PLACES_SQL_AFTER_DISTANCE                                                                  \
    " AND (p.location <-> $%d::geography, p.id) > ($%d::float8, $%d::uuid)"
/* cursor, by update: after (updated_at, id) = ($%d, $%d). */
#define PLACES_SQL_AFTER_UPDATE " AND (p.updated_at, p.id) > ($%d::timestamptz, $%d::uuid)"

/* The sort keys: the distance to the point $%d, the update time, the id. */
#define PLACES_SQL_KEY_DISTANCE "p.location <-> $%d::geography"
#define PLACES_SQL_KEY_UPDATE   "p.updated_at"
#define PLACES_SQL_KEY_ID       "p.id"
/* Which places: every one in a sync feed (tombstones too), else the live ones. */
#define PLACES_SQL_ALL  "true"
#define PLACES_SQL_LIVE "p.deleted_at IS NULL"

/* Nearest first: the page's farthest distance d, the places found by walking
 * the GiST index in distance order (KNN): key %s, which %s, filters %s, key %s
 * again, the limit $%d. */
#define PLACES_SQL_LIST_KNN                                                                        \
    "WITH knn AS (SELECT %s AS d FROM places p WHERE %s%s ORDER BY %s LIMIT $%d::int), "           \
    "cut AS (SELECT max(d) AS d FROM knn) "
/* The first column of a page's row, a GeoJSON feature: the place's properties
 * (%s: places_sql()->properties_args) and %s (the distance, or nothing). */
#define PLACES_SQL_LIST_FEATURE                                                                    \
    "SELECT json_build_object('type', 'Feature', 'id', p.id, 'geometry', "                         \
    "ST_AsGeoJSON(p.location, 7)::json, 'properties', "                                            \
    "json_build_object(%s%s))::text"
/* The same, a place (%s: places_sql()->json_args) and %s (the distance, or nothing). */
#define PLACES_SQL_LIST_PLACE "SELECT json_build_object(%s%s)::text"
/* The distance member of a nearest-first page. */
#define PLACES_SQL_LIST_DISTANCE ", 'distance_m', round(k.sort_key::numeric)"
/* The other columns of a row: id, sort key, and %s (the tombstone or NULL). */
#define PLACES_SQL_LIST_COLUMNS ", p.id, k.sort_key::text, %s"
/* A deleted place in a sync feed, as JSON text, or NULL when it is live. */
#define PLACES_SQL_LIST_TOMBSTONE                                                                  \
    "CASE WHEN p.deleted_at IS NULL THEN NULL ELSE json_build_object('id', p.id, "                 \
    "'deleted', true, 'updated_at', p.updated_at)::text END"
/* The same in a GeoJSON sync feed: a Feature without geometry. */
#define PLACES_SQL_LIST_TOMBSTONE_FEATURE                                                          \
    "CASE WHEN p.deleted_at IS NULL THEN NULL ELSE json_build_object('type', 'Feature', "          \
    "'id', p.id, 'geometry', NULL, 'properties', json_build_object('deleted', true, "              \
    "'updated_at', p.updated_at))::text END"
#define PLACES_SQL_LIST_NO_TOMBSTONE "NULL"
/* The page's ids and sort keys: key %s, %s ", cut" when nearest first, which
 * %s, filters %s. */
#define PLACES_SQL_LIST_FROM " FROM (SELECT p.id, %s AS sort_key FROM places p%s WHERE %s%s"
#define PLACES_SQL_LIST_CUT  ", cut"
/* Nearest first: within the page's farthest distance (the point $%d, key %s). */
#define PLACES_SQL_LIST_WITHIN_CUT                                                                 \
    " AND ST_DWithin(p.location, $%d::geography, cut.d * 1.01 + 1, false) AND %s <= cut.d"
/* The page in order: key %s, limit $%d. */
#define PLACES_SQL_LIST_ORDER                                                                      \
    " ORDER BY %s, p.id LIMIT $%d::int) k JOIN places p ON p.id = k.id "                           \
    "ORDER BY k.sort_key, k.id"

/* clang-format on */

#endif
