/* Contact and address field validators, on hand-made cases and on real data:
 * the France Services sites of the Gers, the 2022 CNFS places (with their
 * known defects) and the standard's own example row, the last two read from
 * db/seeds/ in the working directory (the repository's root). */
#include "csv.h"
#include "fields.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses db/seeds/<name>, read from the working directory (the repository's
 * root); the caller frees it with csv_free. */
static void fields_test_load_csv(const char *name, struct csv *csv)
{
    char path[256];
    snprintf(path, sizeof path, "db/seeds/%s", name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s (run from the repository's root)", path);
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 16384;
            char *grown = realloc(text, cap);
            cr_assert_not_null(grown);
            text = grown;
        }
        got = fread(text + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    size_t bad_line = 0;
    int rc = csv_parse(text, len, ',', csv, &bad_line);
    free(text);
    if (rc != 0)
        csv_free(csv);
    cr_assert_eq(rc, 0, "%s line %zu", path, bad_line);
}

static const char *fields_test_cell(const struct csv *csv, size_t row, const char *column)
{
    int col = csv_column(csv, column);
    cr_assert_geq(col, 0, "column %s", column);
    cr_assert_lt((size_t)col, csv->rows[row].count, "row %zu, column %s", row, column);
    return csv->rows[row].fields[col];
}

static void fields_test_phone_is(const char *in, const char *expected)
{
    char e164[FIELDS_E164_SIZE];
    const char *why = NULL;
    cr_expect(fields_phone(in, e164, sizeof e164, &why), "%s: %s", in, why ? why : "");
    cr_expect_str_eq(e164, expected, "%s", in);
}

static void fields_test_phone_refused(const char *in, const char *reason)
{
    char e164[FIELDS_E164_SIZE] = "unchanged";
    const char *why = NULL;
    cr_expect_not(fields_phone(in, e164, sizeof e164, &why), "%s", in);
    cr_expect_str_empty(e164, "%s", in);
    cr_assert_not_null(why, "%s", in);
    if (reason)
        cr_expect(strstr(why, reason) != NULL, "%s: reason \"%s\" lacks \"%s\"", in, why, reason);
}

Test(fields_email, good)
{
    const char *good[] = {
        "contact@mairie.fr",
        "plaisance.du.gers@france-services.gouv.fr",
        "ccommunes.dartagnan.fezensac@wanadoo.fr",
        "Mairie.Auch@Grand-Auch.FR",
        "prenom+tag@sub.domaine.org",
        "o'neil@example.ie",
        "a_b-c~d@x-y.z9.museum",
        "x@xn--mairie-eauze-ihb.fr",
        "x@mairie.xn--p1ai",
        "ca32@gers.chambagri.fr",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        const char *why = NULL;
        cr_expect(fields_email(good[i], &why), "%s: %s", good[i], why ? why : "");
        cr_expect_null(why, "why is untouched on success");
    }
}

Test(fields_email, bad)
{
    struct {
        const char *in, *reason;
    } bad[] = {
        {"aubiet@france-service.gouv,fr", "one e-mail"},    /* real defect: comma */
        {"gerssolidaire.org", "such as contact@mairie.fr"}, /* real defect: no @ */
        {"", "such as"},
        {"@mairie.fr", "such as"},
        {"contact@", "such as"},
        {"a@b@mairie.fr", "such as"},
        {"contact@mairie", "domain"},
        {"contact@mairie.f", "domain"},
        {"contact@mairie.f5", "domain"},
        {"contact@-mairie.fr", "domain"},
        {"contact@mairie-.fr", "domain"},
        {"contact@mairie..fr", "domain"},
        {"contact@.mairie.fr", "domain"},
        {"contact@mairie.fr.", "domain"},
        {"contact@mai_rie.fr", "domain"},
        {"contact@192.168.0.1", "domain"},
        {"contact@[192.168.0.1]", "domain"},
        {".contact@mairie.fr", "before the @"},
        {"contact.@mairie.fr", "before the @"},
        {"con..tact@mairie.fr", "before the @"},
        {"\"quoted\"@mairie.fr", "before the @"},
        {"con(tact)@mairie.fr", "before the @"},
        {"a@b.fr|c@d.fr", "one e-mail"},
        {"a|b@mairie.fr", "one e-mail"},
        {"contact@mairie.fr;autre@mairie.fr", "one e-mail"},
        {"contact @mairie.fr", "one e-mail"},
        {" contact@mairie.fr", "one e-mail"},
        {"contact@mairie.fr\n", "one e-mail"},
        {"mélanie@mairie.fr", "ASCII"},
        {"contact@mairie-éauze.fr", "ASCII"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *why = NULL;
        cr_expect_not(fields_email(bad[i].in, &why), "%s", bad[i].in);
        cr_assert_not_null(why, "%s", bad[i].in);
        cr_expect(strstr(why, bad[i].reason) != NULL, "%s: \"%s\"", bad[i].in, why);
    }
    cr_expect_not(fields_email(NULL, NULL), "NULL input, NULL why");
}

Test(fields_email, lengths)
{
    char local[80], address[300];
    memset(local, 'a', 64);
    local[64] = '\0';
    snprintf(address, sizeof address, "%s@mairie.fr", local);
    cr_expect(fields_email(address, NULL), "64 characters before the @");
    local[64] = 'a';
    local[65] = '\0';
    snprintf(address, sizeof address, "%s@mairie.fr", local);
    cr_expect_not(fields_email(address, NULL), "65 characters before the @");

    /* "a@" + 4 labels of 61 + 3 dots + ".frx": 2 + 244 + 3 + 4 = 253 characters */
    char label[62];
    memset(label, 'b', 61);
    label[61] = '\0';
    snprintf(address, sizeof address, "a@%s.%s.%s.%s.frx", label, label, label, label);
    cr_expect_eq(strlen(address), 253);
    cr_expect(fields_email(address, NULL));
    snprintf(address, sizeof address, "ab@%s.%s.%s.%s.frx", label, label, label, label);
    cr_expect_eq(strlen(address), 254);
    cr_expect(fields_email(address, NULL));
    snprintf(address, sizeof address, "abc@%s.%s.%s.%s.frx", label, label, label, label);
    const char *why = NULL;
    cr_expect_not(fields_email(address, &why), "255 characters");
    cr_expect_str_eq(why, "must be an e-mail address of at most 254 characters");

    char long_label[80];
    memset(long_label, 'c', 64);
    long_label[64] = '\0';
    snprintf(address, sizeof address, "a@%s.fr", long_label);
    cr_expect_not(fields_email(address, NULL), "a domain label of 64");
    long_label[63] = '\0';
    snprintf(address, sizeof address, "a@%s.fr", long_label);
    cr_expect(fields_email(address, NULL), "a domain label of 63");
}

Test(fields_phone, french_formats)
{
    fields_test_phone_is("05 62 03 01 09", "+33562030109");
    fields_test_phone_is("05.62.03.01.09", "+33562030109");
    fields_test_phone_is("05-62-03-01-09", "+33562030109");
    fields_test_phone_is("0562030109", "+33562030109");
    fields_test_phone_is("+33 5 62 03 01 09", "+33562030109");
    fields_test_phone_is("+33562030109", "+33562030109");
    fields_test_phone_is("+33 (0)5 62 03 01 09", "+33562030109");
    fields_test_phone_is("+33(0)562030109", "+33562030109");
    fields_test_phone_is("0033 5 62 03 01 09", "+33562030109");
    fields_test_phone_is("06 74 84 24 96", "+33674842496");
    fields_test_phone_is("09 62 51 20 43", "+33962512043");
    fields_test_phone_is("0800 32 31 30", "+33800323130");
    fields_test_phone_is("+33180059880", "+33180059880"); /* the standard's example */
    fields_test_phone_is("+33800323130", "+33800323130"); /* CNFS 2022, Gers Solidaire */
}

Test(fields_phone, overseas)
{
    fields_test_phone_is("+590 590 12 34 56", "+590590123456");
    fields_test_phone_is("+262 262 12 34 56", "+262262123456");
    fields_test_phone_is("+596696123456", "+596696123456");
    fields_test_phone_is("+594 594 12 34 56", "+594594123456");
    fields_test_phone_is("+687 25 12 34", "+687251234");      /* New Caledonia: 6 digits */
    fields_test_phone_is("+689 40 12 34 56", "+68940123456"); /* Polynesia: 8 digits */
    fields_test_phone_is("+508 41 12 34", "+508411234");      /* Saint-Pierre: 6 digits */
    fields_test_phone_is("+681 72 12 34", "+681721234");      /* Wallis: 6 digits */
    fields_test_phone_is("+269 773 12 34", "+2697731234");    /* the standard's +269 */
    /* National numbers of the overseas departments keep their own code. */
    fields_test_phone_is("0590 12 34 56", "+590590123456");
    fields_test_phone_is("0690 12 34 56", "+590690123456");
    fields_test_phone_is("0262 12 34 56", "+262262123456");
    fields_test_phone_is("0692 12 34 56", "+262692123456");
    fields_test_phone_is("0269 61 23 45", "+262269612345"); /* Mayotte */
    fields_test_phone_is("0639 12 34 56", "+262639123456");
    fields_test_phone_is("0596 12 34 56", "+596596123456");
    fields_test_phone_is("0694 12 34 56", "+594694123456");
}

Test(fields_phone, refused)
{
    fields_test_phone_refused("+330562660408", "drop the 0"); /* real defect: a 0 too many */
    fields_test_phone_refused("+33 0 5 62 66 04 08", "drop the 0");
    fields_test_phone_refused("05 62 03 01 09 1", "too many");
    fields_test_phone_refused("05620301091", "too many");
    fields_test_phone_refused("05 62 03 01 0", "too few");
    fields_test_phone_refused("056203010", "too few");
    fields_test_phone_refused("+3356203010", "9 digits");
    fields_test_phone_refused("+335620301091", "9 digits");
    fields_test_phone_refused("+590 590 12 34 5", "9 digits");
    fields_test_phone_refused("+687 12 345", "6 to 9");
    fields_test_phone_refused("+687 1234 567 890", "6 to 9");
    fields_test_phone_refused("+32 2 123 45 67", "country code");
    fields_test_phone_refused("+1 202 555 0100", "country code");
    fields_test_phone_refused("0044 20 7946 0958", "country code");
    fields_test_phone_refused("5 62 03 01 09", "start with 0");
    fields_test_phone_refused("3939", "start with 0");
    fields_test_phone_refused("05 62 O3 01 09", "digits"); /* a letter O */
    fields_test_phone_refused("tel 05 62 03 01 09", "digits");
    fields_test_phone_refused("05 62 03 01 09 (accueil)", "digits");
    fields_test_phone_refused("05/62/03/01/09", "digits");
    fields_test_phone_refused("05  62 03 01 09", "digits");
    fields_test_phone_refused(" 05 62 03 01 09", NULL);
    fields_test_phone_refused("05 62 03 01 09 ", "digits");
    fields_test_phone_refused("+ 33 5 62 03 01 09", NULL);
    fields_test_phone_refused("++33562030109", NULL);
    fields_test_phone_refused("05 (0)62 03 01 09", NULL);
    fields_test_phone_refused("+33 (0)", "digits");
    fields_test_phone_refused("+3 (0)3 5 62 03 01 09", NULL);
    fields_test_phone_refused("+33 (0)(0)5 62 03 01 09", "digits");
    fields_test_phone_refused("0562030109999999999999", "too many");
    fields_test_phone_refused("+33562030109999999999", "9 digits");
    fields_test_phone_refused("", "phone number");
    fields_test_phone_refused("+", NULL);
    fields_test_phone_refused("00", NULL);
    cr_expect_not(fields_phone(NULL, NULL, 0, NULL));
}

Test(fields_phone, buffer)
{
    char small[12] = "x";
    const char *why = NULL;
    cr_expect(fields_phone("05 62 03 01 09", NULL, 0, &why), "validation only");
    cr_expect_not(fields_phone("05 62 03 01 09", small, sizeof small, &why));
    cr_expect_str_empty(small);
    cr_expect(strstr(why, "buffer") != NULL);
    char exact[13];
    cr_expect(fields_phone("05 62 03 01 09", exact, sizeof exact, NULL));
    cr_expect_str_eq(exact, "+33562030109");
}

Test(fields_url, good)
{
    const char *good[] = {
        "https://www.laquincaillerie.tl/",
        "https://m.facebook.com/laquincaillerienumerique/",
        "http://mairie-auch.fr",
        "HTTPS://WWW.MAIRIE-AUCH.FR/Services",
        "https://www.gers.chambre-agriculture.fr",
        "https://www.gerssolidaire.org/",
        "https://www.cdcaag.fr/",
        "https://example.org:8443/a/b?c=d&e=f#top",
        "https://example.org?q=1",
        "https://example.org#frag",
        "https://fr.wikipedia.org/wiki/Auch_(Gers)",
        "https://fr.wikipedia.org/wiki/M%C3%A9diath%C3%A8que",
        "https://acceslibre.beta.gouv.fr/app/29-lampaul-plouarzel/a/bibliotheque-mediatheque/erp/"
        "mediatheque-13/",
        "https://www.rdv-solidarites.fr/",
        "https://xn--mairie-eauze-ihb.fr/",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        const char *why = NULL;
        cr_expect(fields_url(good[i], &why), "%s: %s", good[i], why ? why : "");
    }
}

Test(fields_url, bad)
{
    struct {
        const char *in, *reason;
    } bad[] = {
        {"", "web address such as"},
        {"www.mairie-auch.fr", "http:// or https://"},
        {"ftp://mairie-auch.fr/", "http:// or https://"},
        {"https:/mairie-auch.fr", "http:// or https://"},
        {"javascript:alert(1)", "http:// or https://"},
        {"https://", "host"},
        {"https://localhost/", "host"},
        {"http://localhost:8080/", "host"},
        {"https://192.168.1.1/", "host"},
        {"https://[::1]/", "host"},
        {"https://mairie_auch.fr/", "host"},
        {"https://-mairie.fr/", "host"},
        {"https://mairie..fr/", "host"},
        {"https://mairié.fr/", "host"},
        {"https://user:pass@mairie.fr/", "user name"},
        {"https://mairie.fr@evil.example/", "user name"},
        {"https://mairie.fr:/", "port"},
        {"https://mairie.fr:0/", "port"},
        {"https://mairie.fr:65536/", "port"},
        {"https://mairie.fr:123456/", "port"},
        {"https://mairie.fr:8o/", "port"},
        {"https://mairie.fr/a b", "one web address"},
        {" https://mairie.fr/", "one web address"},
        {"https://a.fr/|https://b.fr/", "one web address"},
        {"https://mairie.fr/médiathèque", "RFC 3986"},
        {"https://mairie.fr/a\"b", "RFC 3986"},
        {"https://mairie.fr/<script>", "RFC 3986"},
        {"https://mairie.fr/100%", "RFC 3986"},
        {"https://mairie.fr/%zz", "RFC 3986"},
        {"https://mairie.fr/a\\b", "RFC 3986"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *why = NULL;
        cr_expect_not(fields_url(bad[i].in, &why), "%s", bad[i].in);
        cr_assert_not_null(why, "%s", bad[i].in);
        cr_expect(strstr(why, bad[i].reason) != NULL, "%s: \"%s\"", bad[i].in, why);
    }
    cr_expect_not(fields_url(NULL, NULL));
}

Test(fields_url, length)
{
    size_t cap = FIELDS_URL_MAX + 2;
    char *url = malloc(cap);
    cr_assert_not_null(url);
    strcpy(url, "https://mairie.fr/");
    size_t len = strlen(url);
    memset(url + len, 'a', FIELDS_URL_MAX - len);
    url[FIELDS_URL_MAX] = '\0';
    cr_expect(fields_url(url, NULL), "2048 characters");
    url[FIELDS_URL_MAX] = 'a';
    url[FIELDS_URL_MAX + 1] = '\0';
    const char *why = NULL;
    cr_expect_not(fields_url(url, &why), "2049 characters");
    cr_expect(why && strstr(why, "2048"));
    free(url);
}

Test(fields_postal_code, cases)
{
    const char *good[] = {"32000", "32410", "51100", "97100", "20000", "01000"};
    const char *bad[] = {"", "3200", "320000", "32 000", "2A000", "32OOO", " 32000", "32000 "};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        cr_expect(fields_postal_code(good[i], NULL), "%s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *why = NULL;
        cr_expect_not(fields_postal_code(bad[i], &why), "%s", bad[i]);
        cr_expect_str_eq(why, "must be a postal code of 5 digits, such as 32000");
    }
    cr_expect_not(fields_postal_code(NULL, NULL));
}

Test(fields_insee_code, cases)
{
    const char *good[] = {"32013", "32365", "51454", "01001", "2A004", "2B033",
                          "21231", "97411", "98818", "75056", "19272"};
    const char *bad[] = {"",      "3201",  "320130", "2C004",  "2a004",  "20004",
                         "02A04", "A2004", "3201A",  " 32013", "32013 ", "32 13"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        cr_expect(fields_insee_code(good[i], NULL), "%s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *why = NULL;
        cr_expect_not(fields_insee_code(bad[i], &why), "%s", bad[i]);
        cr_expect(why && strstr(why, "INSEE"), "%s", bad[i]);
    }
    cr_expect_not(fields_insee_code(NULL, NULL));
}

Test(fields_pivot, cases)
{
    const char *good[] = {
        "43493312300029", /* the standard's example */
        /* CNFS 2022 places of the Gers */
        "49226932900040", "37899609400033", "83524045800025", "18320002100016", "21320242700018",
        "24320039100072", "20003575600010",
        "35600000018615", /* La Poste, Aubiet: fails Luhn, digits add up to 30 */
        "35600000000048", /* La Poste's head office: passes Luhn */
        "00000000000000", /* the placeholder for an unknown SIRET */
        "W323001234",     /* RNA */
        "123456789",      /* 9 characters, not a SIRET */
        "1234567890123",  /* 13 digits, not a SIRET */
        "A2345678901234", /* 14 characters with a letter, not a SIRET */
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        const char *why = NULL;
        cr_expect(fields_pivot(good[i], &why), "%s: %s", good[i], why ? why : "");
    }
    struct {
        const char *in, *reason;
    } bad[] = {
        {"43493312300028", "Luhn"}, /* the example with its last digit changed */
        {"43493312300092", "Luhn"}, /* two digits swapped */
        {"03493312380029", "Luhn"}, /* passes Luhn on 14 digits, SIREN 034933123 fails */
        {"35600000018614", "Luhn"}, /* La Poste, sum 29 */
        {"00000000000018", "Luhn"}, /* passes Luhn, but SIREN 000000000 */
        {"12345678", "9 to 14"},          {"123456789012345", "9 to 14"},
        {"434 933 123 00029", "9 to 14"}, {"43493312300029 ", "9 to 14"},
        {"W32-001234", "9 to 14"},        {"", "9 to 14"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *why = NULL;
        cr_expect_not(fields_pivot(bad[i].in, &why), "%s", bad[i].in);
        cr_expect(why && strstr(why, bad[i].reason), "%s: %s", bad[i].in, why ? why : "");
    }
    cr_expect_not(fields_pivot(NULL, NULL));
}

Test(fields_coordinates, ranges)
{
    const char *why = NULL;
    cr_expect(fields_latitude(43.646468, &why));
    cr_expect(fields_latitude(-90.0, NULL));
    cr_expect(fields_latitude(90.0, NULL));
    cr_expect(fields_latitude(0.0, NULL));
    cr_expect_not(fields_latitude(90.000001, &why));
    cr_expect_str_eq(why, "must be a latitude in degrees between -90 and 90 (WGS84)");
    cr_expect_not(fields_latitude(-91.0, NULL));
    cr_expect_not(fields_latitude(NAN, NULL));
    cr_expect_not(fields_latitude(INFINITY, NULL));
    cr_expect(fields_longitude(-0.085883, NULL));
    cr_expect(fields_longitude(180.0, NULL));
    cr_expect(fields_longitude(-180.0, NULL));
    why = NULL;
    cr_expect_not(fields_longitude(180.5, &why));
    cr_expect(why && strstr(why, "longitude"));
    cr_expect_not(fields_longitude(-INFINITY, NULL));
    cr_expect_not(fields_longitude(NAN, NULL));
}

/* Every France Services site of the Gers: phones normalise to +33 and the
 * national number without its 0; e-mails, codes and coordinates pass. */
Test(fields_france_services, every_row_passes)
{
    struct csv csv;
    fields_test_load_csv("france-services-32-gers.csv", &csv);
    cr_expect_eq(csv.count, 28, "a header and 27 sites");
    for (size_t r = 1; r < csv.count; r++) {
        const char *phone = fields_test_cell(&csv, r, "telephone");
        char expected[FIELDS_E164_SIZE] = "+33", e164[FIELDS_E164_SIZE];
        size_t n = 3;
        for (const char *p = phone + 1; *p && n + 1 < sizeof expected; p++)
            if (*p >= '0' && *p <= '9')
                expected[n++] = *p;
        expected[n] = '\0';
        const char *why = NULL;
        cr_expect(fields_phone(phone, e164, sizeof e164, &why), "row %zu %s: %s", r, phone,
                  why ? why : "");
        cr_expect_str_eq(e164, expected, "row %zu", r);
        cr_expect_eq(strlen(e164), 12);

        const char *mail = fields_test_cell(&csv, r, "mail");
        cr_expect(fields_email(mail, &why), "row %zu %s: %s", r, mail, why);
        const char *postal = fields_test_cell(&csv, r, "code_postal");
        cr_expect(fields_postal_code(postal, &why), "row %zu %s", r, postal);
        cr_expect_eq(strncmp(postal, "32", 2), 0);
        const char *insee = fields_test_cell(&csv, r, "insee_com");
        cr_expect(fields_insee_code(insee, &why), "row %zu %s", r, insee);
        cr_expect_eq(strncmp(insee, "32", 2), 0);
        double lat = strtod(fields_test_cell(&csv, r, "latitude"), NULL);
        double lon = strtod(fields_test_cell(&csv, r, "longitude"), NULL);
        cr_expect(fields_latitude(lat, NULL) && fields_longitude(lon, NULL), "row %zu", r);
        cr_expect(lat > 43.0 && lat < 44.1 && lon > -0.4 && lon < 1.3, "row %zu in the Gers", r);
    }
    csv_free(&csv);
}

/* The 2022 CNFS places of the Gers, as published, defects included. */
Test(fields_cnfs_2022, published_values)
{
    const char *phones[] = {"+33562051361", "+33562636539", "+33800323130",
                            "+33562617777", "+33531168052", "+33562648451"};
    for (size_t i = 0; i < sizeof phones / sizeof *phones; i++)
        fields_test_phone_is(phones[i], phones[i]);
    fields_test_phone_refused("+330562660408", "drop the 0");

    cr_expect(fields_email("contact@garros-services.fr", NULL));
    cr_expect(fields_email("ca32@gers.chambagri.fr", NULL));
    cr_expect(fields_email("bibli.masseube@gmail.com", NULL));
    cr_expect_not(fields_email("gerssolidaire.org", NULL));
    cr_expect_not(fields_email("aubiet@france-service.gouv,fr", NULL));
    cr_expect(fields_url("https://www.gerssolidaire.org/", NULL));
    cr_expect(fields_postal_code("32430", NULL));
}

static void fields_test_each(const char *list, bool (*check)(const char *, const char **))
{
    char *copy = strdup(list);
    cr_assert_not_null(copy);
    char *save = NULL;
    size_t n = 0;
    for (char *item = strtok_r(copy, "|", &save); item; item = strtok_r(NULL, "|", &save), n++) {
        const char *why = NULL;
        cr_expect(check(item, &why), "%s: %s", item, why ? why : "");
    }
    cr_expect_gt(n, 0);
    free(copy);
}

/* The standard's valid example row passes every validator. */
Test(fields_example, standard_row_passes)
{
    struct csv csv;
    fields_test_load_csv("mediation-num-exemple-valide.csv", &csv);
    cr_assert_eq(csv.count, 2);
    const char *why = NULL;
    cr_expect(fields_pivot(fields_test_cell(&csv, 1, "pivot"), &why));
    cr_expect(fields_postal_code(fields_test_cell(&csv, 1, "code_postal"), &why));
    cr_expect(fields_insee_code(fields_test_cell(&csv, 1, "code_insee"), &why));
    char e164[FIELDS_E164_SIZE];
    const char *phone = fields_test_cell(&csv, 1, "telephone");
    cr_expect(fields_phone(phone, e164, sizeof e164, &why));
    cr_expect_str_eq(e164, phone, "already E.164");
    fields_test_each(fields_test_cell(&csv, 1, "courriels"), fields_email);
    fields_test_each(fields_test_cell(&csv, 1, "site_web"), fields_url);
    cr_expect(fields_url(fields_test_cell(&csv, 1, "fiche_acces_libre"), &why));
    cr_expect(fields_url(fields_test_cell(&csv, 1, "prise_rdv"), &why));
    cr_expect(fields_latitude(strtod(fields_test_cell(&csv, 1, "latitude"), NULL), &why));
    cr_expect(fields_longitude(strtod(fields_test_cell(&csv, 1, "longitude"), NULL), &why));
    csv_free(&csv);
}
