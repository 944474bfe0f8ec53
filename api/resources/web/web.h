/* The pages the service serves to people (French): the home page (GET /), the
 * public map (GET /carte) and their scripts and styles (GET /assets/{name}),
 * from web/ and Debian's libjs-leaflet, embedded in the binary by the build.
 * Every page has Content-Security-Policy: default-src 'self' (no inline script
 * or style; MAP_TILES_URL's origin added to img-src when set). */
#ifndef WEB_H
#define WEB_H

#include "http.h"

void web_home(struct req *r);
void web_carte(struct req *r);
/* GET /tableau-de-bord: the campaign's indicators (a token pasted once, or a
 * share link ?lien=SECRET, sent back as `Authorization: Link SECRET`);
 * Referrer-Policy: no-referrer, so that the link's secret leaks nowhere. */
extern const char *const web_dashboard_query[];
void web_dashboard(struct req *r);
void web_asset(struct req *r);

#endif
