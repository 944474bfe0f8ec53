/* core/webhook_send.c: the URL check a subscription passes at creation and
 * each delivery before connecting (SSRF), and the Standard Webhooks
 * signature against the specification's reference vector. */
#include "webhook_send.h"

#include "lang.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const char *check(const char *url, bool allow_http, bool allow_private)
{
    struct webhook_target t;
    return webhook_url_check(url, allow_http, allow_private, &t);
}

Test(webhook_url, private_loopback_and_metadata_addresses_are_refused)
{
    static const char *const urls[] = {"https://127.0.0.1/hooks",
                                       "https://10.0.0.1/hooks",
                                       "https://169.254.169.254/latest/meta-data",
                                       "https://[::1]:8443/hooks",
                                       "https://localhost/hooks",
                                       "https://[fe80::1]/hooks",
                                       "https://0.0.0.0/",
                                       "https://[::ffff:127.0.0.1]/",
                                       NULL};
    for (size_t i = 0; urls[i]; i++) {
        const char *why = check(urls[i], false, false);
        cr_expect_not_null(why, "%s is refused", urls[i]);
        cr_expect(why && strncmp(why, "resolves to ", 12) == 0, "%s: %s", urls[i], why);
        cr_expect_null(check(urls[i], false, true), "allowed with WEBHOOK_ALLOW_PRIVATE: %s",
                       urls[i]);
    }
}

Test(webhook_url, scheme_user_information_and_shape)
{
    cr_expect_str_eq(check("http://127.0.0.1/", false, true), "must be an https URL");
    cr_expect_null(check("http://127.0.0.1/", true, true));
    cr_expect_str_eq(check("ftp://127.0.0.1/", true, true), "must be an http or https URL");
    cr_expect_str_eq(check("https://user:pw@127.0.0.1/", false, true),
                     "must not hold a user name or password");
    cr_expect_not_null(check("not a url", false, true));
    cr_expect_not_null(check("/relative", false, true));
    struct webhook_target t;
    cr_expect_null(webhook_url_check("https://127.0.0.1:8443/x", false, true, &t));
    cr_expect_str_eq(t.host, "127.0.0.1");
    cr_expect_eq(t.port, 8443);
    cr_expect_str_eq(t.ip, "127.0.0.1");
    cr_expect(t.literal);
    cr_expect_null(webhook_url_check("https://localhost/x", false, true, &t));
    cr_expect_eq(t.port, 443);
    cr_expect(!t.literal);
    cr_expect(strcmp(t.ip, "127.0.0.1") == 0 || strcmp(t.ip, "::1") == 0, "pinned to %s", t.ip);
}

/* The reference vector of the Standard Webhooks libraries. */
Test(webhook_signature, the_reference_vector)
{
    char *sig =
        webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", NULL,
                          "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "{\"test\": 2432232314}");
    cr_assert_not_null(sig);
    cr_expect_str_eq(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    free(sig);
}

Test(webhook_signature, both_secrets_during_a_rotation_and_malformed_ones)
{
    char *one = webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", NULL, "id", "1", "{}");
    char *secret = webhook_new_secret();
    cr_assert_not_null(secret);
    cr_expect_eq(strncmp(secret, "whsec_", 6), 0);
    cr_expect_eq(strlen(secret), 6 + 44, "base64 of 32 bytes: %s", secret);
    char *two =
        webhook_signature(secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "id", "1", "{}");
    cr_assert_not_null(two);
    const char *space = strchr(two, ' ');
    cr_assert_not_null(space, "two signatures: %s", two);
    cr_expect_str_eq(space + 1, one, "the previous secret's second");
    cr_expect_null(webhook_signature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", NULL, "id", "1", "{}"));
    cr_expect_null(webhook_signature("whsec_abc", NULL, "id", "1", "{}"));
    free(one);
    free(two);
    free(secret);
}

/* The reasons follow the language of the request being answered (the
 * thread's); the delivery worker's are English (no request). */
Test(webhook_url, reasons_in_the_request_language)
{
    lang_set_current(LANG_FR);
    cr_expect_str_eq(check("http://127.0.0.1/", false, true), "doit être une URL https");
    cr_expect_str_eq(check("https://user:pw@127.0.0.1/", false, true),
                     "ne doit contenir ni nom d'utilisateur ni mot de passe");
    cr_expect_str_eq(check("https://127.0.0.1/hooks", false, false),
                     "se résout en une adresse de bouclage");
    lang_set_current(LANG_EN);
    cr_expect_str_eq(check("https://127.0.0.1/hooks", false, false),
                     "resolves to a loopback address");
}
