/* /v1/dashboard-links: revocable read-only links to /tableau-de-bord that an
 * organisation with indicators:read hands to people without a token. The
 * secret (256 random bits, base64url) is shown once, at creation, and stored
 * only as its SHA-256; the page sends it as `Authorization: Link SECRET`,
 * which the guard (api/core/guard.c) admits as the link's organisation with
 * indicators:read alone, held to the link's commune and period. */
#ifndef DASHBOARD_LINKS_H
#define DASHBOARD_LINKS_H

#include "http.h"

void dashboard_links_create(struct req *r);
void dashboard_links_list(struct req *r);
void dashboard_links_revoke(struct req *r);

#endif
