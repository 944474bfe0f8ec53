/* The SQL of devices and their history. */
#ifndef DEVICES_SQL_H
#define DEVICES_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* A device as the API shows it (d). */
#define DEVICE_SQL_JSON                                                                            \
    "json_build_object('id', d.id, 'collected_by', d.collected_by, 'type', d.type, 'origin', "     \
    "d.origin, 'inventory_ref', d.inventory_ref, 'status', d.status, 'wiped', d.wiped, "           \
    "'collected_at', d.collected_at, 'created_at', d.created_at, 'updated_at', d.updated_at)"

/* An event of the history (e). */
#define DEVICE_SQL_EVENT_JSON                                                                      \
    "json_build_object('id', e.id, 'device_id', e.device_id, 'type', e.type, 'org', e.org, "       \
    "'actor', e.actor, 'at', e.at, 'from_status', e.from_status, 'to_status', e.to_status, "       \
    "'details', e.details)"

/* $1 org, $2 actor, $3 type, $4 origin, $5 collected_at, $6 inventory_ref:
 * the device and its first event (collected), unless collected_at is in the
 * future. Columns: JSON (NULL when refused), id, collected_at acceptable. */
#define DEVICES_SQL_INSERT                                                                         \
    "WITH ok AS (SELECT $5::timestamptz <= now() + interval '5 minutes' AS ok), "                  \
    "d AS (INSERT INTO devices (collected_by, type, origin, collected_at, inventory_ref) "         \
    "SELECT $1, $3, $4, $5::timestamptz, $6 FROM ok WHERE ok.ok RETURNING *), "                    \
    "e AS (INSERT INTO device_events (device_id, type, org, actor, at, from_status, to_status) "   \
    "SELECT d.id, 'collected', $1, $2, d.collected_at, NULL, 'collected' FROM d) "                 \
    "SELECT (SELECT " DEVICE_SQL_JSON "::text FROM d), (SELECT id FROM d), ok.ok FROM ok"

/* $1 id. */
#define DEVICES_SQL_GET "SELECT " DEVICE_SQL_JSON "::text FROM devices d WHERE d.id = $1::uuid"

/* $1 id, for http_sql_lock. Columns: status, wiped. */
#define DEVICES_SQL_LOCK "SELECT status, wiped FROM devices WHERE id = $1::uuid FOR UPDATE"

/* $1 id: whether the device exists, and its history (JSON array). */
#define DEVICES_SQL_EVENTS                                                                         \
    "SELECT EXISTS (SELECT 1 FROM devices WHERE id = $1::uuid), coalesce((SELECT "                 \
    "json_agg(" DEVICE_SQL_EVENT_JSON                                                              \
    " ORDER BY e.id) FROM device_events e WHERE e.device_id = $1::uuid), "                         \
    "'[]')::text"

/* $1 commune, $2 place, $3 at: each holds (or was not given). */
#define DEVICES_SQL_CHECK                                                                          \
    "SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM communes WHERE insee_code = $1), "           \
    "$2::uuid IS NULL OR EXISTS (SELECT 1 FROM places WHERE id = $2::uuid AND deleted_at IS "      \
    "NULL), $3::timestamptz IS NULL OR $3::timestamptz <= now() + interval '5 minutes'"

/* $1 id, $2 type (the new status), $3 org, $4 actor, $5 at (NULL: now), $6
 * details (JSON), $7 commune: the move and its event. A wipe sets `wiped`, a
 * return clears it. Returns the event. */
#define DEVICES_SQL_MOVE                                                                           \
    "WITH old AS (SELECT status FROM devices WHERE id = $1::uuid), "                               \
    "u AS (UPDATE devices SET status = $2, updated_at = clock_timestamp(), wiped = CASE $2 "       \
    "WHEN 'wiped' THEN true WHEN 'returned' THEN false ELSE wiped END WHERE id = $1::uuid "        \
    "RETURNING id), "                                                                              \
    "e AS (INSERT INTO device_events (device_id, type, org, actor, at, from_status, to_status, "   \
    "details, commune) SELECT u.id, $2, $3, $4, coalesce($5::timestamptz, clock_timestamp()), "    \
    "old.status, $2, $6::json, $7 FROM u, old RETURNING *) "                                      \
    "SELECT " DEVICE_SQL_EVENT_JSON "::text FROM e"

/* clang-format on */

#endif
