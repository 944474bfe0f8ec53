/* Operator routes: liveness, readiness, the OpenAPI document. No token. (The
 * metrics have their own listener: core/server.c.) */
#ifndef OPS_H
#define OPS_H

#include "http.h"

void ops_healthz(struct req *r);
void ops_readyz(struct req *r);
void ops_openapi(struct req *r);
void ops_openapi_json(struct req *r);
void ops_docs(struct req *r);
void ops_docs_script(struct req *r);

/* The Content-Security-Policy of /docs: the page loads its one script from
 * the service (/docs/redoc.js) and nothing from elsewhere; Redoc writes its
 * styles inline (styled-components, at build time and at run time), hence
 * 'unsafe-inline' for styles only. */
#define OPS_DOCS_CSP                                                                               \
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "                 \
    "font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

#endif
