/* A database of its own, in the test cluster (TEST_DATABASE_URL), for a test
 * whose rows must never meet the other tests' (or that needs an empty one). */
#ifndef TEST_PRIVATE_DB_H
#define TEST_PRIVATE_DB_H

struct private_db {
    char name[64];     /* PREFIX_PID */
    char url[512];     /* its libpq URL */
    char env_url[600]; /* "DATABASE_URL=<url>", for the server's environment */
};

/* Creates it empty (dropping a leftover of the same name first). Asserts. */
void private_db_create(struct private_db *db, const char *prefix);

/* Drops it, closing any connection still on it. Asserts. */
void private_db_drop(const struct private_db *db);

#endif
