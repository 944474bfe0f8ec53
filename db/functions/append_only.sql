-- Appending is the only change the histories and logs accept (referral_events,
-- referral_access_log, device_events), whoever asks.
CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

-- The one change the history accepts: erasing its free texts (consent
-- withdrawn, retention over). Who acted, when, and the moves stay.
CREATE OR REPLACE FUNCTION referral_events_erase_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.note IS NULL AND NEW.reason IS NULL
       AND (NEW.id, NEW.referral_id, NEW.at, NEW.org, NEW.actor, NEW.type, NEW.to_status)
           IS NOT DISTINCT FROM (OLD.id, OLD.referral_id, OLD.at, OLD.org, OLD.actor, OLD.type, OLD.to_status)
       AND NEW.from_status IS NOT DISTINCT FROM OLD.from_status THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'referral_events is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE TRIGGER referral_events_append_only BEFORE UPDATE OR DELETE ON referral_events
    FOR EACH ROW EXECUTE FUNCTION referral_events_erase_only();
CREATE OR REPLACE TRIGGER referral_events_no_truncate BEFORE TRUNCATE ON referral_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE OR REPLACE TRIGGER referral_access_log_append_only BEFORE UPDATE OR DELETE ON referral_access_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE OR REPLACE TRIGGER referral_access_log_no_truncate BEFORE TRUNCATE ON referral_access_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE OR REPLACE TRIGGER device_events_append_only BEFORE UPDATE OR DELETE ON device_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE OR REPLACE TRIGGER device_events_no_truncate BEFORE TRUNCATE ON device_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
