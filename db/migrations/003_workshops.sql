-- Workshops and their registrations. Capacity is the database's business: a
-- registration is confirmed by one statement that locks the workshop row and
-- counts under that lock, and a CHECK makes overbooking impossible whatever
-- the code does.
CREATE TABLE workshops (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    series_id        uuid,                      -- shared by the occurrences of a recurrence
    owner            text NOT NULL REFERENCES organizations (slug),
    place_id         uuid NOT NULL REFERENCES places (id),
    stop_id          uuid REFERENCES place_stops (id),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    theme            text NOT NULL,
    audience         text[] NOT NULL,
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    capacity         integer NOT NULL CHECK (capacity BETWEEN 1 AND 500),
    description      text CHECK (length(description) <= 4000),
    accessibility    text CHECK (length(accessibility) <= 1000),
    price_eur        numeric(8, 2) NOT NULL DEFAULT 0 CHECK (price_eur >= 0),
    cancelled_at     timestamptz,
    confirmed_count  integer NOT NULL DEFAULT 0,
    waitlist_count   integer NOT NULL DEFAULT 0 CHECK (waitlist_count >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (confirmed_count BETWEEN 0 AND capacity)   -- never overbooked
);
CREATE INDEX workshops_starts ON workshops (starts_at, id);
CREATE INDEX workshops_place ON workshops (place_id, starts_at);
CREATE INDEX workshops_series ON workshops (series_id) WHERE series_id IS NOT NULL;

CREATE TABLE registrations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    arrival          bigint GENERATED ALWAYS AS IDENTITY,   -- order of the waiting list
    workshop_id      uuid NOT NULL REFERENCES workshops (id),
    registered_by    text NOT NULL REFERENCES organizations (slug),
    participant_ref  text NOT NULL CHECK (length(participant_ref) BETWEEN 1 AND 100),
    display_name     text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    phone            text,
    email            text,
    needs            text CHECK (length(needs) <= 500),
    status           text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    attended         boolean,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX registrations_once ON registrations (workshop_id, participant_ref)
    WHERE status <> 'cancelled';
CREATE INDEX registrations_waitlist ON registrations (workshop_id, arrival)
    WHERE status = 'waitlisted';
CREATE INDEX registrations_by ON registrations (registered_by, workshop_id);
