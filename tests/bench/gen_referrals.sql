-- make bench: :n more referrals from caf-gers to france-services-mirande (the
-- receiver whose sync feed the bench reads), each with its first event, as the
-- API stores them (REFERRAL_SQL_INSERT).
WITH r AS (
  INSERT INTO referrals (from_org, to_org, need, first_name, last_name, phone, contact_preference,
                         consent_method, consent_recorded_at, notes)
  SELECT 'caf-gers', 'france-services-mirande', 'caf_procedures', 'Bench', 'Bench', '+33612345678',
         'phone', 'oral', now() - interval '1 day', 'bench-gen'
    FROM generate_series(1, greatest(:n, 0))
  RETURNING id)
INSERT INTO referral_events (referral_id, org, actor, type, from_status, to_status)
SELECT id, 'caf-gers', 'bench', 'sent', NULL, 'sent' FROM r;
ANALYZE referrals;
ANALYZE referral_events;
