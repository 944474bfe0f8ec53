#include "netaddr.h"

#include "messages.h"

#include <arpa/inet.h>
#include <string.h>

/* A reason in the language of the request being answered (lang_current). */
#define T(id) msg_text(id, lang_current())

static const char *refusal4(const unsigned char *a)
{
    if (a[0] == 0)
        return T(MSG_NETADDR_UNSPECIFIED);
    if (a[0] == 127)
        return T(MSG_NETADDR_LOOPBACK);
    if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168))
        return T(MSG_NETADDR_PRIVATE);
    if (a[0] == 100 && (a[1] & 0xc0) == 64)
        return T(MSG_NETADDR_PRIVATE);
    if (a[0] == 169 && a[1] == 254)
        return T(MSG_NETADDR_LINK_LOCAL_METADATA);
    if ((a[0] & 0xf0) == 224)
        return T(MSG_NETADDR_MULTICAST);
    if ((a[0] & 0xf0) == 240)
        return T(MSG_NETADDR_RESERVED);
    return NULL;
}

const char *netaddr_refusal(int family, const unsigned char *a)
{
    if (family == 4)
        return refusal4(a);
    static const unsigned char zeros[12] = {0};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, 12) == 0)
        return refusal4(a + 12);
    if (memcmp(a, zeros, 12) == 0) {
        if (a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] <= 1)
            return a[15] == 0 ? T(MSG_NETADDR_UNSPECIFIED) : T(MSG_NETADDR_LOOPBACK);
        return refusal4(a + 12); /* IPv4-compatible (deprecated) */
    }
    if ((a[0] & 0xfe) == 0xfc)
        return T(MSG_NETADDR_PRIVATE);
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return T(MSG_NETADDR_LINK_LOCAL);
    if (a[0] == 0xff)
        return T(MSG_NETADDR_MULTICAST);
    return NULL;
}

const char *netaddr_refusal_text(const char *text)
{
    unsigned char buf[16];
    if (inet_pton(AF_INET, text, buf) == 1)
        return netaddr_refusal(4, buf);
    if (inet_pton(AF_INET6, text, buf) == 1)
        return netaddr_refusal(6, buf);
    return T(MSG_NETADDR_NOT_IP);
}
