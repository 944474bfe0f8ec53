/* The SQL of the dated stops of mobile units (stops.c). Queries that return
 * stops return the stop as JSON text first. */
#ifndef STOPS_SQL_H
#define STOPS_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* A stop as the API shows it, its starts_at text, its id (the head of STOPS_SQL_LIST). */
#define STOPS_SQL_SELECT                                                                           \
    "SELECT json_build_object('id', s.id, 'place_id', s.place_id, 'place_name', p.name, "          \
    "'starts_at', s.starts_at, 'ends_at', s.ends_at, 'insee_code', s.insee_code, "                 \
    "'commune', c.name, 'address', s.address, 'latitude', ST_Y(s.location::geometry), "            \
    "'longitude', ST_X(s.location::geometry))::text, s.starts_at::text, s.id "                     \
    "FROM place_stops s JOIN places p ON p.id = s.place_id AND p.deleted_at IS NULL "              \
    "JOIN communes c ON c.insee_code = s.insee_code "

/* $1 from, $2 to, $3 place id or NULL, $4 point or NULL, $5 radius (m), $6 cursor
 * starts_at or NULL, $7 cursor id, $8 limit + 1. Stops that overlap [from, to). */
#define STOPS_SQL_LIST                                                                             \
    STOPS_SQL_SELECT                                                                               \
    "WHERE s.ends_at > $1::timestamptz AND s.starts_at < $2::timestamptz "                         \
    "AND ($3::uuid IS NULL OR s.place_id = $3::uuid) "                                             \
    "AND ($4::geography IS NULL OR ST_DWithin(s.location, $4::geography, $5::float8)) "            \
    "AND ($6::timestamptz IS NULL OR (s.starts_at, s.id) > ($6::timestamptz, $7::uuid)) "          \
    "ORDER BY s.starts_at, s.id LIMIT $8::int"

/* $1 from or NULL, $2 to or NULL: the window of a list, from now for 7 days by default. */
#define STOPS_SQL_WINDOW                                                                           \
    "SELECT coalesce($1::timestamptz, now())::text, "                                              \
    "coalesce($2::timestamptz, coalesce($1::timestamptz, now()) + interval '7 days')::text"

/* $1 place id: a live place's owner and whether it is itinerant ('t' or 'f'). */
#define STOPS_SQL_PLACE                                                                            \
    "SELECT owner, 'itinerant' = ANY(itinerance) FROM places "                                     \
    "WHERE id = $1::uuid AND deleted_at IS NULL"

/* $1 insee_code, $2 starts_at, $3 ends_at, $4 latitude, $5 longitude, each
 * NULL when malformed: whether the commune is in the reference table, whether
 * the point lies within 1 km of it, whether the stop ends after it starts
 * (true when a value it needs is NULL: the format error is already named). */
#define STOPS_SQL_CHECK                                                                            \
    "SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM communes WHERE insee_code = $1), "           \
    "$4::float8 IS NULL OR $5::float8 IS NULL OR NOT EXISTS (SELECT 1 FROM communes "              \
    "WHERE insee_code = $1) OR coalesce((SELECT ST_DWithin(outline::geography, "                   \
    "ST_SetSRID(ST_MakePoint($5::float8, $4::float8), 4326)::geography, 1000) FROM communes "      \
    "WHERE insee_code = $1), false), coalesce($3::timestamptz > $2::timestamptz, true)"

/* $1 place id, $2 starts_at, $3 ends_at, $4 insee_code, $5 address, $6 lat, $7 lon:
 * the new stop as JSON text, its id; a second stop of the place starting then
 * violates the unique key. */
#define STOPS_SQL_INSERT                                                                           \
    "WITH s AS (INSERT INTO place_stops (place_id, starts_at, ends_at, insee_code, address, "      \
    "location) VALUES ($1::uuid, $2::timestamptz, $3::timestamptz, $4, $5, "                       \
    "ST_SetSRID(ST_MakePoint($7::float8, $6::float8), 4326)::geography) RETURNING *) "             \
    "SELECT json_build_object('id', s.id, 'place_id', s.place_id, 'place_name', p.name, "          \
    "'starts_at', s.starts_at, 'ends_at', s.ends_at, 'insee_code', s.insee_code, "                 \
    "'commune', c.name, 'address', s.address, 'latitude', ST_Y(s.location::geometry), "            \
    "'longitude', ST_X(s.location::geometry))::text, s.id "                                        \
    "FROM s JOIN places p ON p.id = s.place_id JOIN communes c ON c.insee_code = s.insee_code"

/* clang-format on */

#endif
