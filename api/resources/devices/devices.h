/* /v1/devices: reconditioned equipment traceability (scope devices:write). */
#ifndef DEVICES_H
#define DEVICES_H

#include "http.h"

void devices_create(struct req *r);    /* POST /v1/devices */
void devices_get(struct req *r);       /* GET /v1/devices/{id} */
void devices_add_event(struct req *r); /* POST /v1/devices/{id}/events */
void devices_events(struct req *r);    /* GET /v1/devices/{id}/events */

#endif
