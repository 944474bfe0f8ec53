/* The SQL of the indicators' inputs: each check returns one boolean per
 * reference (true when it holds, or when it was not given); each insert
 * returns the row as the API shows it (JSON text). */
#ifndef ACTIVITY_SQL_H
#define ACTIVITY_SQL_H

/* The SQL is laid out by hand, to be read as SQL. */
/* clang-format off */

/* Not later than 5 minutes from now (clocks drift). */
#define ACTIVITY_SQL_NOT_FUTURE(p) "(" p "::timestamptz <= now() + interval '5 minutes')"

/* $1 place, $2 stop, $3 visited_at. */
#define ACTIVITY_SQL_VISIT_CHECK                                                                   \
    "SELECT $1::uuid IS NULL OR EXISTS (SELECT 1 FROM places WHERE id = $1::uuid AND "             \
    "deleted_at IS NULL), $2::uuid IS NULL OR EXISTS (SELECT 1 FROM place_stops WHERE id = "       \
    "$2::uuid), " ACTIVITY_SQL_NOT_FUTURE("$3")

/* $1 org, $2 place, $3 stop, $4 visited_at, $5 count, $6 purpose. */
#define ACTIVITY_SQL_VISIT_INSERT                                                                  \
    "INSERT INTO visits (org, place_id, stop_id, visited_at, count, purpose) VALUES ($1, "         \
    "$2::uuid, $3::uuid, $4::timestamptz, $5::int, $6) RETURNING json_build_object('id', id, "     \
    "'org', org, 'place_id', place_id, 'stop_id', stop_id, 'visited_at', visited_at, 'count', "    \
    "count, 'purpose', purpose, 'created_at', created_at)::text"

/* $1 workshop, $2 series, $3 taken_at. */
#define ACTIVITY_SQL_ASSESSMENT_CHECK                                                              \
    "SELECT $1::uuid IS NULL OR EXISTS (SELECT 1 FROM workshops WHERE id = $1::uuid), "            \
    "$2::uuid IS NULL OR EXISTS (SELECT 1 FROM workshops WHERE series_id = "                       \
    "$2::uuid), " ACTIVITY_SQL_NOT_FUTURE("$3")

/* $1 org, $2 participant_ref, $3 workshop, $4 series, $5 phase, $6 taken_at,
 * $7 levels (JSON), $8 their sum, $9 score, $10 autonomous. */
#define ACTIVITY_SQL_ASSESSMENT_INSERT                                                             \
    "INSERT INTO assessments (org, participant_ref, workshop_id, series_id, phase, taken_at, "     \
    "levels, level_sum, score, autonomous) VALUES ($1, $2, $3::uuid, $4::uuid, $5, "               \
    "$6::timestamptz, $7::json, $8::int, $9::numeric, $10::boolean) RETURNING "                   \
    "json_build_object('id', id, 'org', org, 'participant_ref', participant_ref, 'workshop_id', "  \
    "workshop_id, 'series_id', series_id, 'phase', phase, 'taken_at', taken_at, 'levels', "        \
    "levels, 'score', score, 'autonomous', autonomous, 'created_at', created_at)::text"

/* $1 subject type, $2 subject id, $3 the acting organisation: the subject
 * exists (a referral only for its two partners). */
#define ACTIVITY_SQL_FEEDBACK_CHECK                                                                \
    "SELECT CASE $1::text WHEN 'workshop' THEN EXISTS (SELECT 1 FROM workshops WHERE id = "        \
    "$2::uuid) WHEN 'place' THEN EXISTS (SELECT 1 FROM places WHERE id = $2::uuid AND "            \
    "deleted_at IS NULL) ELSE EXISTS (SELECT 1 FROM referrals WHERE id = $2::uuid AND "            \
    "(from_org = $3 OR to_org = $3)) END"

/* $1 org, $2 subject type, $3 subject id, $4 rating, $5 comment. */
#define ACTIVITY_SQL_FEEDBACK_INSERT                                                               \
    "INSERT INTO feedback (org, subject_type, subject_id, rating, comment) VALUES ($1, $2, "       \
    "$3::uuid, $4::int, $5) RETURNING json_build_object('id', id, 'org', org, 'subject_type', "    \
    "subject_type, 'subject_id', subject_id, 'rating', rating, 'comment', comment, "               \
    "'created_at', created_at)::text"

/* clang-format on */

#endif
