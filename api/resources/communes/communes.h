/* GET /v1/communes: the communes of the Gers as GeoJSON, the base layer of
 * the map (/carte). Open data, no token. */
#ifndef COMMUNES_H
#define COMMUNES_H

#include "http.h"

void communes_geojson(struct req *r);

#endif
