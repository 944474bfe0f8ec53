-- `inclusion-api gen-data --scale S`: a coherent dataset of national size at
-- S = 1 (1 million referrals with their events, 2 million registrations,
-- 500,000 self-assessments, 200,000 devices, 1 million satisfaction answers,
-- 300,000 visits), over the two years before now, on the places, stops and
-- organisations already in the database (run `seed` first). Deterministic
-- in shape, random in detail. Generated rows are marked (notes 'gen-data',
-- titles 'Gen …', references 'gen-…'); a second run is refused.
-- The binary sets inclusion.scale and runs this file in one transaction.

CREATE TEMP TABLE gen AS
SELECT current_setting('inclusion.scale')::numeric AS s, now() AS t0;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM referrals WHERE notes = 'gen-data') THEN
        RAISE EXCEPTION 'gen-data was already run on this database';
    END IF;
    IF (SELECT count(*) FROM places WHERE deleted_at IS NULL) = 0
       OR (SELECT count(*) FROM organizations WHERE kind = 'france_services') = 0 THEN
        RAISE EXCEPTION 'run seed first: no places or no France Services';
    END IF;
END $$;

CREATE TEMP TABLE gen_places AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, insee_code FROM places WHERE deleted_at IS NULL;
CREATE TEMP TABLE gen_stops AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM place_stops;
CREATE TEMP TABLE gen_communes AS
SELECT row_number() OVER (ORDER BY insee_code) - 1 AS n, insee_code FROM communes;
CREATE TEMP TABLE gen_senders AS
SELECT row_number() OVER (ORDER BY slug) - 1 AS n, slug FROM organizations
WHERE kind IN ('france_services', 'mediatheque', 'tiers_lieu', 'association');
CREATE TEMP TABLE gen_receivers AS
SELECT row_number() OVER (ORDER BY kind, slug) - 1 AS n, slug FROM organizations
WHERE kind IN ('caf', 'la_poste', 'france_travail', 'conseiller_numerique', 'association');

-- Workshops: about 133,000 at S = 1, 10 to 30 seats, filled to 50–100 %.
CREATE TEMP TABLE gen_workshops AS
SELECT g AS n, gen_random_uuid() AS id, s.slug AS owner, p.id AS place_id,
       gen.t0 - (random() * 730) * interval '1 day' AS starts_at,
       10 + (g % 21) AS capacity, random() AS fill
FROM gen, generate_series(0, (133000 * gen.s)::int - 1) g
JOIN gen_senders s ON s.n = g % (SELECT count(*) FROM gen_senders)
JOIN gen_places p ON p.n = (g * 7) % (SELECT count(*) FROM gen_places);
ALTER TABLE gen_workshops ADD COLUMN confirmed int;
UPDATE gen_workshops SET confirmed = floor(capacity * (0.5 + fill / 2));

INSERT INTO workshops (id, owner, place_id, title, theme, audience, starts_at, ends_at, capacity,
                       confirmed_count)
SELECT id, owner, place_id, 'Gen ' || n,
       (ARRAY['first_steps', 'email', 'online_procedures', 'digital_identity', 'cybersecurity',
              'smartphone', 'parents_and_screens', 'video_calls'])[1 + n % 8],
       '{everyone}', starts_at, starts_at + interval '2 hours', capacity, confirmed
FROM gen_workshops;

-- Registrations: the confirmed seats, attendance recorded for past workshops.
INSERT INTO registrations (workshop_id, registered_by, participant_ref, display_name, status,
                           attended, created_at, updated_at)
SELECT w.id, w.owner, 'gen-' || w.n || '-' || i, 'Participant ' || i, 'confirmed',
       CASE WHEN w.starts_at < now() THEN random() < 0.82 END,
       w.starts_at - interval '7 days', w.starts_at - interval '7 days'
FROM gen_workshops w, generate_series(1, w.confirmed) i;

-- Referrals: 1,000,000 at S = 1, with the journey each status implies.
CREATE TEMP TABLE gen_referrals AS
SELECT g AS n, gen_random_uuid() AS id, s.slug AS from_org, r.slug AS to_org,
       gen.t0 - (random() * 730) * interval '1 day' AS created_at, random() AS u,
       -ln(1 - random()) * 48 AS accept_hours,
       CASE WHEN g % 3 = 0 THEN p.id END AS place_id,
       (ARRAY['digital_identity', 'caf_procedures', 'employment', 'health_insurance', 'taxes',
              'equipment', 'basic_digital_skills', 'housing', 'retirement', 'other'])[1 + g % 10]
           AS need
FROM gen, generate_series(0, (1000000 * gen.s)::int - 1) g
JOIN gen_senders s ON s.n = g % (SELECT count(*) FROM gen_senders)
JOIN gen_receivers r ON r.n = (g / 7) % (SELECT count(*) FROM gen_receivers)
JOIN gen_places p ON p.n = (g * 13) % (SELECT count(*) FROM gen_places);
ALTER TABLE gen_referrals ADD COLUMN status text, ADD COLUMN closed_at timestamptz;
UPDATE gen_referrals SET status = CASE
    WHEN u < 0.05 THEN CASE WHEN created_at > now() - interval '30 days' THEN 'sent' ELSE 'expired' END
    WHEN u < 0.15 THEN 'declined'
    WHEN u < 0.22 THEN 'cancelled'
    WHEN u < 0.32 THEN 'accepted'
    WHEN u < 0.42 THEN 'started'
    ELSE 'completed' END;
UPDATE gen_referrals SET closed_at = CASE status
    WHEN 'expired' THEN created_at + interval '30 days'
    WHEN 'declined' THEN created_at + accept_hours * interval '1 hour'
    WHEN 'cancelled' THEN created_at + accept_hours * interval '1 hour'
    WHEN 'completed' THEN created_at + accept_hours * interval '1 hour' + interval '8 days' END;

INSERT INTO referrals (id, from_org, to_org, need, status, place_id, notes, first_name, last_name,
                       contact_preference, consent_method, consent_recorded_at, created_at,
                       updated_at, closed_at)
SELECT id, from_org, to_org, need, status, place_id, 'gen-data', 'Résident', 'Gen ' || n,
       'referring_partner', 'oral', created_at, created_at,
       coalesce(closed_at, created_at + accept_hours * interval '1 hour'), closed_at
FROM gen_referrals;

INSERT INTO referral_events (referral_id, at, org, actor, type, from_status, to_status, reason)
SELECT id, created_at, from_org, 'gen', 'sent', NULL, 'sent', NULL FROM gen_referrals
UNION ALL
SELECT id, created_at + accept_hours * interval '1 hour', to_org, 'gen', 'accepted', 'sent',
       'accepted', NULL
FROM gen_referrals WHERE status IN ('accepted', 'started', 'completed')
UNION ALL
SELECT id, created_at + accept_hours * interval '1 hour' + interval '1 day', to_org, 'gen',
       'started', 'accepted', 'started', NULL
FROM gen_referrals WHERE status IN ('started', 'completed')
UNION ALL
SELECT id, closed_at, to_org, 'gen', 'completed', 'started', 'completed', NULL
FROM gen_referrals WHERE status = 'completed'
UNION ALL
SELECT id, closed_at, to_org, 'gen', 'declined', 'sent', 'declined', 'hors champ'
FROM gen_referrals WHERE status = 'declined'
UNION ALL
SELECT id, closed_at, from_org, 'gen', 'cancelled', 'sent', 'cancelled', NULL
FROM gen_referrals WHERE status = 'cancelled'
UNION ALL
SELECT id, closed_at, 'system', 'system', 'expired', 'sent', 'expired', NULL
FROM gen_referrals WHERE status = 'expired';

-- Self-assessments: 200,000 participants at S = 1, each before and after a
-- workshop, half of them again six months later (about 500,000 in all).
CREATE TEMP TABLE gen_participants AS
SELECT g AS n, w.owner AS org, w.id AS workshop_id, w.starts_at,
       4 + floor(random() * 24)::int AS before_sum, floor(random() * 13)::int AS gain
FROM gen, generate_series(0, (200000 * gen.s)::int - 1) g
JOIN gen_workshops w ON w.n = (g * 3) % (SELECT count(*) FROM gen_workshops);

CREATE FUNCTION pg_temp.gen_levels(total int) RETURNS json LANGUAGE sql IMMUTABLE AS $$
    SELECT json_object_agg(code, total / 12 + CASE WHEN i <= total % 12 THEN 1 ELSE 0 END
                           ORDER BY i)
    FROM unnest(ARRAY['device_basics', 'browsing', 'online_search', 'email', 'documents',
                      'online_procedures', 'franceconnect', 'passwords', 'fraud',
                      'personal_data', 'smartphone_apps', 'video_calls']) WITH ORDINALITY c(code, i)
$$;

INSERT INTO assessments (org, participant_ref, workshop_id, phase, taken_at, levels, level_sum,
                         score, autonomous)
SELECT org, 'gen-' || n, workshop_id, phase, taken_at, pg_temp.gen_levels(total), total,
       round(100.0 * total / 36, 1), total >= 24
FROM (
    SELECT n, org, workshop_id, 'before' AS phase, starts_at AS taken_at, before_sum AS total
    FROM gen_participants
    UNION ALL
    SELECT n, org, workshop_id, 'after', starts_at + interval '30 days',
           least(36, before_sum + gain) FROM gen_participants
    UNION ALL
    SELECT n, org, workshop_id, 'follow_up', starts_at + interval '180 days',
           least(36, before_sum + gain + 1) FROM gen_participants WHERE n % 2 = 0
) a
WHERE taken_at < now();

-- Devices: 200,000 at S = 1; 70 % distributed, the others wiped or recycled.
CREATE TEMP TABLE gen_devices AS
SELECT g AS n, gen_random_uuid() AS id, s.slug AS org,
       gen.t0 - (60 + random() * 670) * interval '1 day' AS collected_at, random() AS u,
       c.insee_code AS commune
FROM gen, generate_series(0, (200000 * gen.s)::int - 1) g
JOIN gen_senders s ON s.n = g % (SELECT count(*) FROM gen_senders)
JOIN gen_communes c ON c.n = (g * 11) % (SELECT count(*) FROM gen_communes);

INSERT INTO devices (id, collected_by, type, origin, inventory_ref, status, wiped, collected_at)
SELECT id, org, (ARRAY['laptop', 'desktop', 'tablet', 'smartphone'])[1 + n % 4],
       (ARRAY['individual', 'administration', 'company'])[1 + n % 3], 'gen-' || n,
       CASE WHEN u < 0.7 THEN 'distributed' WHEN u < 0.9 THEN 'wiped' ELSE 'recycled' END,
       u < 0.9, collected_at
FROM gen_devices;

INSERT INTO device_events (device_id, type, org, actor, at, from_status, to_status, details,
                           commune)
SELECT id, 'collected', org, 'gen', collected_at, NULL, 'collected', '{}'::json, NULL FROM gen_devices
UNION ALL
SELECT id, 'wiped', org, 'gen', collected_at + interval '10 days', 'collected', 'wiped',
       '{"method": "software_overwrite", "certificate_ref": "GEN"}'::json, NULL
FROM gen_devices WHERE u < 0.9
UNION ALL
SELECT id, 'distributed', org, 'gen', collected_at + interval '30 days', 'wiped', 'distributed',
       json_build_object('mode', 'sale', 'price', 30, 'commune', commune,
                         'household_ref', 'gen-' || n, 'place_id', NULL), commune
FROM gen_devices WHERE u < 0.7
UNION ALL
SELECT id, 'recycled', org, 'gen', collected_at + interval '10 days', 'collected', 'recycled',
       '{}'::json, NULL
FROM gen_devices WHERE u >= 0.9;

-- Satisfaction: 1,000,000 answers at S = 1, about workshops, places and
-- referrals, mostly good.
INSERT INTO feedback (org, subject_type, subject_id, rating, created_at)
SELECT w.owner,
       CASE WHEN g % 10 < 6 THEN 'workshop' WHEN g % 10 < 9 THEN 'place' ELSE 'referral' END,
       CASE WHEN g % 10 < 6 THEN w.id WHEN g % 10 < 9 THEN w.place_id ELSE r.id END,
       CASE WHEN x < 0.04 THEN 1 WHEN x < 0.10 THEN 2 WHEN x < 0.25 THEN 3 WHEN x < 0.60 THEN 4
            ELSE 5 END,
       least(now(), w.starts_at + interval '2 hours')
FROM gen, generate_series(0, (1000000 * gen.s)::int - 1) g
JOIN gen_workshops w ON w.n = g % (SELECT count(*) FROM gen_workshops)
JOIN gen_referrals r ON r.n = g % (SELECT count(*) FROM gen_referrals)
CROSS JOIN LATERAL (SELECT random() + g * 0 AS x) rnd;

-- Visits: 300,000 at S = 1, a third at the mobile units' stops.
INSERT INTO visits (org, place_id, stop_id, visited_at, count, purpose)
SELECT s.slug, CASE WHEN g % 3 <> 0 OR st.id IS NULL THEN p.id END,
       CASE WHEN g % 3 = 0 THEN st.id END,
       gen.t0 - (random() * 730) * interval '1 day', 1 + g % 9,
       (ARRAY['information', 'administrative_procedure', 'digital_support', 'equipment',
              'workshop', 'other'])[1 + g % 6]
FROM gen, generate_series(0, (300000 * gen.s)::int - 1) g
JOIN gen_senders s ON s.n = g % (SELECT count(*) FROM gen_senders)
JOIN gen_places p ON p.n = (g * 5) % (SELECT count(*) FROM gen_places)
LEFT JOIN gen_stops st ON st.n = g % greatest((SELECT count(*) FROM gen_stops), 1);

-- The rollups of the indicators, for everything generated, planned with the
-- statistics of what was just generated (without them, the rebuild plans for
-- empty tables and takes ten times as long).
ANALYZE referrals, referral_events, workshops, registrations, assessments, feedback, devices,
        device_events, visits;
SELECT indicator_refresh();
ANALYZE indicator_daily, indicator_orientation, indicator_orientation_times, indicator_autonomy,
        indicator_referral_facts;
