/* Where a webhook may be sent: the classification of an IP address, pure
 * (no resolution, no socket). */
#ifndef NETADDR_H
#define NETADDR_H

#include <stdbool.h>

/* Why an address is refused for a webhook, or NULL when it is a public
 * unicast one. `family` is 4 or 6; `a` holds 4 or 16 bytes in network order.
 * Refused: unspecified (0.0.0.0/8, ::), loopback (127/8, ::1), private
 * (10/8, 172.16/12, 192.168/16, 100.64/10 shared, fc00::/7), link-local
 * (169.254/16, which holds the cloud metadata address 169.254.169.254;
 * fe80::/10), multicast (224/4, ff00::/8), reserved and broadcast (240/4);
 * an IPv4-mapped or -compatible IPv6 address (::ffff:a.b.c.d) as its IPv4
 * address. */
const char *netaddr_refusal(int family, const unsigned char *a);

/* The same for a numeric address in text ("10.0.0.1", "::1"); "not an IP
 * address" when it is not one. */
const char *netaddr_refusal_text(const char *text);

#endif
