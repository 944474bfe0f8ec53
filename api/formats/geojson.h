/* GeoJSON (RFC 7946) of the objects a client maps: pure code, jansson only. */
#ifndef GEOJSON_H
#define GEOJSON_H

#include <jansson.h>

/* A Feature of `object` (stolen): its "id" becomes the feature's, the point
 * (longitude, latitude) read from the members `lat` and `lon` of `object`,
 * or of its member `within` when not NULL (a workshop's "place"), becomes
 * the geometry (null without one), every other member the properties (the
 * coordinates too when they are read from `within`). */
json_t *geojson_feature(json_t *object, const char *within, const char *lat, const char *lon);

#endif
