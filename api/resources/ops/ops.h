/* Operator routes: liveness, readiness, metrics, the OpenAPI document. No token. */
#ifndef OPS_H
#define OPS_H

#include "http.h"

void ops_healthz(struct req *r);
void ops_readyz(struct req *r);
void ops_metrics(struct req *r);
void ops_openapi(struct req *r);

#endif
