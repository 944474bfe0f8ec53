/* The SQL of GET /v1/communes. */
#ifndef COMMUNES_SQL_H
#define COMMUNES_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* Every commune of the Gers as one GeoJSON FeatureCollection (text): the
 * outline simplified to about 100 m (0.001°, topology kept), 5 decimals
 * (about 1 m). One row, one column; no parameters. */
#define COMMUNES_SQL_GEOJSON \
    "SELECT json_build_object('type', 'FeatureCollection', 'features'," \
    "       coalesce(json_agg(json_build_object(" \
    "           'type', 'Feature', 'id', insee_code," \
    "           'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(outline, 0.001), 5)::json," \
    "           'properties', json_build_object('insee_code', insee_code, 'name', name))" \
    "         ORDER BY insee_code), '[]'::json))::text" \
    "  FROM communes"

/* clang-format on */

#endif
