/* http_accepts_gzip: Accept-Encoding with its q-values (RFC 9110 §12.5.3). */
#include "http.h"

#include <criterion/criterion.h>

Test(http_cache, accept_encoding_allows_gzip_by_name_or_star_above_q_0)
{
    const char *yes[] = {"gzip",   "GZIP", "deflate, gzip", "gzip;q=0.5, br;q=1",
                         "x-gzip", "*",    "br, *;q=0.1",   "gzip ; q=1.0",
                         NULL};
    for (size_t i = 0; yes[i]; i++)
        cr_expect(http_accepts_gzip(yes[i]), "%s", yes[i]);
    const char *no[] = {"",           "identity",    "br",    "gzip;q=0", "gzip; q=0.000",
                        "*;q=0",      "gzip;q=0, *", "gzipx", "xgzip",    "*, gzip;q=0",
                        "gzip;q=abc", NULL};
    for (size_t i = 0; no[i]; i++)
        cr_expect_not(http_accepts_gzip(no[i]), "%s", no[i]);
    cr_expect_not(http_accepts_gzip(NULL));
}
