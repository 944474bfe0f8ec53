/* The SQL of places. Parameters $1..$35 are the columns of enum place_column
 * (place_input.h), in order; lists arrive as JSON arrays. Queries that return
 * places return, in this order: the place as JSON text, its id, its ETag. */
#ifndef PLACES_SQL_H
#define PLACES_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

enum { PLACE_COL_JSON, PLACE_COL_ID, PLACE_COL_ETAG, PLACE_COL_EXTRA };

#define PLACES_SQL_LIST_OF(n) "ARRAY(SELECT jsonb_array_elements_text($" #n "::jsonb))"

/* The stored columns, and the values for them from $1..$35. */
#define PLACES_SQL_COLUMNS                                                                         \
    "owner, source, source_id, pivot, name, street, address_complement, postal_code, commune, "   \
    "insee_code, location, typologies, phone, emails, websites, opening_hours, open_minutes, "     \
    "closed_on_public_holidays, summary, description, itinerance, parent_structure, services, "    \
    "publics, specific_support, fees, national_programmes, training_labels, other_labels, "        \
    "access_modes, support_modes, accessibility_url, booking_url, data_updated_on"
#define PLACES_SQL_VALUES                                                                          \
    "$1, $2, coalesce($3, gen_random_uuid()::text), $4, $5, $6, $7, $8, $9, $10, "                 \
    "CASE WHEN $11::float8 IS NULL THEN NULL ELSE "                                                \
    "ST_SetSRID(ST_MakePoint($12::float8, $11::float8), 4326)::geography END, "                    \
    PLACES_SQL_LIST_OF(13) ", $14, " PLACES_SQL_LIST_OF(15) ", " PLACES_SQL_LIST_OF(16) ", $17, "  \
    "$18::int4multirange, $19::boolean, $20, $21, " PLACES_SQL_LIST_OF(22) ", $23, "               \
    PLACES_SQL_LIST_OF(24) ", " PLACES_SQL_LIST_OF(25) ", " PLACES_SQL_LIST_OF(26) ", "            \
    PLACES_SQL_LIST_OF(27) ", " PLACES_SQL_LIST_OF(28) ", " PLACES_SQL_LIST_OF(29) ", "            \
    PLACES_SQL_LIST_OF(30) ", " PLACES_SQL_LIST_OF(31) ", " PLACES_SQL_LIST_OF(32) ", $33, $34, "  \
    "coalesce($35::date, current_date)"

/* A place as the API shows it (t: the table alias), as the arguments of
 * json_build_object: its id, the fields before its coordinates, the
 * coordinates, the fields after them. A GeoJSON feature's properties are the
 * same fields without id and coordinates (the feature's own "id" and
 * "geometry"): built from the same two lists, so that the two never differ. */
#define PLACES_SQL_FIELDS_BEFORE_POINT(t)                                                          \
    "'owner', " t ".owner, 'source', " t ".source, "                                               \
    "'source_id', " t ".source_id, 'pivot', " t ".pivot, 'name', " t ".name, "                     \
    "'street', " t ".street, 'address_complement', " t ".address_complement, "                     \
    "'postal_code', " t ".postal_code, 'commune', " t ".commune, 'insee_code', " t ".insee_code"
#define PLACES_SQL_FIELDS_AFTER_POINT(t)                                                           \
    "'typologies', " t ".typologies, 'phone', " t ".phone, 'emails', " t ".emails, "               \
    "'websites', " t ".websites, 'opening_hours', " t ".opening_hours, "                           \
    "'summary', " t ".summary, 'description', " t ".description, "                                 \
    "'itinerance', " t ".itinerance, 'parent_structure', " t ".parent_structure, "                 \
    "'services', " t ".services, 'publics', " t ".publics, "                                       \
    "'specific_support', " t ".specific_support, 'fees', " t ".fees, "                             \
    "'national_programmes', " t ".national_programmes, "                                           \
    "'training_labels', " t ".training_labels, 'other_labels', " t ".other_labels, "               \
    "'access_modes', " t ".access_modes, 'support_modes', " t ".support_modes, "                   \
    "'accessibility_url', " t ".accessibility_url, 'booking_url', " t ".booking_url, "             \
    "'data_updated_on', " t ".data_updated_on, 'created_at', " t ".created_at, "                   \
    "'updated_at', " t ".updated_at"
#define PLACES_SQL_JSON_ARGS(t)                                                                    \
    "'id', " t ".id, " PLACES_SQL_FIELDS_BEFORE_POINT(t) ", "                                      \
    "'latitude', ST_Y(" t ".location::geometry), 'longitude', ST_X(" t ".location::geometry), "   \
    PLACES_SQL_FIELDS_AFTER_POINT(t)
#define PLACES_SQL_PROPERTIES_ARGS(t)                                                              \
    PLACES_SQL_FIELDS_BEFORE_POINT(t) ", " PLACES_SQL_FIELDS_AFTER_POINT(t)
#define PLACES_SQL_JSON(t) "json_build_object(" PLACES_SQL_JSON_ARGS(t) ")"

#define PLACES_SQL_ETAG(t) "'\"' || (extract(epoch FROM " t ".updated_at) * 1000000)::bigint || '\"'"

#define PLACES_SQL_RETURNING(t) PLACES_SQL_JSON(t) "::text, " t ".id, " PLACES_SQL_ETAG(t)

/* A new place; a (source, source_id) already used violates the unique key. */
#define PLACES_SQL_INSERT                                                                          \
    "INSERT INTO places AS p (" PLACES_SQL_COLUMNS ") VALUES (" PLACES_SQL_VALUES ") "             \
    "RETURNING " PLACES_SQL_RETURNING("p")

/* Insert or update by (source, source_id), for imports and the seed: an
 * unchanged row is not touched; a row of another owner is not either. Returns
 * the row and 'created', 'updated' or nothing when unchanged or not ours. */
#define PLACES_SQL_UPSERT                                                                          \
    "INSERT INTO places AS p (" PLACES_SQL_COLUMNS ") VALUES (" PLACES_SQL_VALUES ") "             \
    "ON CONFLICT (source, source_id) DO UPDATE SET (" PLACES_SQL_COLUMNS ") = "                    \
    "(" PLACES_SQL_EXCLUDED "), updated_at = clock_timestamp(), deleted_at = NULL "         \
    "WHERE p.owner = EXCLUDED.owner AND (p.deleted_at IS NOT NULL OR "                             \
    "(" PLACES_SQL_COLUMNS_OF("p") ") IS DISTINCT FROM (" PLACES_SQL_EXCLUDED ")) "          \
    "RETURNING " PLACES_SQL_RETURNING("p") ", CASE WHEN xmax = 0 THEN 'created' ELSE 'updated' END"

#define PLACES_SQL_EXCLUDED                                                                        \
    "EXCLUDED.owner, EXCLUDED.source, EXCLUDED.source_id, EXCLUDED.pivot, EXCLUDED.name, "        \
    "EXCLUDED.street, EXCLUDED.address_complement, EXCLUDED.postal_code, EXCLUDED.commune, "       \
    "EXCLUDED.insee_code, EXCLUDED.location, EXCLUDED.typologies, EXCLUDED.phone, "                \
    "EXCLUDED.emails, EXCLUDED.websites, EXCLUDED.opening_hours, EXCLUDED.open_minutes, "          \
    "EXCLUDED.closed_on_public_holidays, EXCLUDED.summary, EXCLUDED.description, "                 \
    "EXCLUDED.itinerance, EXCLUDED.parent_structure, EXCLUDED.services, EXCLUDED.publics, "        \
    "EXCLUDED.specific_support, EXCLUDED.fees, EXCLUDED.national_programmes, "                     \
    "EXCLUDED.training_labels, EXCLUDED.other_labels, EXCLUDED.access_modes, "                     \
    "EXCLUDED.support_modes, EXCLUDED.accessibility_url, EXCLUDED.booking_url, "                   \
    "EXCLUDED.data_updated_on"

#define PLACES_SQL_COLUMNS_OF(t)                                                                   \
    t ".owner, " t ".source, " t ".source_id, " t ".pivot, " t ".name, " t ".street, "            \
    t ".address_complement, " t ".postal_code, " t ".commune, " t ".insee_code, "                   \
    t ".location, " t ".typologies, " t ".phone, " t ".emails, " t ".websites, "              \
    t ".opening_hours, " t ".open_minutes, " t ".closed_on_public_holidays, " t ".summary, "        \
    t ".description, " t ".itinerance, " t ".parent_structure, " t ".services, " t ".publics, "     \
    t ".specific_support, " t ".fees, " t ".national_programmes, " t ".training_labels, "           \
    t ".other_labels, " t ".access_modes, " t ".support_modes, " t ".accessibility_url, "           \
    t ".booking_url, " t ".data_updated_on"

/* $1..$35 as above, $36 id: replaces every column of a live place. */
#define PLACES_SQL_UPDATE                                                                          \
    "UPDATE places AS p SET (" PLACES_SQL_COLUMNS ") = (SELECT " PLACES_SQL_VALUES "), "          \
    "updated_at = clock_timestamp() WHERE p.id = $36::uuid AND p.deleted_at IS NULL "              \
    "RETURNING " PLACES_SQL_RETURNING("p")

/* $1 id: a live place, locked for the transaction, with its owner. */
#define PLACES_SQL_GET_FOR_UPDATE                                                                  \
    "SELECT " PLACES_SQL_RETURNING("p") ", p.owner FROM places p "                                 \
    "WHERE p.id = $1::uuid AND p.deleted_at IS NULL FOR UPDATE"

/* $1 id: a live place. */
#define PLACES_SQL_GET                                                                             \
    "SELECT " PLACES_SQL_RETURNING("p") " FROM places p WHERE p.id = $1::uuid AND p.deleted_at IS NULL"

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

/* clang-format on */

#endif
