#include "geojson.h"

#include <math.h>

/* 7 decimals (1 cm), as PostGIS's ST_AsGeoJSON(…, 7) writes them. */
static double seven(double degrees)
{
    return round(degrees * 1e7) / 1e7;
}

json_t *geojson_feature(json_t *object, const char *within, const char *lat, const char *lon)
{
    json_t *holder = within ? json_object_get(object, within) : object;
    json_t *y = json_object_get(holder, lat), *x = json_object_get(holder, lon);
    json_t *geometry = json_null();
    if (json_is_number(y) && json_is_number(x))
        geometry = json_pack("{s:s, s:[f, f]}", "type", "Point", "coordinates",
                             seven(json_number_value(x)), seven(json_number_value(y)));
    json_t *id = json_incref(json_object_get(object, "id"));
    json_object_del(object, "id");
    if (!within) {
        json_object_del(object, lat);
        json_object_del(object, lon);
    }
    json_t *feature = json_pack("{s:s}", "type", "Feature");
    if (id)
        json_object_set_new(feature, "id", id);
    json_object_set_new(feature, "geometry", geometry ? geometry : json_null());
    json_object_set_new(feature, "properties", object);
    return feature;
}
