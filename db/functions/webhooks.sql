-- Webhooks' transactional outbox (tables in 015_webhooks.sql): triggers on
-- the tables whose changes partners are told about write the event and one
-- delivery per matching subscription in the transaction of the change. They
-- do not NOTIFY: PostgreSQL serialises the commits of notifying transactions
-- (a database-wide lock held through the WAL flush), which took more than half
-- the referral POSTs' throughput. The workers of `serve` are woken by the
-- process that answered the write, after its commit, and poll every second
-- for the writes of others (api/core/webhook_send.h). Payloads hold ids,
-- statuses, organisations and the move's type: never a name, phone, e-mail,
-- note or reason (the partner reads those with its token, and the read is
-- logged).

-- Writes one event of `p_type` for the subscriptions of `p_orgs` (NULL: every
-- organisation) that take it; nothing when none does. `p_order_key` (a
-- referral's id, say): the events of one key reach a subscription in order.
CREATE OR REPLACE FUNCTION webhook_emit(p_type text, p_orgs text[], p_order_key text, p_data jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_id uuid;
    v_at timestamptz := clock_timestamp();
    v_subs uuid[];
BEGIN
    SELECT array_agg(s.id ORDER BY s.id) INTO v_subs FROM webhook_subscriptions s
     WHERE s.deleted_at IS NULL AND s.active
       AND (p_orgs IS NULL OR s.org = ANY (p_orgs))
       AND ('*' = ANY (s.events) OR p_type = ANY (s.events));
    IF v_subs IS NULL THEN
        RETURN;
    END IF;
    v_id := gen_random_uuid();
    INSERT INTO webhook_events (id, type, occurred_at, body)
    VALUES (v_id, p_type, v_at, jsonb_build_object(
        'id', v_id, 'type', p_type,
        'occurred_at', to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'data', p_data)::text);
    INSERT INTO webhook_deliveries (event_id, subscription_id, order_key)
    SELECT v_id, s, p_order_key FROM unnest(v_subs) AS s;
END $$;

-- referral.received: a new referral, to the receiving partner.
CREATE OR REPLACE FUNCTION webhook_referral_received() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM webhook_emit('referral.received', ARRAY[NEW.to_org], NEW.id::text,
        jsonb_build_object('referral_id', NEW.id, 'status', NEW.status,
                           'from_org', NEW.from_org, 'to_org', NEW.to_org));
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER referrals_webhook AFTER INSERT ON referrals
    FOR EACH ROW EXECUTE FUNCTION webhook_referral_received();

-- referral.updated: every event after the creation (a move, a note, expiry,
-- consent withdrawal, erasure), to both partners.
CREATE OR REPLACE FUNCTION webhook_referral_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    IF NEW.from_status IS NULL THEN
        RETURN NULL;   -- the creation: referral.received says it
    END IF;
    SELECT from_org, to_org INTO r FROM referrals WHERE id = NEW.referral_id;
    PERFORM webhook_emit('referral.updated', ARRAY[r.from_org, r.to_org], NEW.referral_id::text,
        jsonb_build_object('referral_id', NEW.referral_id, 'event_id', NEW.id, 'move', NEW.type,
                           'from_status', NEW.from_status, 'status', NEW.to_status,
                           'by_org', NEW.org, 'from_org', r.from_org, 'to_org', r.to_org));
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER referral_events_webhook AFTER INSERT ON referral_events
    FOR EACH ROW EXECUTE FUNCTION webhook_referral_updated();

-- registration.confirmed / waitlisted (created), promoted (waitlisted then
-- confirmed), cancelled: to the registering partner.
CREATE OR REPLACE FUNCTION webhook_registration() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_type text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        v_type := 'registration.' || NEW.status;
    ELSIF NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NULL;
    ELSIF NEW.status = 'confirmed' THEN
        v_type := 'registration.promoted';
    ELSE
        v_type := 'registration.' || NEW.status;
    END IF;
    PERFORM webhook_emit(v_type, ARRAY[NEW.registered_by], NEW.id::text,
        jsonb_build_object('registration_id', NEW.id, 'workshop_id', NEW.workshop_id,
                           'status', NEW.status, 'registered_by', NEW.registered_by));
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER registrations_webhook AFTER INSERT OR UPDATE OF status ON registrations
    FOR EACH ROW EXECUTE FUNCTION webhook_registration();

-- workshop.changed / workshop.cancelled: to every partner with a
-- registration on it. Counters moving (a registration) are not a change.
CREATE OR REPLACE FUNCTION webhook_workshop() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_orgs text[];
    v_type text;
BEGIN
    IF to_jsonb(NEW) - ARRAY['confirmed_count', 'waitlist_count', 'updated_at']
       IS NOT DISTINCT FROM to_jsonb(OLD) - ARRAY['confirmed_count', 'waitlist_count', 'updated_at'] THEN
        RETURN NULL;
    END IF;
    v_type := CASE WHEN NEW.cancelled_at IS NOT NULL AND OLD.cancelled_at IS NULL
                   THEN 'workshop.cancelled' ELSE 'workshop.changed' END;
    SELECT array_agg(DISTINCT registered_by) INTO v_orgs FROM registrations
     WHERE workshop_id = NEW.id;
    IF v_orgs IS NOT NULL THEN
        PERFORM webhook_emit(v_type, v_orgs, NEW.id::text,
            jsonb_build_object('workshop_id', NEW.id, 'owner', NEW.owner,
                               'place_id', NEW.place_id, 'series_id', NEW.series_id,
                               'status', CASE WHEN NEW.cancelled_at IS NULL THEN 'scheduled'
                                              ELSE 'cancelled' END));
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER workshops_webhook AFTER UPDATE ON workshops
    FOR EACH ROW EXECUTE FUNCTION webhook_workshop();

-- place.changed: created, changed or deleted, to every subscriber of it.
CREATE OR REPLACE FUNCTION webhook_place() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM webhook_emit('place.changed', NULL, NEW.id::text,
        jsonb_build_object('place_id', NEW.id, 'owner', NEW.owner,
                           'status', CASE WHEN NEW.deleted_at IS NULL THEN 'active'
                                          ELSE 'deleted' END));
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER places_webhook AFTER INSERT OR UPDATE ON places
    FOR EACH ROW EXECUTE FUNCTION webhook_place();

-- POST /v1/webhooks/{id}/ping: a `webhook.ping` event to that subscription
-- alone, whatever events it takes. Returns the event's id, NULL when the
-- organisation has no such subscription.
CREATE OR REPLACE FUNCTION webhook_ping(p_subscription uuid, p_org text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    v_id uuid := gen_random_uuid();
    v_at timestamptz := clock_timestamp();
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions
                    WHERE id = p_subscription AND org = p_org AND deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_events (id, type, occurred_at, body)
    VALUES (v_id, 'webhook.ping', v_at, jsonb_build_object(
        'id', v_id, 'type', 'webhook.ping',
        'occurred_at', to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'data', jsonb_build_object('subscription_id', p_subscription, 'org', p_org))::text);
    INSERT INTO webhook_deliveries (event_id, subscription_id) VALUES (v_id, p_subscription);
    PERFORM pg_notify('webhooks', '');
    RETURN v_id;
END $$;
