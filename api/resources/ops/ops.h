/* Operator routes: liveness, readiness, the OpenAPI document. No token. (The
 * metrics have their own listener: core/server.c.) */
#ifndef OPS_H
#define OPS_H

#include "http.h"

void ops_healthz(struct req *r);
void ops_readyz(struct req *r);
void ops_openapi(struct req *r);

#endif
