/* geojson_feature and fields_in_france: the GeoJSON of what a client maps,
 * and where a `near` point must fall. */
#include "fields.h"
#include "geojson.h"

#include <criterion/criterion.h>

Test(geojson, a_point_object_becomes_a_feature_longitude_first)
{
    json_t *stop = json_pack("{s:s, s:s, s:f, s:f}", "id", "s1", "commune", "Miélan", "latitude",
                             43.42524, "longitude", 0.309910499758734);
    json_t *f = geojson_feature(stop, NULL, "latitude", "longitude");
    cr_expect_str_eq(json_string_value(json_object_get(f, "type")), "Feature");
    cr_expect_str_eq(json_string_value(json_object_get(f, "id")), "s1");
    json_t *g = json_object_get(f, "geometry");
    cr_expect_str_eq(json_string_value(json_object_get(g, "type")), "Point");
    json_t *c = json_object_get(g, "coordinates");
    cr_expect_float_eq(json_real_value(json_array_get(c, 0)), 0.3099105, 1e-12, "7 decimals");
    cr_expect_float_eq(json_real_value(json_array_get(c, 1)), 43.42524, 1e-12);
    json_t *p = json_object_get(f, "properties");
    cr_expect_eq(json_object_size(p), 1, "id and the coordinates leave the properties");
    cr_expect_str_eq(json_string_value(json_object_get(p, "commune")), "Miélan");
    json_decref(f);
}

Test(geojson, a_nested_point_stays_in_the_properties_and_none_gives_null)
{
    json_t *w =
        json_pack("{s:s, s:{s:f, s:f}}", "id", "w1", "place", "latitude", 43.5, "longitude", 0.4);
    json_t *f = geojson_feature(w, "place", "latitude", "longitude");
    json_t *c = json_object_get(json_object_get(f, "geometry"), "coordinates");
    cr_expect_float_eq(json_real_value(json_array_get(c, 0)), 0.4, 1e-12);
    cr_expect_not_null(
        json_object_get(json_object_get(json_object_get(f, "properties"), "place"), "latitude"));
    json_decref(f);

    w = json_pack("{s:s, s:{s:n, s:n}}", "id", "w2", "place", "latitude", "longitude");
    f = geojson_feature(w, "place", "latitude", "longitude");
    cr_expect(json_is_null(json_object_get(f, "geometry")));
    json_decref(f);
}

Test(geojson, near_points_of_france_and_swapped_ones)
{
    cr_expect(fields_in_france(43.6465, 0.5855), "Auch");
    cr_expect(fields_in_france(41.9192, 8.7386), "Ajaccio");
    cr_expect(fields_in_france(51.03, 2.37), "Dunkerque");
    cr_expect(fields_in_france(48.38, -4.49), "Brest");
    cr_expect_not(fields_in_france(0.5855, 43.6465), "Auch swapped");
    cr_expect_not(fields_in_france(2.35, 48.85), "Paris swapped");
    cr_expect_not(fields_in_france(40.4, -3.7), "Madrid");
}
