-- Position in the referrals' sync feed: the writing transaction and a
-- sequence, set on every change (see referrals.change_xid in 004_referrals.sql).
CREATE OR REPLACE FUNCTION referral_feed_position() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id();
    NEW.change_seq := nextval('referral_change_seq');
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER referrals_feed_position BEFORE INSERT OR UPDATE ON referrals
    FOR EACH ROW EXECUTE FUNCTION referral_feed_position();
