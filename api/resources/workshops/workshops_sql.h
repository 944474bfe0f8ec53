/* The SQL of workshops and registrations. */
#ifndef WORKSHOPS_SQL_H
#define WORKSHOPS_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* A workshop as the API shows it (w: workshops, p: its place, s: its stop or
 * NULL, c: the stop's commune). Its status is derived: cancelled, completed
 * once ended, scheduled otherwise. */
#define WORKSHOP_SQL_JSON                                                                          \
    "json_build_object('id', w.id, 'series_id', w.series_id, 'owner', w.owner, "                  \
    "'place_id', w.place_id, 'stop_id', w.stop_id, 'title', w.title, 'theme', w.theme, "           \
    "'audience', w.audience, 'starts_at', w.starts_at, 'ends_at', w.ends_at, "                     \
    "'capacity', w.capacity, 'seats_left', CASE WHEN w.cancelled_at IS NULL THEN "             \
    "w.capacity - w.confirmed_count ELSE 0 END, "                                                  \
    "'waitlist_count', w.waitlist_count, 'status', CASE WHEN w.cancelled_at IS NOT NULL THEN "     \
    "'cancelled' WHEN w.ends_at <= now() THEN 'completed' ELSE 'scheduled' END, "                  \
    "'description', w.description, 'accessibility', w.accessibility, "                             \
    "'price_eur', w.price_eur, 'place', json_build_object('name', p.name, "                        \
    "'commune', coalesce(c.name, p.commune), 'insee_code', coalesce(s.insee_code, p.insee_code), " \
    "'address', coalesce(s.address, p.street), "                                                   \
    "'latitude', ST_Y(coalesce(s.location, p.location)::geometry), "                               \
    "'longitude', ST_X(coalesce(s.location, p.location)::geometry)), "                             \
    "'created_at', w.created_at, 'updated_at', w.updated_at)"

#define WORKSHOP_SQL_FROM                                                                          \
    " FROM workshops w JOIN places p ON p.id = w.place_id "                                        \
    "LEFT JOIN place_stops s ON s.id = w.stop_id "                                                 \
    "LEFT JOIN communes c ON c.insee_code = s.insee_code "

#define WORKSHOP_SQL_ETAG "'\"' || (extract(epoch FROM w.updated_at) * 1000000)::bigint || '\"'"

/* Columns of a workshop row: JSON text, id, ETag, owner. */
enum { WS_COL_JSON, WS_COL_ID, WS_COL_ETAG, WS_COL_OWNER };
#define WORKSHOP_SQL_ROW WORKSHOP_SQL_JSON "::text, w.id, " WORKSHOP_SQL_ETAG ", w.owner"

/* $1 workshop, $2 registration: cancels it; the seat it frees goes to the
 * first of the waiting list, and the counters follow, in the caller's
 * transaction (which holds the workshop's lock). Returns the status the
 * registration had. */
#define REGISTRATION_SQL_CANCEL                                                                    \
    "WITH old AS (SELECT id, status FROM registrations WHERE id = $2::uuid AND "                   \
    "workshop_id = $1::uuid AND status <> 'cancelled' FOR UPDATE), "                               \
    "gone AS (UPDATE registrations r SET status = 'cancelled', updated_at = clock_timestamp() "    \
    "FROM old WHERE r.id = old.id RETURNING old.status), "                                         \
    "next AS (SELECT id FROM registrations WHERE workshop_id = $1::uuid AND status = "             \
    "'waitlisted' AND id <> $2::uuid AND EXISTS (SELECT 1 FROM gone WHERE status = 'confirmed') "  \
    "ORDER BY arrival LIMIT 1 FOR UPDATE), "                                                       \
    "promoted AS (UPDATE registrations r SET status = 'confirmed', updated_at = "                  \
    "clock_timestamp() FROM next WHERE r.id = next.id RETURNING r.id), "                           \
    "counted AS (UPDATE workshops w SET confirmed_count = w.confirmed_count - "                    \
    "(SELECT count(*) FROM gone WHERE status = 'confirmed') + (SELECT count(*) FROM promoted), "   \
    "waitlist_count = w.waitlist_count - (SELECT count(*) FROM gone WHERE status = 'waitlisted') " \
    "- (SELECT count(*) FROM promoted), updated_at = clock_timestamp() WHERE w.id = $1::uuid "     \
    "AND EXISTS (SELECT 1 FROM gone)) "                                                            \
    "SELECT status FROM gone"

/* $1 workshop, $2 how many: confirms that many of the waiting list, first
 * arrived first (after a capacity increase). */
#define REGISTRATION_SQL_PROMOTE                                                                   \
    "WITH next AS (SELECT id FROM registrations WHERE workshop_id = $1::uuid AND status = "        \
    "'waitlisted' ORDER BY arrival LIMIT $2::int FOR UPDATE), "                                    \
    "promoted AS (UPDATE registrations r SET status = 'confirmed', updated_at = "                  \
    "clock_timestamp() FROM next WHERE r.id = next.id RETURNING r.id) "                            \
    "UPDATE workshops w SET confirmed_count = w.confirmed_count + (SELECT count(*) FROM promoted), " \
    "waitlist_count = w.waitlist_count - (SELECT count(*) FROM promoted) WHERE w.id = $1::uuid"

/* $1 id. */
#define WORKSHOP_SQL_GET "SELECT " WORKSHOP_SQL_ROW WORKSHOP_SQL_FROM "WHERE w.id = $1::uuid"

/* Where a workshop takes place: $1 place id or NULL, $2 stop id or NULL, $3
 * starts_at, $4 ends_at. Returns the place id (a live place; for a stop, its
 * mobile unit), whether the times fall within the stop (true without a
 * stop), whether the workshop starts in the future. */
#define WORKSHOP_SQL_WHERE                                                                         \
    "SELECT p.id, s.id IS NULL OR ($3::timestamptz >= s.starts_at AND "                            \
    "$4::timestamptz <= s.ends_at), $3::timestamptz > now() "                                      \
    "FROM places p LEFT JOIN place_stops s ON s.id = $2::uuid "                                   \
    "WHERE p.deleted_at IS NULL AND ((($1::uuid IS NOT NULL) AND p.id = $1::uuid) OR "             \
    "($2::uuid IS NOT NULL AND p.id = s.place_id))"

/* $1 owner, $2 place, $3 stop, $4 title, $5 theme, $6 audience (JSON array),
 * $7 starts_at, $8 ends_at, $9 capacity, $10 description, $11 accessibility,
 * $12 price_eur, $13 series id or NULL, $14 local dates (JSON array of
 * YYYY-MM-DD, the occurrences; NULL for a single workshop). Each occurrence
 * keeps the local (Europe/Paris) time of day and the duration of the first. */
#define WORKSHOP_SQL_INSERT                                                                        \
    "WITH occ AS (SELECT CASE WHEN $14::jsonb IS NULL THEN $7::timestamptz ELSE "                  \
    "(d::date + ($7::timestamptz AT TIME ZONE 'Europe/Paris')::time) AT TIME ZONE 'Europe/Paris' " \
    "END AS starts FROM (SELECT jsonb_array_elements_text(coalesce($14::jsonb, '[null]')) d) x), " \
    "w AS (INSERT INTO workshops (owner, place_id, stop_id, title, theme, audience, starts_at, "   \
    "ends_at, capacity, description, accessibility, price_eur, series_id) "                        \
    "SELECT $1, $2::uuid, $3::uuid, $4, $5, ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), "  \
    "occ.starts, occ.starts + ($8::timestamptz - $7::timestamptz), $9::int, $10, $11, "            \
    "$12::numeric, $13::uuid FROM occ RETURNING *) "                                               \
    "SELECT " WORKSHOP_SQL_ROW " FROM w JOIN places p ON p.id = w.place_id "                       \
    "LEFT JOIN place_stops s ON s.id = w.stop_id LEFT JOIN communes c ON "                         \
    "c.insee_code = s.insee_code ORDER BY w.starts_at"

/* A registration as the API shows it (r), its waiting-list position computed
 * among the waitlisted of its workshop. */
#define REGISTRATION_SQL_JSON                                                                      \
    "json_build_object('id', r.id, 'workshop_id', r.workshop_id, 'registered_by', "               \
    "r.registered_by, 'participant_ref', r.participant_ref, 'display_name', r.display_name, "      \
    "'phone', r.phone, 'email', r.email, 'needs', r.needs, 'status', r.status, "                   \
    "'waitlist_position', CASE WHEN r.status = 'waitlisted' THEN (SELECT count(*) FROM "           \
    "registrations q WHERE q.workshop_id = r.workshop_id AND q.status = 'waitlisted' AND "          \
    "q.arrival <= r.arrival) END, 'attended', r.attended, 'created_at', r.created_at, "            \
    "'updated_at', r.updated_at)"

/* $1 workshop, $2 registering organisation, $3 participant_ref, $4 display
 * name, $5 phone, $6 email, $7 needs. One statement: the workshop row is
 * locked (registrations of a workshop queue there, in arrival order) and its
 * counters, read under the lock (the latest version), decide the status;
 * nothing is written for a cancelled or started workshop. The counters are
 * read from the locked row, not counted from registrations, which the
 * statement's snapshot may show as they were before it waited. Returns the
 * registration's JSON text and id. */
#define REGISTRATION_SQL_INSERT                                                                    \
    "WITH w AS (SELECT id, capacity, confirmed_count, waitlist_count FROM workshops "             \
    "WHERE id = $1::uuid "                                                                         \
    "AND cancelled_at IS NULL AND starts_at > now() FOR UPDATE), "                                 \
    "r AS (INSERT INTO registrations (workshop_id, registered_by, participant_ref, "               \
    "display_name, phone, email, needs, status) SELECT w.id, $2, $3, $4, $5, $6, $7, "             \
    "CASE WHEN w.confirmed_count < w.capacity THEN 'confirmed' ELSE 'waitlisted' END FROM w "      \
    "RETURNING *), "                                                                               \
    "counted AS (UPDATE workshops x SET confirmed_count = x.confirmed_count + "                    \
    "(r.status = 'confirmed')::int, waitlist_count = x.waitlist_count + "                          \
    "(r.status = 'waitlisted')::int, updated_at = clock_timestamp() FROM r "                       \
    "WHERE x.id = r.workshop_id) "                                                                 \
    "SELECT json_build_object('id', r.id, 'workshop_id', r.workshop_id, 'registered_by', "        \
    "r.registered_by, 'participant_ref', r.participant_ref, 'display_name', r.display_name, "      \
    "'phone', r.phone, 'email', r.email, 'needs', r.needs, 'status', r.status, "                   \
    "'waitlist_position', CASE WHEN r.status = 'waitlisted' THEN w.waitlist_count + 1 END, "       \
    "'attended', r.attended, 'created_at', r.created_at, 'updated_at', r.updated_at)::text, r.id " \
    "FROM r, w"

/* The list's filters: each is appended to its WHERE clause (printf formats,
 * %d the number of its parameter), then WORKSHOP_SQL_LIST is formatted. */

/* $%d from (NULL: now): not ended by then. */
#define WORKSHOP_SQL_LIST_FROM " AND w.ends_at > coalesce($%d::timestamptz, now())"

/* $%d to: starts before it. */
#define WORKSHOP_SQL_LIST_TO " AND w.starts_at < $%d::timestamptz"

/* $%d theme. */
#define WORKSHOP_SQL_LIST_THEME " AND w.theme = $%d"

/* $%d audience: one of the workshop's. */
#define WORKSHOP_SQL_LIST_AUDIENCE " AND $%d = ANY(w.audience)"

/* $%d INSEE code: of the stop, or else of the place. */
#define WORKSHOP_SQL_LIST_COMMUNE " AND coalesce(s.insee_code, p.insee_code) = $%d"

/* %s the column (place_id or series_id, the query parameter's name), $%d the
 * id. */
#define WORKSHOP_SQL_LIST_ID " AND w.%s = $%d::uuid"

/* %s true or false: whether seats are left (a cancelled workshop has none). */
#define WORKSHOP_SQL_LIST_HAS_SEATS                                                                \
    " AND (w.cancelled_at IS NULL AND w.confirmed_count < w.capacity) = %s"

/* $%d status: scheduled, cancelled or completed, as WORKSHOP_SQL_JSON derives
 * it. */
#define WORKSHOP_SQL_LIST_STATUS                                                                   \
    " AND CASE WHEN w.cancelled_at IS NOT NULL THEN 'cancelled' WHEN w.ends_at "                   \
    "<= now() THEN 'completed' ELSE 'scheduled' END = $%d"

/* $%d point (EWKT), $%d metres: the stop, or else the place, within them. */
#define WORKSHOP_SQL_LIST_NEAR                                                                     \
    " AND ST_DWithin(coalesce(s.location, p.location), $%d::geography, $%d::float8)"

/* $%d starts_at, $%d id: the cursor, the rows after it. */
#define WORKSHOP_SQL_LIST_AFTER " AND (w.starts_at, w.id) > ($%d::timestamptz, $%d::uuid)"

/* %s the filters above, $%d the limit: the page, by start then id. Columns:
 * JSON text, starts_at, id. */
#define WORKSHOP_SQL_LIST                                                                          \
    "SELECT " WORKSHOP_SQL_JSON "::text, w.starts_at::text, w.id" WORKSHOP_SQL_FROM                \
    "WHERE true%s ORDER BY w.starts_at, w.id LIMIT $%d::int"

/* $1 time: its local (Europe/Paris) date, YYYY-MM-DD. */
#define WORKSHOP_SQL_LOCAL_DATE                                                                    \
    "SELECT to_char($1::timestamptz AT TIME ZONE 'Europe/Paris', "                                 \
    "'YYYY-MM-DD')"

/* A new series id (UUID text). No parameters. */
#define WORKSHOP_SQL_NEW_SERIES "SELECT gen_random_uuid()::text"

/* $1 id (http_sql_lock): the workshop locked. Columns: WS_COL_*, then
 * capacity, confirmed count, cancelled, ended. */
#define WORKSHOP_SQL_LOCK                                                                          \
    "SELECT " WORKSHOP_SQL_ROW ", w.capacity, w.confirmed_count, "                                 \
    "w.cancelled_at IS NOT NULL, w.ends_at <= now()" WORKSHOP_SQL_FROM                             \
    "WHERE w.id = $1::uuid FOR UPDATE OF w"

/* $1 time: whether it is in the future. */
#define WORKSHOP_SQL_IN_FUTURE "SELECT $1::timestamptz > now()"

/* $1 id, $2 title, $3 theme, $4 audience (JSON array), $5 starts_at, $6
 * ends_at, $7 capacity, $8 description, $9 accessibility, $10 price_eur: each
 * NULL keeps the value. No rows (fails when ends_at is not after starts_at). */
#define WORKSHOP_SQL_UPDATE                                                                        \
    "UPDATE workshops SET title = coalesce($2, title), theme = coalesce($3, theme), "              \
    "audience = CASE WHEN $4::jsonb IS NULL THEN audience ELSE "                                   \
    "ARRAY(SELECT jsonb_array_elements_text($4::jsonb)) END, "                                     \
    "starts_at = coalesce($5::timestamptz, starts_at), "                                           \
    "ends_at = coalesce($6::timestamptz, ends_at), "                                               \
    "capacity = coalesce($7::int, capacity), "                                                     \
    "description = coalesce($8, description), "                                                    \
    "accessibility = coalesce($9, accessibility), "                                                \
    "price_eur = coalesce($10::numeric, price_eur), updated_at = clock_timestamp() "               \
    "WHERE id = $1::uuid"

/* $1 id: cancels the workshop and its registrations; the counters go to 0.
 * No rows. */
#define WORKSHOP_SQL_CANCEL                                                                        \
    "WITH gone AS (UPDATE registrations SET status = 'cancelled', updated_at = "                   \
    "clock_timestamp() WHERE workshop_id = $1::uuid AND status <> 'cancelled') "                   \
    "UPDATE workshops SET cancelled_at = clock_timestamp(), confirmed_count = 0, "                 \
    "waitlist_count = 0, updated_at = clock_timestamp() WHERE id = $1::uuid"

/* $1 workshop: its owner, whether it is cancelled, whether it has started;
 * no row when there is none. */
#define REGISTRATION_SQL_WORKSHOP                                                                  \
    "SELECT owner, cancelled_at IS NOT NULL, starts_at <= now() "                                  \
    "FROM workshops WHERE id = $1::uuid"

/* The same, the workshop locked. */
#define REGISTRATION_SQL_WORKSHOP_FOR_UPDATE REGISTRATION_SQL_WORKSHOP " FOR UPDATE"

/* $1 series: its sessions not ended, locked, in order. Columns: id, whether
 * one may still register (not cancelled, not started). */
#define REGISTRATION_SQL_SERIES_SESSIONS                                                           \
    "SELECT id, cancelled_at IS NULL AND starts_at > now() FROM workshops "                        \
    "WHERE series_id = $1::uuid AND ends_at > now() "                                              \
    "ORDER BY starts_at, id FOR UPDATE"

/* $1 workshop, $2 registration, $3 registering organisation (NULL: any):
 * its JSON text; no row when there is none. */
#define REGISTRATION_SQL_GET                                                                       \
    "SELECT " REGISTRATION_SQL_JSON "::text FROM registrations r "                                 \
    "WHERE r.workshop_id = $1::uuid AND r.id = $2::uuid AND "                                      \
    "($3::text IS NULL OR r.registered_by = $3)"

/* $1 workshop, $2 registering organisation (NULL: any): its registrations,
 * a JSON array (text) in arrival order. */
#define REGISTRATION_SQL_LIST                                                                      \
    "SELECT coalesce(json_agg(" REGISTRATION_SQL_JSON " ORDER BY r.arrival), '[]')"                \
    "::text FROM registrations r WHERE r.workshop_id = $1::uuid AND "                              \
    "($2::text IS NULL OR r.registered_by = $2)"

/* $1 workshop, $2 registration: who registered it and its status; no row
 * when there is none. */
#define REGISTRATION_SQL_FIND                                                                      \
    "SELECT registered_by, status FROM registrations "                                             \
    "WHERE workshop_id = $1::uuid AND id = $2::uuid"

/* $1 registration, $2 attended (true or false): records it. Returns its JSON
 * text. */
#define REGISTRATION_SQL_ATTEND                                                                    \
    "UPDATE registrations r SET attended = $2::boolean, updated_at = "                             \
    "clock_timestamp() WHERE r.id = $1::uuid RETURNING " REGISTRATION_SQL_JSON                     \
    "::text"

/* The most events the calendar holds. */
#define CALENDAR_SQL_MAX_EVENTS "1000"

/* $1 theme, $2 audience, $3 INSEE code, $4 place (each NULL: any): the
 * workshops not ended 30 days ago, in order. Columns: id, title, description,
 * location, lat, lon, start, end, stamp, sequence, cancelled, theme, audience
 * (comma-joined). */
#define CALENDAR_SQL_EVENTS                                                                        \
    "SELECT w.id, w.title, w.description, concat_ws(', ', p.name, coalesce(s.address, p.street), " \
    "coalesce(c.name, p.commune)), ST_Y(coalesce(s.location, p.location)::geometry), "             \
    "ST_X(coalesce(s.location, p.location)::geometry), extract(epoch FROM w.starts_at)::bigint, "  \
    "extract(epoch FROM w.ends_at)::bigint, extract(epoch FROM w.updated_at)::bigint, "            \
    "extract(epoch FROM w.updated_at - w.created_at)::bigint, w.cancelled_at IS NOT NULL, "        \
    "w.theme, array_to_string(w.audience, ',') "                                                   \
    "FROM workshops w JOIN places p ON p.id = w.place_id "                                         \
    "LEFT JOIN place_stops s ON s.id = w.stop_id LEFT JOIN communes c ON c.insee_code = "          \
    "s.insee_code "                                                                                \
    "WHERE w.ends_at > now() - interval '30 days' AND ($1::text IS NULL OR w.theme = $1) "         \
    "AND ($2::text IS NULL OR $2 = ANY(w.audience)) "                                              \
    "AND ($3::text IS NULL OR coalesce(s.insee_code, p.insee_code) = $3) "                         \
    "AND ($4::uuid IS NULL OR w.place_id = $4::uuid) ORDER BY w.starts_at, w.id LIMIT " CALENDAR_SQL_MAX_EVENTS

/* Calendar links (migration 017). Every query that returns links returns
 * each as JSON text (never its secret nor its hash). */
#define CALENDAR_LINK_SQL_JSON                                                                     \
    "json_strip_nulls(json_build_object('id', l.id, 'label', l.label, 'theme', l.theme, "          \
    "'audience', l.audience, 'commune', l.commune, 'place_id', l.place_id, "                       \
    "'created_at', l.created_at))::text"

/* The most links an organisation holds. */
#define CALENDAR_LINK_SQL_MAX "100"

/* $1 org, $2 label, $3 theme, $4 audience, $5 commune, $6 place (each but $1
 * NULL: none), $7 the secret's SHA-256 (hex): the link, or no row when the
 * organisation already holds CALENDAR_LINK_SQL_MAX. */
#define CALENDAR_LINK_SQL_INSERT                                                                   \
    "INSERT INTO calendar_links AS l (org, label, theme, audience, commune, place_id, "            \
    "secret_sha256) SELECT $1, $2, $3, $4, $5, $6::uuid, $7 "                                      \
    "WHERE (SELECT count(*) FROM calendar_links WHERE org = $1) < " CALENDAR_LINK_SQL_MAX " "      \
    "RETURNING " CALENDAR_LINK_SQL_JSON

/* $1 org: its links, newest first (at most CALENDAR_LINK_SQL_MAX). */
#define CALENDAR_LINK_SQL_LIST                                                                     \
    "SELECT " CALENDAR_LINK_SQL_JSON " FROM calendar_links l WHERE l.org = $1 "                    \
    "ORDER BY l.created_at DESC, l.id LIMIT " CALENDAR_LINK_SQL_MAX

/* $1 link, $2 org: one row when it was deleted. */
#define CALENDAR_LINK_SQL_DELETE                                                                   \
    "DELETE FROM calendar_links WHERE id = $1::uuid AND org = $2 RETURNING id"

/* $1 the secret's SHA-256 (hex): the link's filters (theme, audience,
 * commune, place_id), while its organisation is active; no row otherwise. */
#define CALENDAR_LINK_SQL_FEED                                                                     \
    "SELECT l.theme, l.audience, l.commune, l.place_id FROM calendar_links l "                     \
    "JOIN organizations o ON o.slug = l.org AND o.active WHERE l.secret_sha256 = $1"

/* clang-format on */

#endif
