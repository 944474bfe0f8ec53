/* The SQL of the `keys` sub-command (signing_keys, migration 012). */
#ifndef KEYS_SQL_H
#define KEYS_SQL_H

/* clang-format off */

/* $1 kid, $2 private key PEM, $3 seconds before it signs
 * (KEY_ACTIVATION_DELAY_S): published now, signs after the delay. One row:
 * active_from as ISO 8601 UTC. */
#define KEYS_SQL_INSERT                                                                            \
    "INSERT INTO signing_keys (kid, private_pem, publish_at, active_from)"                         \
    " VALUES ($1, $2, now(), now() + make_interval(secs => $3::int))"                              \
    " RETURNING to_char(active_from AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Every key, newest first: kid, created_at, publish_at, active_from,
 * retired_at (empty when not retired), as ISO 8601 UTC. */
#define KEYS_SQL_LIST                                                                              \
    "SELECT kid,"                                                                                  \
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                   \
    " to_char(publish_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                   \
    " to_char(active_from AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                  \
    " coalesce(to_char(retired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"      \
    " FROM signing_keys ORDER BY active_from DESC, kid"

/* $1 kid: retires it now (it stops signing; it stays published until the
 * tokens it signed have expired). One row when it was not retired yet. */
#define KEYS_SQL_RETIRE                                                                            \
    "UPDATE signing_keys SET retired_at = now() WHERE kid = $1 AND retired_at IS NULL"             \
    " RETURNING kid"

/* $1 kid: one row when the key exists. */
#define KEYS_SQL_EXISTS "SELECT 1 FROM signing_keys WHERE kid = $1"

/* clang-format on */

#endif
