-- Webhooks (issue #17): subscriptions of partners, and the transactional
-- outbox. Events are written by triggers (db/functions/webhooks.sql) in the
-- transaction of the change itself: a change never commits without its
-- events, a rolled-back change leaves none. One delivery row per event and
-- subscription; workers of `serve` claim them (FOR UPDATE SKIP LOCKED).
CREATE TABLE webhook_subscriptions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org               text NOT NULL REFERENCES organizations (slug),
    url               text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    events            text[] NOT NULL CHECK (cardinality(events) >= 1),
    description       text CHECK (length(description) <= 500),
    active            boolean NOT NULL DEFAULT true,
    disabled_reason   text,          -- why the service disabled it (410 Gone), null otherwise
    -- Consecutive failed attempts, and no attempt before retry_after: a receiver
    -- that is down gets one attempt per backoff step, not one per waiting event,
    -- and its backlog does not hold the workers from the other subscriptions.
    failures          integer NOT NULL DEFAULT 0,
    retry_after       timestamptz,
    -- The signing key (whsec_...): needed in clear to compute HMACs, so not
    -- hashable; never returned by the API after creation or rotation (README).
    secret            text NOT NULL,
    previous_secret   text,          -- still signing until previous_until (rotation)
    previous_until    timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz
);
CREATE INDEX webhook_subscriptions_org ON webhook_subscriptions (org, created_at)
    WHERE deleted_at IS NULL;

-- The outbox: the exact body that is signed and sent.
CREATE TABLE webhook_events (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    type         text NOT NULL,
    occurred_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    body         text NOT NULL
);
CREATE INDEX webhook_events_occurred ON webhook_events (occurred_at);

CREATE TABLE webhook_deliveries (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id          uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    subscription_id   uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    order_key         text,          -- events with one key reach a subscription in order (a referral)
    status            text NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    lease_until       timestamptz,   -- a worker is delivering it until then (crash: retried after)
    lease_pid         integer,       -- that worker's backend: gone (process killed), the lease is void
    last_status       integer,       -- the receiver's last HTTP status, null: no answer
    last_error        text,          -- why the last attempt failed (no personal data)
    last_latency_ms   integer,
    delivered_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, order_key, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
