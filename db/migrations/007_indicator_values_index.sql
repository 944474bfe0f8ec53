-- indicator_values() as 006 defined it, but the `before` assessment of each
-- participant is found through the index on (org, participant_ref,
-- taken_at) instead of scanning the scoped assessments once per participant:
-- at 466,720 assessments (gen-data --scale 1) the function did not finish in
-- ten minutes; the autonomy part now takes 1.3 s. Pre-aggregation is next.
-- One row per indicator for [p_from, p_to), narrowed to a commune (INSEE), a
-- place and an organisation when given (NULL: all). value is NULL when the
-- sample is empty. What each filter means for each input is in the OpenAPI
-- description of GET /v1/indicators.
CREATE OR REPLACE FUNCTION indicator_values(p_from timestamptz, p_to timestamptz, p_commune text,
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
mobile AS (
    SELECT coalesce(sum(v.count), 0) AS n FROM visits v JOIN place_stops s ON s.id = v.stop_id
    WHERE v.visited_at >= p_from AND v.visited_at < p_to
      AND (p_org IS NULL OR v.org = p_org)
      AND (p_place IS NULL OR s.place_id = p_place)
      AND (p_commune IS NULL OR s.insee_code = p_commune)
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
