-- The indicators' functions and triggers: the figures computed from the inputs
-- (indicator_values_raw), the per-day rollups (008_indicator_rollups.sql
-- describes them) marked by the triggers at the end of this file and rebuilt by
-- indicator_refresh(), and indicator_values(), which reads one or the other.

CREATE OR REPLACE FUNCTION paris_day(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (t AT TIME ZONE 'Europe/Paris')::date $$;

CREATE OR REPLACE FUNCTION paris_midnight(d date) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT d::timestamp AT TIME ZONE 'Europe/Paris' $$;

-- The scopes a fact counts in.
CREATE OR REPLACE FUNCTION indicator_scopes(p_org text, p_org2 text, p_place uuid, p_commune text)
RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '*' UNION ALL SELECT 'org:' || p_org WHERE p_org IS NOT NULL
    UNION ALL SELECT 'org:' || p_org2 WHERE p_org2 IS NOT NULL AND p_org2 IS DISTINCT FROM p_org
    UNION ALL SELECT 'place:' || p_place WHERE p_place IS NOT NULL
    UNION ALL SELECT 'commune:' || p_commune WHERE p_commune IS NOT NULL
$$;

-- The histogram bucket of an orientation time: 16 per doubling of (1 + hours).
CREATE OR REPLACE FUNCTION indicator_hours_bucket(hours float8) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT floor(16 * ln(1 + greatest(hours, 0)) / ln(2))::int $$;

-- One row per indicator for [p_from, p_to), narrowed to a commune (INSEE), a
-- place and an organisation when given (NULL: all), computed from the inputs.
-- value is NULL when the sample is empty. What each filter means for each
-- input is in the OpenAPI description of GET /v1/indicators. indicator_values()
-- calls it for the requests the rollups cannot answer (two filters or more,
-- bounds that are not Paris midnights). The `before` assessment of each
-- participant is found through the index on (org, participant_ref, taken_at):
-- scanning the scoped assessments once per participant did not finish in ten
-- minutes at 466,720 assessments (gen-data --scale 1); this takes 1.3 s.
CREATE OR REPLACE FUNCTION indicator_values_raw(p_from timestamptz, p_to timestamptz, p_commune text,
                                 p_place uuid, p_org text)
RETURNS TABLE (code text, numerator numeric, denominator numeric, value numeric,
               sample_size bigint)
LANGUAGE sql STABLE AS $$
WITH
scoped_assessments AS (
    SELECT a.id, a.org, a.participant_ref, a.phase, a.taken_at, a.score, a.autonomous
    FROM assessments a
    LEFT JOIN workshops w ON w.id = a.workshop_id
    LEFT JOIN places p ON p.id = w.place_id
    WHERE (p_org IS NULL OR a.org = p_org)
      AND (p_place IS NULL OR w.place_id = p_place)
      AND (p_commune IS NULL OR p.insee_code = p_commune)
),
latest_after AS (
    SELECT DISTINCT ON (org, participant_ref) org, participant_ref, taken_at, score, autonomous
    FROM scoped_assessments
    WHERE phase IN ('after', 'follow_up') AND taken_at >= p_from AND taken_at < p_to
    ORDER BY org, participant_ref, taken_at DESC, id DESC
),
pairs AS (
    SELECT l.autonomous, l.score - b.score AS gain
    FROM latest_after l
    JOIN LATERAL (
        SELECT a.score FROM assessments a
        LEFT JOIN workshops w ON w.id = a.workshop_id
        LEFT JOIN places p ON p.id = w.place_id
        WHERE a.org = l.org AND a.participant_ref = l.participant_ref AND a.phase = 'before'
          AND a.taken_at < l.taken_at
          AND (p_place IS NULL OR w.place_id = p_place)
          AND (p_commune IS NULL OR p.insee_code = p_commune)
        ORDER BY a.taken_at DESC, a.id DESC LIMIT 1) b ON true
),
scoped_referrals AS (
    SELECT r.id, r.status, r.created_at
    FROM referrals r
    LEFT JOIN places p ON p.id = r.place_id
    WHERE (p_org IS NULL OR r.from_org = p_org OR r.to_org = p_org)
      AND (p_place IS NULL OR r.place_id = p_place)
      AND (p_commune IS NULL OR p.insee_code = p_commune)
),
orientation AS (
    SELECT extract(epoch FROM e.at - r.created_at) / 3600.0 AS hours
    FROM scoped_referrals r
    JOIN referral_events e ON e.referral_id = r.id AND e.type = 'accepted'
    WHERE e.at >= p_from AND e.at < p_to
),
sent AS (
    SELECT status FROM scoped_referrals WHERE created_at >= p_from AND created_at < p_to
),
answers AS (
    SELECT f.rating
    FROM feedback f
    LEFT JOIN workshops w ON f.subject_type = 'workshop' AND w.id = f.subject_id
    LEFT JOIN referrals r ON f.subject_type = 'referral' AND r.id = f.subject_id
    LEFT JOIN places p ON p.id = CASE f.subject_type WHEN 'place' THEN f.subject_id
                                 WHEN 'workshop' THEN w.place_id ELSE r.place_id END
    WHERE f.created_at >= p_from AND f.created_at < p_to
      AND (p_org IS NULL OR f.org = p_org)
      AND (p_place IS NULL OR p.id = p_place)
      AND (p_commune IS NULL OR p.insee_code = p_commune)
),
scoped_workshops AS (
    SELECT w.id, w.capacity, w.confirmed_count
    FROM workshops w JOIN places p ON p.id = w.place_id
    WHERE w.cancelled_at IS NULL AND w.starts_at >= p_from AND w.starts_at < p_to
      AND (p_org IS NULL OR w.owner = p_org)
      AND (p_place IS NULL OR w.place_id = p_place)
      AND (p_commune IS NULL OR p.insee_code = p_commune)
),
attendance AS (
    SELECT g.attended FROM registrations g JOIN scoped_workshops w ON w.id = g.workshop_id
    WHERE g.status = 'confirmed' AND g.attended IS NOT NULL
),
distributed AS (
    SELECT count(*) AS n FROM device_events e
    WHERE e.type = 'distributed' AND e.at >= p_from AND e.at < p_to
      AND (p_org IS NULL OR e.org = p_org)
      AND (p_place IS NULL OR (e.details ->> 'place_id')::uuid = p_place)
      AND (p_commune IS NULL OR e.commune = p_commune)
),
-- The mobile units' visits: those recorded at a stop (scoped by the stop's
-- place and commune) and those recorded at an itinerant place itself (by that
-- place and its commune); a visit has a stop or a place, never both.
mobile AS (
    SELECT coalesce(sum(v.count), 0) AS n
    FROM visits v
    LEFT JOIN place_stops s ON s.id = v.stop_id
    LEFT JOIN places p ON p.id = v.place_id
    WHERE v.visited_at >= p_from AND v.visited_at < p_to
      AND (v.stop_id IS NOT NULL OR 'itinerant' = ANY (p.itinerance))
      AND (p_org IS NULL OR v.org = p_org)
      AND (p_place IS NULL OR coalesce(s.place_id, v.place_id) = p_place)
      AND (p_commune IS NULL
           OR CASE WHEN v.stop_id IS NOT NULL THEN s.insee_code ELSE p.insee_code END = p_commune)
)
SELECT 'autonomy_rate', count(*) FILTER (WHERE autonomous)::numeric, count(*)::numeric,
       round(100.0 * count(*) FILTER (WHERE autonomous) / nullif(count(*), 0), 1), count(*)
FROM pairs
UNION ALL
SELECT 'autonomy_gain', coalesce(sum(gain), 0), count(*)::numeric, round(avg(gain), 1), count(*) FROM pairs
UNION ALL
SELECT 'orientation_time_median_hours', NULL, NULL,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY hours))::numeric, 1), count(*)
FROM orientation
UNION ALL
SELECT 'orientation_time_p80_hours', NULL, NULL,
       round((percentile_cont(0.8) WITHIN GROUP (ORDER BY hours))::numeric, 1), count(*)
FROM orientation
UNION ALL
SELECT 'referral_completion_rate', count(*) FILTER (WHERE status = 'completed')::numeric,
       count(*) FILTER (WHERE status IN ('completed', 'declined', 'cancelled', 'expired'))::numeric,
       round(100.0 * count(*) FILTER (WHERE status = 'completed')
             / nullif(count(*) FILTER (WHERE status IN ('completed', 'declined', 'cancelled',
                                                       'expired')), 0), 1),
       count(*) FILTER (WHERE status IN ('completed', 'declined', 'cancelled', 'expired'))
FROM sent
UNION ALL
SELECT 'devices_distributed', n::numeric, NULL, CASE WHEN n > 0 THEN n END, n FROM distributed
UNION ALL
SELECT 'satisfaction_mean', coalesce(sum(rating), 0)::numeric, count(*)::numeric, round(avg(rating), 2),
       count(*)
FROM answers
UNION ALL
SELECT 'satisfaction_share_4_plus', count(*) FILTER (WHERE rating >= 4)::numeric,
       count(*)::numeric,
       round(100.0 * count(*) FILTER (WHERE rating >= 4) / nullif(count(*), 0), 1), count(*)
FROM answers
UNION ALL
SELECT 'workshop_fill_rate', coalesce(sum(confirmed_count), 0)::numeric,
       coalesce(sum(capacity), 0)::numeric,
       round(100.0 * sum(confirmed_count) / nullif(sum(capacity), 0), 1), count(*)
FROM scoped_workshops
UNION ALL
SELECT 'workshop_attendance_rate', count(*) FILTER (WHERE attended)::numeric, count(*)::numeric,
       round(100.0 * count(*) FILTER (WHERE attended) / nullif(count(*), 0), 1), count(*)
FROM attendance
UNION ALL
SELECT 'mobile_unit_visits', n::numeric, NULL, CASE WHEN n > 0 THEN n END, n FROM mobile
$$;

-- ---- Marking -----------------------------------------------------------------

CREATE OR REPLACE FUNCTION indicator_mark(p_days date[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO indicator_dirty_days (day)
    SELECT DISTINCT d FROM unnest(p_days) d WHERE d IS NOT NULL
    ON CONFLICT DO NOTHING
$$;

-- Statement triggers: the changed rows are `changed` (new rows; old rows on
-- DELETE) and, on UPDATE, `old_rows`.
-- A referral whose created_at moved marks its old day too (its fact kept
-- under the old day while the new day's rebuild inserts it again was a
-- duplicate key that failed every refresh after it), and the days of its
-- acceptance (its hours to acceptance changed in their histograms).
CREATE OR REPLACE FUNCTION indicator_mark_referrals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(SELECT paris_day(created_at) FROM changed));
    IF TG_OP = 'UPDATE' THEN
        PERFORM indicator_mark(ARRAY(
            SELECT paris_day(o.created_at) FROM old_rows o JOIN changed c USING (id)
            WHERE o.created_at <> c.created_at
            UNION
            SELECT paris_day(e.at) FROM referral_events e
            WHERE e.type = 'accepted' AND e.referral_id IN (
                SELECT id FROM old_rows o JOIN changed c USING (id)
                WHERE o.created_at <> c.created_at)));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION indicator_mark_referral_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(
        SELECT paris_day(c.at) FROM changed c WHERE c.type = 'accepted'
        UNION SELECT paris_day(r.created_at) FROM referrals r
              WHERE r.id IN (SELECT referral_id FROM changed WHERE type = 'accepted')));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION indicator_mark_workshops() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(SELECT paris_day(starts_at) FROM changed));
    IF TG_OP = 'UPDATE' THEN
        PERFORM indicator_mark(ARRAY(SELECT paris_day(starts_at) FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION indicator_mark_registrations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(
        SELECT paris_day(w.starts_at) FROM workshops w
        WHERE w.id IN (SELECT DISTINCT workshop_id FROM changed)));
    RETURN NULL;
END $$;

-- An assessment changes the pairs of its participant's other assessments.
CREATE OR REPLACE FUNCTION indicator_mark_assessments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(
        SELECT paris_day(taken_at) FROM changed
        UNION
        SELECT paris_day(a.taken_at) FROM assessments a
        JOIN (SELECT DISTINCT org, participant_ref FROM changed) c USING (org, participant_ref)));
    IF TG_OP = 'UPDATE' THEN
        PERFORM indicator_mark(ARRAY(SELECT paris_day(taken_at) FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION indicator_mark_feedback() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(SELECT paris_day(created_at) FROM changed));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION indicator_mark_device_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(SELECT paris_day(at) FROM changed WHERE type = 'distributed'));
    RETURN NULL;
END $$;

-- The visits of the mobile units: at a stop, or at an itinerant place.
CREATE OR REPLACE FUNCTION indicator_mark_visits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(
        SELECT paris_day(c.visited_at) FROM changed c LEFT JOIN places p ON p.id = c.place_id
        WHERE c.stop_id IS NOT NULL OR 'itinerant' = ANY (p.itinerance)));
    IF TG_OP = 'UPDATE' THEN
        PERFORM indicator_mark(ARRAY(
            SELECT paris_day(o.visited_at) FROM old_rows o LEFT JOIN places p ON p.id = o.place_id
            WHERE o.stop_id IS NOT NULL OR 'itinerant' = ANY (p.itinerance)));
    END IF;
    RETURN NULL;
END $$;

-- The days of every fact whose scope follows a place's commune, or a
-- workshop's place: rare corrections, marked precisely.
CREATE OR REPLACE FUNCTION indicator_mark_place(p_place uuid) RETURNS void LANGUAGE sql AS $$
    SELECT indicator_mark(ARRAY(
        SELECT paris_day(created_at) FROM referrals WHERE place_id = p_place
        UNION SELECT paris_day(e.at) FROM referral_events e JOIN referrals r ON r.id = e.referral_id
              WHERE r.place_id = p_place AND e.type = 'accepted'
        UNION SELECT paris_day(starts_at) FROM workshops WHERE place_id = p_place
        UNION SELECT paris_day(f.created_at) FROM feedback f
              WHERE (f.subject_type = 'place' AND f.subject_id = p_place)
                 OR (f.subject_type = 'workshop' AND f.subject_id IN
                     (SELECT id FROM workshops WHERE place_id = p_place))
                 OR (f.subject_type = 'referral' AND f.subject_id IN
                     (SELECT id FROM referrals WHERE place_id = p_place))
        UNION SELECT paris_day(a.taken_at) FROM assessments a
              JOIN (SELECT DISTINCT x.org, x.participant_ref FROM assessments x
                    JOIN workshops w ON w.id = x.workshop_id WHERE w.place_id = p_place) c
              USING (org, participant_ref)
        UNION SELECT paris_day(v.visited_at) FROM visits v JOIN places p ON p.id = v.place_id
              WHERE v.place_id = p_place AND 'itinerant' = ANY (p.itinerance)))
$$;

-- The visits recorded at a place itself, when it becomes itinerant or stops
-- being so (mobile_unit_visits counts them only while it is).
CREATE OR REPLACE FUNCTION indicator_mark_place_itinerance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(SELECT paris_day(visited_at) FROM visits WHERE place_id = NEW.id));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION indicator_mark_workshop_place() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(
        SELECT paris_day(f.created_at) FROM feedback f
        WHERE f.subject_type = 'workshop' AND f.subject_id = NEW.id
        UNION SELECT paris_day(a.taken_at) FROM assessments a
              JOIN (SELECT DISTINCT org, participant_ref FROM assessments
                    WHERE workshop_id = NEW.id) c USING (org, participant_ref)));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION indicator_mark_place_commune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark_place(NEW.id);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION indicator_mark_stop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(SELECT paris_day(visited_at) FROM visits WHERE stop_id = NEW.id));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION indicator_mark_organization_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM indicator_mark(ARRAY(SELECT paris_day(created_at) FROM referrals
                                 WHERE from_org = NEW.slug OR to_org = NEW.slug));
    RETURN NULL;
END $$;

-- ---- Rebuilding ----------------------------------------------------------------

-- Recomputes every rollup row of the given days from the inputs. Usually a
-- day or two: the planner cannot see how few rows a day's time range holds and
-- would hash whole tables (1 million referrals) to join them; nested loops
-- through the indexes rebuild one national day in about 80 ms.
CREATE OR REPLACE FUNCTION indicator_rebuild_days(p_days date[]) RETURNS void LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    DELETE FROM indicator_daily WHERE day = ANY (p_days);
    DELETE FROM indicator_orientation WHERE day = ANY (p_days);
    DELETE FROM indicator_orientation_times WHERE day = ANY (p_days);
    DELETE FROM indicator_autonomy WHERE day = ANY (p_days);
    DELETE FROM indicator_referral_facts WHERE sent_day = ANY (p_days);

    INSERT INTO indicator_referral_facts (referral_id, sent_day, from_org, to_org, from_kind,
                                          to_kind, hours, completed, closed)
    SELECT r.id, d.day, r.from_org, r.to_org, fo.kind, too.kind,
           (SELECT (extract(epoch FROM e.at - r.created_at) / 3600.0)::float8
            FROM referral_events e WHERE e.referral_id = r.id AND e.type = 'accepted'
            ORDER BY e.id LIMIT 1),
           r.status = 'completed', r.status IN ('completed', 'declined', 'cancelled', 'expired')
    FROM unnest(p_days) d(day)
    JOIN referrals r ON r.created_at >= paris_midnight(d.day)
                    AND r.created_at < paris_midnight(d.day + 1)
    JOIN organizations fo ON fo.slug = r.from_org
    JOIN organizations too ON too.slug = r.to_org;

    INSERT INTO indicator_daily (scope, day, sent_closed, sent_completed, distributed, answers,
                                 answers_sum, answers_4_plus, workshops, seats, confirmed,
                                 recorded, attended, mobile_visits)
    SELECT s.scope, f.day, sum(f.sent_closed), sum(f.sent_completed), sum(f.distributed),
           sum(f.answers), sum(f.answers_sum), sum(f.answers_4_plus), sum(f.workshops),
           sum(f.seats), sum(f.confirmed), sum(f.recorded), sum(f.attended), sum(f.mobile_visits)
    FROM (
        SELECT d.day, r.from_org AS org, r.to_org AS org2, r.place_id AS place, p.insee_code AS commune,
               1 AS sent_closed, (r.status = 'completed')::int AS sent_completed, 0 AS distributed,
               0 AS answers, 0 AS answers_sum, 0 AS answers_4_plus, 0 AS workshops, 0 AS seats,
               0 AS confirmed, 0 AS recorded, 0 AS attended, 0 AS mobile_visits
        FROM unnest(p_days) d(day)
        JOIN referrals r ON r.created_at >= paris_midnight(d.day)
                        AND r.created_at < paris_midnight(d.day + 1)
        LEFT JOIN places p ON p.id = r.place_id
        WHERE r.status IN ('completed', 'declined', 'cancelled', 'expired')
        UNION ALL
        SELECT d.day, f.org, NULL, p.id, p.insee_code, 0, 0, 0, 1, f.rating, (f.rating >= 4)::int,
               0, 0, 0, 0, 0, 0
        FROM unnest(p_days) d(day)
        JOIN feedback f ON f.created_at >= paris_midnight(d.day)
                       AND f.created_at < paris_midnight(d.day + 1)
        LEFT JOIN workshops w ON f.subject_type = 'workshop' AND w.id = f.subject_id
        LEFT JOIN referrals r ON f.subject_type = 'referral' AND r.id = f.subject_id
        LEFT JOIN places p ON p.id = CASE f.subject_type WHEN 'place' THEN f.subject_id
                                     WHEN 'workshop' THEN w.place_id ELSE r.place_id END
        UNION ALL
        SELECT d.day, w.owner, NULL, w.place_id, p.insee_code, 0, 0, 0, 0, 0, 0, 1, w.capacity,
               w.confirmed_count, g.recorded, g.attended, 0
        FROM unnest(p_days) d(day)
        JOIN workshops w ON w.starts_at >= paris_midnight(d.day)
                        AND w.starts_at < paris_midnight(d.day + 1) AND w.cancelled_at IS NULL
        JOIN places p ON p.id = w.place_id
        CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE x.attended IS NOT NULL) AS recorded,
                   count(*) FILTER (WHERE x.attended) AS attended
            FROM registrations x WHERE x.workshop_id = w.id AND x.status = 'confirmed') g
        UNION ALL
        SELECT d.day, e.org, NULL, (e.details ->> 'place_id')::uuid, e.commune, 0, 0, 1, 0, 0, 0,
               0, 0, 0, 0, 0, 0
        FROM unnest(p_days) d(day)
        JOIN device_events e ON e.type = 'distributed' AND e.at >= paris_midnight(d.day)
                            AND e.at < paris_midnight(d.day + 1)
        UNION ALL
        SELECT d.day, v.org, NULL, coalesce(s.place_id, v.place_id),
               CASE WHEN v.stop_id IS NOT NULL THEN s.insee_code ELSE p.insee_code END,
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, v.count
        FROM unnest(p_days) d(day)
        JOIN visits v ON v.visited_at >= paris_midnight(d.day)
                     AND v.visited_at < paris_midnight(d.day + 1)
        LEFT JOIN place_stops s ON s.id = v.stop_id
        LEFT JOIN places p ON p.id = v.place_id
        WHERE v.stop_id IS NOT NULL OR 'itinerant' = ANY (p.itinerance)
    ) f
    CROSS JOIN LATERAL indicator_scopes(f.org, f.org2, f.place, f.commune) s(scope)
    GROUP BY s.scope, f.day;

    INSERT INTO indicator_orientation_times (event_id, day, bucket, hours, from_org, to_org,
                                             place_id, commune)
    SELECT e.id, d.day, indicator_hours_bucket(h.hours), h.hours, r.from_org, r.to_org,
           r.place_id, p.insee_code
    FROM unnest(p_days) d(day)
    JOIN referral_events e ON e.type = 'accepted' AND e.at >= paris_midnight(d.day)
                          AND e.at < paris_midnight(d.day + 1)
    JOIN referrals r ON r.id = e.referral_id
    LEFT JOIN places p ON p.id = r.place_id
    CROSS JOIN LATERAL (SELECT (extract(epoch FROM e.at - r.created_at) / 3600.0)::float8 AS hours) h;

    INSERT INTO indicator_orientation (scope, day, bucket, n)
    SELECT s.scope, t.day, t.bucket, count(*)
    FROM indicator_orientation_times t
    CROSS JOIN LATERAL indicator_scopes(t.from_org, t.to_org, t.place_id, t.commune) s(scope)
    WHERE t.day = ANY (p_days)
    GROUP BY 1, 2, 3;

    -- Autonomy: each after/follow_up assessment of the days, in each scope it
    -- belongs to, with the latest before preceding it and the next
    -- after/follow_up following it, both within the same scope.
    INSERT INTO indicator_autonomy (scope, day, next_day, n, autonomous, gain_sum)
    WITH afters AS (
        SELECT d.day, a.id, a.org, a.participant_ref, a.taken_at, a.score, a.autonomous,
               w.place_id, p.insee_code
        FROM unnest(p_days) d(day)
        JOIN assessments a ON a.taken_at >= paris_midnight(d.day)
                          AND a.taken_at < paris_midnight(d.day + 1)
                          AND a.phase IN ('after', 'follow_up')
        LEFT JOIN workshops w ON w.id = a.workshop_id
        LEFT JOIN places p ON p.id = w.place_id
    ),
    scoped AS (
        -- the participant (org and reference): scopes '*' and 'org:'
        SELECT x.*, NULL::uuid AS only_place, NULL::text AS only_commune, k.scope
        FROM afters x CROSS JOIN LATERAL (VALUES ('*'), ('org:' || x.org)) k(scope)
        UNION ALL
        SELECT x.*, x.place_id, NULL, 'place:' || x.place_id FROM afters x
        WHERE x.place_id IS NOT NULL
        UNION ALL
        SELECT x.*, NULL, x.insee_code, 'commune:' || x.insee_code FROM afters x
        WHERE x.insee_code IS NOT NULL
    )
    SELECT x.scope, x.day, coalesce(nx.next_day, 'infinity'), count(*),
           count(*) FILTER (WHERE x.autonomous), sum(x.score - b.score)
    FROM scoped x
    JOIN LATERAL (
        SELECT a.score FROM assessments a
        LEFT JOIN workshops w ON w.id = a.workshop_id
        LEFT JOIN places p ON p.id = w.place_id
        WHERE a.org = x.org AND a.participant_ref = x.participant_ref AND a.phase = 'before'
          AND a.taken_at < x.taken_at
          AND (x.only_place IS NULL OR w.place_id = x.only_place)
          AND (x.only_commune IS NULL OR p.insee_code = x.only_commune)
        ORDER BY a.taken_at DESC, a.id DESC LIMIT 1) b ON true
    LEFT JOIN LATERAL (
        SELECT paris_day(a.taken_at) AS next_day FROM assessments a
        LEFT JOIN workshops w ON w.id = a.workshop_id
        LEFT JOIN places p ON p.id = w.place_id
        WHERE a.org = x.org AND a.participant_ref = x.participant_ref
          AND a.phase IN ('after', 'follow_up') AND (a.taken_at, a.id) > (x.taken_at, x.id)
          AND (x.only_place IS NULL OR w.place_id = x.only_place)
          AND (x.only_commune IS NULL OR p.insee_code = x.only_commune)
        ORDER BY a.taken_at, a.id LIMIT 1) nx ON true
    GROUP BY 1, 2, 3;
END $$;

-- Brings the rollups up to date: rebuilds the days marked by transactions
-- committed so far (later ones leave their marks for the next call). Returns
-- the number of days rebuilt. Call it in a statement of its own before reading.
CREATE OR REPLACE FUNCTION indicator_refresh() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    days date[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM indicator_dirty_days) THEN
        RETURN 0;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('indicator_refresh'));
    WITH gone AS (DELETE FROM indicator_dirty_days RETURNING day)
    SELECT array_agg(DISTINCT day) INTO days FROM gone;
    IF days IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM indicator_rebuild_days(days);
    RETURN cardinality(days);
END $$;

-- ---- Reading -------------------------------------------------------------------

-- The orientation time percentiles (median and 80th, continuous, as
-- percentile_cont computes them) of the accepted events of [p_first, p_last]
-- in a scope, and how many there are. The ranks are located in the
-- histogram; only the facts of the one or two buckets holding them are read.
CREATE OR REPLACE FUNCTION indicator_orientation_percentiles(p_scope text, p_first date, p_last date,
                                                  p_commune text, p_place uuid, p_org text,
                                                  OUT median float8, OUT p80 float8, OUT n bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    buckets integer[];
    counts bigint[];
    fractions float8[] := ARRAY[0.5, 0.8];
    pos float8;
    lo float8;
    hi float8;
    result float8[] := ARRAY[NULL, NULL]::float8[];
BEGIN
    SELECT array_agg(h.bucket ORDER BY h.bucket), array_agg(h.n ORDER BY h.bucket), sum(h.n)
    INTO buckets, counts, n
    FROM (SELECT o.bucket, sum(o.n)::bigint AS n FROM indicator_orientation o
          WHERE o.scope = p_scope AND o.day BETWEEN p_first AND p_last GROUP BY o.bucket) h;
    n := coalesce(n, 0);
    IF n = 0 THEN
        RETURN;
    END IF;
    FOR i IN 1 .. 2 LOOP
        pos := fractions[i] * (n - 1);
        lo := indicator_orientation_rank(buckets, counts, floor(pos)::bigint, p_first, p_last,
                                         p_commune, p_place, p_org);
        hi := CASE WHEN ceil(pos) = floor(pos) THEN lo
                   ELSE indicator_orientation_rank(buckets, counts, ceil(pos)::bigint, p_first,
                                                   p_last, p_commune, p_place, p_org) END;
        result[i] := lo + (hi - lo) * (pos - floor(pos));
    END LOOP;
    median := result[1];
    p80 := result[2];
END $$;

-- The hours of rank k (from 0, ascending) among the accepted events of the
-- period and scope, whose histogram is (buckets, counts).
CREATE OR REPLACE FUNCTION indicator_orientation_rank(buckets integer[], counts bigint[], k bigint,
                                           p_first date, p_last date, p_commune text,
                                           p_place uuid, p_org text)
RETURNS float8 LANGUAGE plpgsql STABLE AS $$
DECLARE
    before bigint := 0;
    found float8;
BEGIN
    FOR i IN 1 .. cardinality(buckets) LOOP
        IF k < before + counts[i] THEN
            SELECT t.hours INTO found FROM indicator_orientation_times t
            WHERE t.bucket = buckets[i] AND t.day BETWEEN p_first AND p_last
              AND (p_org IS NULL OR t.from_org = p_org OR t.to_org = p_org)
              AND (p_place IS NULL OR t.place_id = p_place)
              AND (p_commune IS NULL OR t.commune = p_commune)
            ORDER BY t.hours OFFSET k - before LIMIT 1;
            RETURN found;
        END IF;
        before := before + counts[i];
    END LOOP;
    RETURN NULL;
END $$;

-- The same rows as indicator_values_raw() for the Paris days [p_first,
-- p_last] and at most one filter, from the rollups (call indicator_refresh()
-- first).
CREATE OR REPLACE FUNCTION indicator_values_rollup(p_first date, p_last date, p_commune text, p_place uuid,
                                        p_org text)
RETURNS TABLE (code text, numerator numeric, denominator numeric, value numeric,
               sample_size bigint)
LANGUAGE sql STABLE AS $$
WITH
s AS (
    SELECT CASE WHEN p_commune IS NOT NULL THEN 'commune:' || p_commune
                WHEN p_place IS NOT NULL THEN 'place:' || p_place
                WHEN p_org IS NOT NULL THEN 'org:' || p_org ELSE '*' END AS scope
),
d AS (
    SELECT coalesce(sum(sent_closed), 0) AS sent_closed,
           coalesce(sum(sent_completed), 0) AS sent_completed,
           coalesce(sum(distributed), 0) AS distributed, coalesce(sum(answers), 0) AS answers,
           coalesce(sum(answers_sum), 0) AS answers_sum,
           coalesce(sum(answers_4_plus), 0) AS answers_4_plus,
           coalesce(sum(workshops), 0) AS workshops, coalesce(sum(seats), 0) AS seats,
           coalesce(sum(confirmed), 0) AS confirmed, coalesce(sum(recorded), 0) AS recorded,
           coalesce(sum(attended), 0) AS attended,
           coalesce(sum(mobile_visits), 0) AS mobile_visits
    FROM indicator_daily x, s WHERE x.scope = s.scope AND x.day BETWEEN p_first AND p_last
),
a AS (
    SELECT coalesce(sum(n), 0) AS n, coalesce(sum(autonomous), 0) AS autonomous,
           coalesce(sum(gain_sum), 0) AS gain
    FROM indicator_autonomy x, s
    WHERE x.scope = s.scope AND x.day BETWEEN p_first AND p_last AND x.next_day > p_last
),
o AS (
    SELECT q.* FROM s, indicator_orientation_percentiles(s.scope, p_first, p_last, p_commune,
                                                         p_place, p_org) q
)
SELECT 'autonomy_rate', autonomous::numeric, n::numeric,
       round(100.0 * autonomous / nullif(n, 0), 1), n::bigint FROM a
UNION ALL
SELECT 'autonomy_gain', gain, n::numeric, round(gain / nullif(n, 0), 1), n::bigint FROM a
UNION ALL
SELECT 'orientation_time_median_hours', NULL, NULL, round(median::numeric, 1), n FROM o
UNION ALL
SELECT 'orientation_time_p80_hours', NULL, NULL, round(p80::numeric, 1), n FROM o
UNION ALL
SELECT 'referral_completion_rate', sent_completed::numeric, sent_closed::numeric,
       round(100.0 * sent_completed / nullif(sent_closed, 0), 1), sent_closed::bigint FROM d
UNION ALL
SELECT 'devices_distributed', distributed::numeric, NULL,
       CASE WHEN distributed > 0 THEN distributed END, distributed::bigint FROM d
UNION ALL
SELECT 'satisfaction_mean', answers_sum::numeric, answers::numeric,
       round(answers_sum::numeric / nullif(answers, 0), 2), answers::bigint FROM d
UNION ALL
SELECT 'satisfaction_share_4_plus', answers_4_plus::numeric, answers::numeric,
       round(100.0 * answers_4_plus / nullif(answers, 0), 1), answers::bigint FROM d
UNION ALL
SELECT 'workshop_fill_rate', confirmed::numeric, seats::numeric,
       round(100.0 * confirmed / nullif(seats, 0), 1), workshops::bigint FROM d
UNION ALL
SELECT 'workshop_attendance_rate', attended::numeric, recorded::numeric,
       round(100.0 * attended / nullif(recorded, 0), 1), recorded::bigint FROM d
UNION ALL
SELECT 'mobile_unit_visits', mobile_visits::numeric, NULL,
       CASE WHEN mobile_visits > 0 THEN mobile_visits END, mobile_visits::bigint FROM d
$$;

-- One row per indicator for [p_from, p_to), narrowed to a commune (INSEE), a
-- place and an organisation when given (NULL: all): from the rollups when the
-- bounds are Paris midnights and at most one filter is given, otherwise from
-- the inputs. Callers reading the rollups call indicator_refresh() first.
CREATE OR REPLACE FUNCTION indicator_values(p_from timestamptz, p_to timestamptz, p_commune text,
                                 p_place uuid, p_org text)
RETURNS TABLE (code text, numerator numeric, denominator numeric, value numeric,
               sample_size bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF num_nonnulls(p_commune, p_place, p_org) <= 1
       AND p_from = paris_midnight(paris_day(p_from)) AND p_to = paris_midnight(paris_day(p_to)) THEN
        RETURN QUERY SELECT * FROM indicator_values_rollup(paris_day(p_from), paris_day(p_to) - 1,
                                                           p_commune, p_place, p_org);
    ELSE
        RETURN QUERY SELECT * FROM indicator_values_raw(p_from, p_to, p_commune, p_place, p_org);
    END IF;
END $$;

-- Rebuilds the days marked so far, without the service's statement_timeout
-- (migrate runs without one): the days 008_indicator_rollups.sql marked for
-- the data recorded before it (every day, on a database upgraded from 007,
-- whose rollups the planner then needs statistics of), otherwise the few
-- marked since the last read. Before the triggers, so that the locks their
-- replacement takes on the tables are held only for an instant.
DO $$
BEGIN
    IF indicator_refresh() > 31 THEN
        ANALYZE indicator_daily, indicator_orientation, indicator_orientation_times,
                indicator_autonomy, indicator_referral_facts;
    END IF;
END $$;

-- ---- Triggers ------------------------------------------------------------------

CREATE OR REPLACE TRIGGER referrals_indicators_insert AFTER INSERT ON referrals
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_referrals();
CREATE OR REPLACE TRIGGER referrals_indicators_update AFTER UPDATE ON referrals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_referrals();
CREATE OR REPLACE TRIGGER referral_events_indicators AFTER INSERT ON referral_events
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_referral_events();
CREATE OR REPLACE TRIGGER workshops_indicators_insert AFTER INSERT ON workshops
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_workshops();
CREATE OR REPLACE TRIGGER workshops_indicators_update AFTER UPDATE ON workshops
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_workshops();
CREATE OR REPLACE TRIGGER workshops_indicators_delete AFTER DELETE ON workshops
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_workshops();
CREATE OR REPLACE TRIGGER workshops_indicators_place AFTER UPDATE ON workshops
    FOR EACH ROW WHEN (OLD.place_id IS DISTINCT FROM NEW.place_id)
    EXECUTE FUNCTION indicator_mark_workshop_place();
CREATE OR REPLACE TRIGGER registrations_indicators_insert AFTER INSERT ON registrations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_registrations();
CREATE OR REPLACE TRIGGER registrations_indicators_update AFTER UPDATE ON registrations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_registrations();
CREATE OR REPLACE TRIGGER registrations_indicators_delete AFTER DELETE ON registrations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_registrations();
CREATE OR REPLACE TRIGGER assessments_indicators_insert AFTER INSERT ON assessments
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_assessments();
CREATE OR REPLACE TRIGGER assessments_indicators_update AFTER UPDATE ON assessments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_assessments();
CREATE OR REPLACE TRIGGER assessments_indicators_delete AFTER DELETE ON assessments
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_assessments();
CREATE OR REPLACE TRIGGER feedback_indicators_insert AFTER INSERT ON feedback
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_feedback();
CREATE OR REPLACE TRIGGER feedback_indicators_delete AFTER DELETE ON feedback
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_feedback();
CREATE OR REPLACE TRIGGER device_events_indicators AFTER INSERT ON device_events
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_device_events();
CREATE OR REPLACE TRIGGER visits_indicators_insert AFTER INSERT ON visits
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_visits();
CREATE OR REPLACE TRIGGER visits_indicators_update AFTER UPDATE ON visits
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_visits();
CREATE OR REPLACE TRIGGER visits_indicators_delete AFTER DELETE ON visits
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION indicator_mark_visits();
CREATE OR REPLACE TRIGGER organizations_indicators_kind AFTER UPDATE ON organizations
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind)
    EXECUTE FUNCTION indicator_mark_organization_kind();
CREATE OR REPLACE TRIGGER places_indicators_commune AFTER UPDATE ON places
    FOR EACH ROW WHEN (OLD.insee_code IS DISTINCT FROM NEW.insee_code)
    EXECUTE FUNCTION indicator_mark_place_commune();
CREATE OR REPLACE TRIGGER places_indicators_itinerance AFTER UPDATE ON places
    FOR EACH ROW WHEN (('itinerant' = ANY (OLD.itinerance))
                       IS DISTINCT FROM ('itinerant' = ANY (NEW.itinerance)))
    EXECUTE FUNCTION indicator_mark_place_itinerance();
CREATE OR REPLACE TRIGGER place_stops_indicators AFTER UPDATE ON place_stops
    FOR EACH ROW WHEN (OLD.insee_code IS DISTINCT FROM NEW.insee_code
                       OR OLD.place_id IS DISTINCT FROM NEW.place_id)
    EXECUTE FUNCTION indicator_mark_stop();
