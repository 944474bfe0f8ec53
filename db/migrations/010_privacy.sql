-- Privacy, second pass (issue #14).
--
-- Registrations: a participant_ref is a partner's own reference (its file
-- number), unique among the registrations that partner made on a workshop,
-- no longer across partners: a 409 already-registered must not tell one
-- partner that another registered that reference, nor block its own
-- participant.
DROP INDEX registrations_once;
CREATE UNIQUE INDEX registrations_once ON registrations (workshop_id, registered_by, participant_ref)
    WHERE status <> 'cancelled';

-- The access log records every read of a referral's personal data, each with
-- why: `read` (GET /v1/referrals/{id}), `list` (a page of the feed), `events`
-- (its history, with notes and reasons), `replay` (an Idempotency-Key replay
-- of its creation or of one of its events).
ALTER TABLE referral_access_log DROP CONSTRAINT referral_access_log_reason_check;
ALTER TABLE referral_access_log ADD CONSTRAINT referral_access_log_reason_check
    CHECK (reason IN ('read', 'list', 'events', 'replay'));

-- The retention pass erases the free texts of every referral closed long
-- enough, withdrawn or not: it looks for closed referrals that still hold a
-- personal field or notes, and for histories that still hold a free text.
-- Both indexes only hold what is still to erase.
DROP INDEX referrals_retained;
CREATE INDEX referrals_retained ON referrals (closed_at)
    WHERE first_name IS NOT NULL OR last_name IS NOT NULL OR phone IS NOT NULL
       OR email IS NOT NULL OR notes IS NOT NULL;
CREATE INDEX referral_events_free_text ON referral_events (referral_id)
    WHERE note IS NOT NULL OR reason IS NOT NULL;
