/* netaddr_refusal: the addresses a webhook may not be sent to (SSRF), and
 * public ones that pass. */
#include "netaddr.h"

#include <criterion/criterion.h>
#include <string.h>

static void refused(const char *text, const char *why)
{
    const char *got = netaddr_refusal_text(text);
    cr_expect_not_null(got, "%s is refused", text);
    if (got)
        cr_expect(strstr(got, why) != NULL, "%s: \"%s\" names %s", text, got, why);
}

static void allowed(const char *text)
{
    const char *got = netaddr_refusal_text(text);
    cr_expect_null(got, "%s is public: %s", text, got ? got : "");
}

Test(netaddr, loopback_and_unspecified)
{
    refused("127.0.0.1", "loopback");
    refused("127.255.0.9", "loopback");
    refused("::1", "loopback");
    refused("0.0.0.0", "unspecified");
    refused("::", "unspecified");
    refused("::ffff:127.0.0.1", "loopback");
}

Test(netaddr, private_ranges_and_their_edges)
{
    refused("10.0.0.1", "private");
    refused("10.255.255.255", "private");
    refused("172.16.0.1", "private");
    refused("172.31.255.254", "private");
    allowed("172.15.255.255");
    allowed("172.32.0.1");
    refused("192.168.1.1", "private");
    allowed("192.169.0.1");
    refused("100.64.0.1", "private");
    refused("fc00::1", "private");
    refused("fdff:ffff::1", "private");
    refused("::ffff:10.1.2.3", "private");
}

Test(netaddr, link_local_metadata_and_multicast)
{
    refused("169.254.169.254", "link-local");
    refused("169.254.0.1", "link-local");
    refused("fe80::1", "link-local");
    refused("febf::1", "link-local");
    refused("224.0.0.1", "multicast");
    refused("239.255.255.250", "multicast");
    refused("ff02::1", "multicast");
    refused("255.255.255.255", "reserved");
    refused("::ffff:169.254.169.254", "link-local");
}

Test(netaddr, public_addresses_pass)
{
    allowed("1.1.1.1");
    allowed("93.184.216.34");
    allowed("2001:db8::1");
    allowed("2606:4700:4700::1111");
    allowed("::ffff:8.8.8.8");
    allowed("fec0::1");
}

Test(netaddr, not_an_address)
{
    cr_expect_str_eq(netaddr_refusal_text("localhost"), "not an IP address");
    cr_expect_str_eq(netaddr_refusal_text("1.2.3"), "not an IP address");
}
