/* The SQL of `seed`: the campaign's organisations. */
#ifndef SEED_SQL_H
#define SEED_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* $1 slug, $2 name, $3 kind: adds the organisation, or updates its name and
 * kind when they differ. No rows; one affected when added or changed. */
#define SEED_SQL_UPSERT_ORGANIZATION                                                               \
    "INSERT INTO organizations (slug, name, kind) VALUES ($1, $2, $3) "                            \
    "ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, "                \
    "updated_at = now() "                                                                          \
    "WHERE (organizations.name, organizations.kind) IS DISTINCT FROM "                             \
    "(EXCLUDED.name, EXCLUDED.kind)"

/* Whether generated data (gen-data, seed --demo) is in the database: one
 * row, 't' or 'f'. */
#define SEED_SQL_DEMO_PRESENT                                                                      \
    "SELECT EXISTS (SELECT 1 FROM referrals WHERE notes = 'gen-data')"

/* clang-format on */

#endif
