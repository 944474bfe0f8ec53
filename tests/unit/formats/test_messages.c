/* The message catalogue: every message id has an entry, every entry a text
 * in every language, and the texts of one message have the same printf
 * conversions (%s, %zu …) and the same {placeholders}, in the same order, in
 * every language; formatting follows the language. */
#include "messages.h"
#include "fields.h"
#include "opening_hours.h"
#include "rrule.h"

#include <criterion/criterion.h>
#include <string.h>

/* The placeholders of a text, in order, as one string: "%zu %s {field} ". */
static void placeholders(const char *text, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = text; *p && n + 16 < cap; p++) {
        if (p[0] == '%' && p[1] == '%') {
            p++;
            continue;
        }
        if (*p == '%') {
            size_t len = strspn(p + 1, "-+ #0123456789.*hlLqjzt");
            len += p[1 + len] ? 1 : 0;
            if (len + 3 + n >= cap)
                break;
            out[n++] = '%';
            memcpy(out + n, p + 1, len);
            n += len;
            out[n++] = ' ';
            p += len;
        } else if (*p == '{') {
            size_t len = strcspn(p, "}");
            if (p[len] != '}' || len + 2 + n >= cap)
                continue;
            memcpy(out + n, p, len + 1);
            n += len + 1;
            out[n++] = ' ';
            p += len;
        }
        out[n] = '\0';
    }
}

Test(messages, every_id_has_every_language)
{
    for (int id = 0; id < MSG_COUNT; id++) {
        cr_expect_not_null(msg_name((enum msg_id)id), "message %d has no entry", id);
        for (int l = 0; l < LANG_COUNT; l++) {
            const char *text = msg_raw((enum msg_id)id, (enum lang)l);
            cr_expect(text && *text, "%s lacks %s", msg_name((enum msg_id)id),
                      lang_code((enum lang)l));
        }
    }
}

Test(messages, every_language_has_the_placeholders_of_the_english_text)
{
    for (int id = 0; id < MSG_COUNT; id++) {
        const char *en = msg_raw((enum msg_id)id, LANG_EN);
        if (!en)
            continue;
        char want[256], got[256];
        placeholders(en, want, sizeof want);
        for (int l = 0; l < LANG_COUNT; l++) {
            const char *text = msg_raw((enum msg_id)id, (enum lang)l);
            if (!text)
                continue;
            placeholders(text, got, sizeof got);
            cr_expect_str_eq(got, want, "%s in %s: placeholders \"%s\", English \"%s\"",
                             msg_name((enum msg_id)id), lang_code((enum lang)l), got, want);
        }
    }
}

Test(messages, the_placeholder_scanner_sees_conversions_and_names)
{
    char out[128];
    placeholders("at %d, column %zu: %s {field} 100%% done", out, sizeof out);
    cr_expect_str_eq(out, "%d %zu %s {field} ");
    placeholders("no placeholder", out, sizeof out);
    cr_expect_str_eq(out, "");
}

Test(messages, formatting_follows_the_language)
{
    char buf[128];
    cr_expect_str_eq(msg_format(buf, sizeof buf, LANG_EN, MSG_FIELD_LENGTH, (size_t)1, (size_t)80),
                     "must be 1 to 80 characters long");
    cr_expect_str_eq(msg_format(buf, sizeof buf, LANG_FR, MSG_FIELD_LENGTH, (size_t)1, (size_t)80),
                     "doit faire de 1 à 80 caractères");
    cr_expect_str_eq(msg_text(MSG_TITLE_404, LANG_FR), "Introuvable");
    cr_expect_str_eq(msg_text(MSG_TITLE_404, LANG_EN), "Not Found");
}

/* The reasons of api/formats/ follow the thread's language (set by the
 * router for each request). */
Test(messages, the_reasons_of_the_formats_follow_the_thread_language)
{
    const char *why = NULL;
    char err[200];
    struct oh_schedule schedule;
    struct rrule_date start = {2026, 12, 8}, dates[RRULE_MAX_OCCURRENCES];
    int count = 0;

    lang_set_current(LANG_FR);
    cr_expect_not(fields_phone("05 62 03", NULL, 0, &why));
    cr_expect_str_eq(why, "a trop peu de chiffres : 10 en France (05 62 03 01 09)");
    cr_expect_neq(rrule_expand("FREQ=DAILY", start, dates, &count, err, sizeof err), 0);
    cr_expect_str_eq(err, "COUNT ou UNTIL : l'un des deux est obligatoire (une règle sans fin "
                          "est refusée)");
    cr_expect_neq(oh_parse("Mo 09:00-25:00", &schedule, err, sizeof err), 0);
    cr_expect_str_eq(err, "au caractère 10 : les heures vont de 00 à 24, et 24:00 est l'heure "
                          "la plus tardive");

    lang_set_current(LANG_EN);
    cr_expect_not(fields_phone("05 62 03", NULL, 0, &why));
    cr_expect_str_eq(why, "has too few digits: 10 in France (05 62 03 01 09)");
}

/* RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E, in every
 * language (the French of MSG_OAUTH_* goes without accents). */
Test(messages, the_oauth_descriptions_are_in_the_character_set_of_rfc_6749)
{
    int seen = 0;
    for (int id = 0; id < MSG_COUNT; id++) {
        const char *name = msg_name((enum msg_id)id);
        if (!name || strncmp(name, "MSG_OAUTH_", 10) != 0)
            continue;
        seen++;
        for (int l = 0; l < LANG_COUNT; l++)
            for (const unsigned char *p =
                     (const unsigned char *)msg_text((enum msg_id)id, (enum lang)l);
                 *p; p++)
                cr_expect(*p >= 0x20 && *p <= 0x7e && *p != '"' && *p != '\\',
                          "%s in %s: byte 0x%02x", name, lang_code((enum lang)l), *p);
    }
    cr_expect_gt(seen, 10);
}
