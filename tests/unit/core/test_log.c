/* log_bytes: what came from the network is written so that no byte makes the
 * line invalid JSON or forges another line. */
#include "log.h"

#include <criterion/criterion.h>
#include <string.h>

static void expect_written(const char *bytes, const char *text)
{
    json_t *s = log_bytes(bytes);
    cr_assert_not_null(s, "always a JSON string");
    cr_expect_str_eq(json_string_value(s), text);
    json_decref(s);
}

Test(log_bytes, printable_ascii_is_kept)
{
    expect_written("POST", "POST");
    expect_written("/v1/places?q=a b", "/v1/places?q=a b");
}

Test(log_bytes, every_other_byte_is_escaped)
{
    expect_written("G\xff"
                   "T",
                   "G\\xffT");
    expect_written("a\r\n{\"msg\":\"forged\"}", "a\\x0d\\x0a{\"msg\":\"forged\"}");
    expect_written("\\x41", "\\x5cx41"); /* a backslash cannot fake an escape */
    expect_written("\xc3\xa9", "\\xc3\\xa9");
}

Test(log_bytes, null_and_long_inputs)
{
    expect_written(NULL, "");
    char longer[1024];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    json_t *s = log_bytes(longer);
    cr_expect_lt(strlen(json_string_value(s)), 256, "cut to what a log line needs");
    json_decref(s);
}
