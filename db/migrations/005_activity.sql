-- The inputs of the campaign's indicators: visits (counts only), guided
-- self-assessments of digital autonomy (pseudonymous), satisfaction answers
-- (anonymous), and the traceability of reconditioned devices.
CREATE TABLE visits (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org         text NOT NULL REFERENCES organizations (slug),
    place_id    uuid REFERENCES places (id),
    stop_id     uuid REFERENCES place_stops (id),
    visited_at  timestamptz NOT NULL,
    count       integer NOT NULL CHECK (count BETWEEN 1 AND 10000),
    purpose     text CHECK (purpose IN ('information', 'administrative_procedure',
                    'digital_support', 'equipment', 'workshop', 'other')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((place_id IS NULL) <> (stop_id IS NULL))
);
CREATE INDEX visits_time ON visits (visited_at);
CREATE INDEX visits_stop ON visits (stop_id) WHERE stop_id IS NOT NULL;

CREATE TABLE assessments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org              text NOT NULL REFERENCES organizations (slug),
    participant_ref  text NOT NULL CHECK (length(participant_ref) BETWEEN 1 AND 100),
    workshop_id      uuid REFERENCES workshops (id),
    series_id        uuid,
    phase            text NOT NULL CHECK (phase IN ('before', 'after', 'follow_up')),
    taken_at         timestamptz NOT NULL,
    levels           json NOT NULL,      -- in the order of the published list
    level_sum        integer NOT NULL CHECK (level_sum BETWEEN 0 AND 36),
    score            numeric(4, 1) NOT NULL CHECK (score BETWEEN 0 AND 100),
    autonomous       boolean NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
-- A participant is followed by the organisation that assessed them.
CREATE INDEX assessments_participant ON assessments (org, participant_ref, taken_at);
CREATE INDEX assessments_time ON assessments (taken_at);

CREATE TABLE feedback (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org           text NOT NULL REFERENCES organizations (slug),
    subject_type  text NOT NULL CHECK (subject_type IN ('workshop', 'referral', 'place')),
    subject_id    uuid NOT NULL,
    rating        integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment       text CHECK (length(comment) BETWEEN 1 AND 500),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_time ON feedback (created_at);
CREATE INDEX feedback_subject ON feedback (subject_type, subject_id);

CREATE TABLE devices (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    collected_by   text NOT NULL REFERENCES organizations (slug),
    type           text NOT NULL CHECK (type IN ('laptop', 'desktop', 'tablet', 'smartphone')),
    origin         text NOT NULL CHECK (origin IN ('individual', 'administration', 'company')),
    inventory_ref  text CHECK (length(inventory_ref) BETWEEN 1 AND 64),
    status         text NOT NULL DEFAULT 'collected' CHECK (status IN ('collected', 'wiped',
                       'refurbished', 'distributed', 'returned', 'recycled')),
    wiped          boolean NOT NULL DEFAULT false,
    collected_at   timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- no resident receives someone else's data
    CHECK (status NOT IN ('refurbished', 'distributed') OR wiped)
);

-- Append-only (triggers in db/functions/append_only.sql).
CREATE TABLE device_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id    uuid NOT NULL REFERENCES devices (id),
    type         text NOT NULL,
    org          text NOT NULL,
    actor        text NOT NULL,
    at           timestamptz NOT NULL,
    from_status  text,
    to_status    text NOT NULL,
    details      json NOT NULL DEFAULT '{}',
    -- what the indicators read, copied from details for distributions
    commune      text REFERENCES communes (insee_code),
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX device_events_device ON device_events (device_id, id);
CREATE INDEX device_events_distributed ON device_events (at) WHERE type = 'distributed';
