/* The service as an OAuth 2.0 authorization server for its partners' systems:
 * the token endpoint (RFC 6749 §4.4, client credentials), revocation (RFC
 * 7009), its metadata
 * (RFC 8414) and its public keys (RFC 7517). Public routes: the token
 * endpoint authenticates the client itself. */
#ifndef OAUTH_H
#define OAUTH_H

#include "http.h"

void oauth_token(struct req *r);
void oauth_revoke(struct req *r);
void oauth_metadata(struct req *r);
void oauth_jwks(struct req *r);

#endif
