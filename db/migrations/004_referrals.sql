-- Referrals between partners: one journey from front desk to follow-up. The
-- beneficiary's personal fields are visible only to the two partners and can
-- be erased at once (consent withdrawn); the history of moves and the log of
-- reads are append-only in the database itself.
CREATE TABLE referrals (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    from_org              text NOT NULL REFERENCES organizations (slug),
    to_org                text NOT NULL REFERENCES organizations (slug),
    need                  text NOT NULL,
    status                text NOT NULL DEFAULT 'sent' CHECK (status IN
                              ('sent', 'accepted', 'declined', 'started', 'completed',
                               'cancelled', 'expired')),
    place_id              uuid REFERENCES places (id),
    notes                 text CHECK (length(notes) <= 1000),
    first_name            text,   -- personal fields: null once consent is withdrawn
    last_name             text,
    phone                 text,
    email                 text,
    contact_preference    text NOT NULL CHECK (contact_preference IN
                              ('phone', 'email', 'referring_partner')),
    consent_method        text NOT NULL CHECK (consent_method IN ('oral', 'written', 'digital')),
    consent_recorded_at   timestamptz NOT NULL,
    consent_withdrawn_at  timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    closed_at             timestamptz,   -- set on declined, completed, cancelled, expired
    -- Position in the sync feed: the writing transaction and a sequence, set by
    -- a trigger on every change. The feed shows only positions of transactions
    -- older than every transaction still running, so a change that commits
    -- late is shown late, never skipped by a poller's cursor. (The trigger is in
    -- db/functions/referrals.sql, the append-only ones in append_only.sql.)
    change_xid            xid8 NOT NULL,
    change_seq            bigint NOT NULL,
    CHECK (from_org <> to_org)
);
CREATE INDEX referrals_from_feed ON referrals (from_org, change_xid, change_seq);
CREATE INDEX referrals_to_feed ON referrals (to_org, change_xid, change_seq);
CREATE INDEX referrals_due ON referrals (created_at) WHERE status = 'sent';
CREATE INDEX referrals_retained ON referrals (closed_at) WHERE first_name IS NOT NULL;

CREATE SEQUENCE referral_change_seq;

CREATE TABLE referral_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id  uuid NOT NULL REFERENCES referrals (id),
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    org          text NOT NULL,      -- the organisation that acted ('system' for expiry)
    actor        text NOT NULL,      -- the token's sub
    type         text NOT NULL,
    from_status  text,                -- null for the creation
    to_status    text NOT NULL,
    reason       text CHECK (length(reason) <= 500),
    note         text CHECK (length(note) <= 1000)
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);

-- No foreign key on referral_id: a key check share-locks the referral, and
-- partners listing the same referrals at once would pile those locks up
-- (multixacts: the sync feed ran 70 times slower under 50 pollers). The rows
-- are written by the transaction that has just read the referral, and
-- referrals are never deleted.
CREATE TABLE referral_access_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id  uuid NOT NULL,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    org          text NOT NULL,
    actor        text NOT NULL,
    reason       text NOT NULL CHECK (reason IN ('read', 'list'))
);
CREATE INDEX referral_access_log_referral ON referral_access_log (referral_id, id);

-- Idempotency-Key records (draft-ietf-httpapi-idempotency-key-header), per
-- organisation, written in the same transaction as what they protect.
CREATE TABLE idempotency_keys (
    org          text NOT NULL,
    key          text NOT NULL,
    body_hash    text NOT NULL,
    status       integer NOT NULL,
    response     text NOT NULL,
    location     text,
    resource_id  uuid,          -- what the response shows, to erase it with the resource
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_resource ON idempotency_keys (resource_id);
