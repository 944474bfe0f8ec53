-- mobile_unit_visits counts the visits recorded at an itinerant place itself
-- (`itinerance` holds 'itinerant': the bus numérique), not only those recorded
-- at a stop (indicator_values_raw and indicator_rebuild_days in
-- db/functions/indicators.sql). Its definition says so; the days holding such
-- visits are marked for the rollups to be rebuilt (the functions file, applied
-- after this migration, rebuilds the marked days); the index finds a place's
-- visits when it becomes itinerant or moves to another commune.
CREATE INDEX visits_place ON visits (place_id) WHERE place_id IS NOT NULL;

UPDATE indicators
SET definition = 'People counted by the mobile units in the period: the visits recorded at a '
                 'stop of a mobile unit and the visits recorded at an itinerant place itself '
                 '(itinerance itinerant), each visit counted once.'
WHERE code = 'mobile_unit_visits';

INSERT INTO indicator_dirty_days (day)
SELECT DISTINCT (v.visited_at AT TIME ZONE 'Europe/Paris')::date
FROM visits v JOIN places p ON p.id = v.place_id
WHERE 'itinerant' = ANY (p.itinerance)
ON CONFLICT DO NOTHING;
