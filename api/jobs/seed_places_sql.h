/* The SQL of `seed`: the communes and the demo places' stops (the places
 * themselves go through places/places_sql.h, as the API writes them). */
#ifndef SEED_PLACES_SQL_H
#define SEED_PLACES_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* $1 GeoJSON FeatureCollection (code, nom, geometry): adds the communes not
 * there yet. No rows; one affected per commune added. */
#define SEED_PLACES_SQL_COMMUNES                                                                   \
    "INSERT INTO communes (insee_code, name, outline) "                                            \
    "SELECT f->'properties'->>'code', f->'properties'->>'nom', "                                   \
    "ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326)) "                              \
    "FROM jsonb_array_elements($1::jsonb->'features') f "                                          \
    "ON CONFLICT (insee_code) DO NOTHING"

/* $1 commune name: its INSEE code and a point inside it (latitude,
 * longitude); no row when there is none. */
#define SEED_PLACES_SQL_COMMUNE_POINT                                                              \
    "SELECT insee_code, ST_Y(ST_PointOnSurface(outline)), "                                        \
    "ST_X(ST_PointOnSurface(outline)) FROM communes WHERE name = $1"

/* $1 source, $2 source_id of the demo bus: its stops on Tuesdays in Miélan and
 * Thursdays in Marciac, December 2026 to June 2027, 09:30-12:30 Paris time,
 * those not there yet. No rows; one affected per stop added. */
#define SEED_PLACES_SQL_DEMO_STOPS                                                                 \
    "INSERT INTO place_stops (place_id, starts_at, ends_at, insee_code, address, location) "       \
    "SELECT p.id, (d + time '09:30') AT TIME ZONE 'Europe/Paris', "                                \
    "(d + time '12:30') AT TIME ZONE 'Europe/Paris', c.insee_code, 'Place de la mairie', "         \
    "ST_PointOnSurface(c.outline)::geography "                                                     \
    "FROM places p, generate_series(date '2026-12-01', date '2027-06-30', interval '1 day') d "    \
    "JOIN communes c ON c.name = CASE extract(isodow FROM d) WHEN 2 THEN 'Miélan' "                \
    "WHEN 4 THEN 'Marciac' END "                                                                   \
    "WHERE p.source = $1 AND p.source_id = $2 "                                                    \
    "ON CONFLICT (place_id, starts_at) DO NOTHING"

/* clang-format on */

#endif
