#include "keys.h"

#include "keys_sql.h"
#include "signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed(PGresult *res, PGconn *conn, char *err, size_t err_len)
{
    snprintf(err, err_len, "%s", PQerrorMessage(conn));
    PQclear(res);
    return -1;
}

int keys_generate(PGconn *conn, int activation_delay_s, FILE *out, char *err, size_t err_len)
{
    EVP_PKEY *key = signing_generate();
    char kid[64] = "";
    char *pem = key ? signing_private_pem(key) : NULL;
    bool ok = pem && signing_thumbprint(key, kid, sizeof kid);
    EVP_PKEY_free(key);
    if (!ok) {
        snprintf(err, err_len, "cannot generate a P-256 key");
        free(pem);
        return -1;
    }
    char delay[16];
    snprintf(delay, sizeof delay, "%d", activation_delay_s);
    const char *params[] = {kid, pem, delay};
    PGresult *res = PQexecParams(conn, KEYS_SQL_INSERT, 3, NULL, params, NULL, NULL, 0);
    OPENSSL_cleanse(pem, strlen(pem));
    free(pem);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return failed(res, conn, err, err_len);
    fprintf(out, "%s\tpublished now, signs from %s\n", kid, PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int keys_list(PGconn *conn, FILE *out, char *err, size_t err_len)
{
    PGresult *res = PQexecParams(conn, KEYS_SQL_LIST, 0, NULL, NULL, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return failed(res, conn, err, err_len);
    fprintf(out, "kid\tcreated\tpublished\tactive_from\tretired\n");
    for (int i = 0; i < PQntuples(res); i++)
        fprintf(out, "%s\t%s\t%s\t%s\t%s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
                PQgetvalue(res, i, 4)[0] ? PQgetvalue(res, i, 4) : "-");
    PQclear(res);
    return 0;
}

int keys_retire(PGconn *conn, const char *kid, char *err, size_t err_len)
{
    const char *params[] = {kid};
    PGresult *res = PQexecParams(conn, KEYS_SQL_RETIRE, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return failed(res, conn, err, err_len);
    int n = PQntuples(res);
    PQclear(res);
    if (n == 1)
        return 0;
    res = PQexecParams(conn, KEYS_SQL_EXISTS, 1, NULL, params, NULL, NULL, 0);
    bool exists = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    PQclear(res);
    snprintf(err, err_len, exists ? "key %s is already retired" : "no key %s", kid);
    return -1;
}
