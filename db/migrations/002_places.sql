-- Places of digital mediation (the national standard "lieux de médiation
-- numérique" v1.0.2, 32 fields), the communes of the Gers they sit in, and the
-- dated stops of mobile units.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Lower-case, accent-free text for search; IMMUTABLE so that it can feed a
-- generated column and an index (the unaccent dictionary is fixed).
CREATE FUNCTION search_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE TABLE communes (
    insee_code  text PRIMARY KEY CHECK (insee_code ~ '^32[0-9]{3}$'),
    name        text NOT NULL,
    outline     geometry(MultiPolygon, 4326) NOT NULL
);
CREATE INDEX communes_outline ON communes USING gist (outline);

CREATE TABLE places (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner                text NOT NULL REFERENCES organizations (slug),
    source               text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
    source_id            text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 200),
    pivot                text NOT NULL CHECK (pivot ~ '^[a-zA-Z0-9]{9,14}$'),
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 250),
    street               text NOT NULL CHECK (length(street) BETWEEN 1 AND 250),
    address_complement   text CHECK (length(address_complement) <= 250),
    postal_code          text NOT NULL CHECK (postal_code ~ '^[0-9]{5}$'),
    commune              text NOT NULL CHECK (length(commune) BETWEEN 1 AND 100),
    insee_code           text CHECK (insee_code ~ '^([013-9][0-9]|2[AB1-9])[0-9]{3}$'),
    location             geography(Point, 4326),
    typologies           text[] NOT NULL DEFAULT '{}',
    phone                text,
    emails               text[] NOT NULL DEFAULT '{}',
    websites             text[] NOT NULL DEFAULT '{}',
    opening_hours        text,
    open_minutes         int4multirange,      -- opening_hours as minutes of the week (Monday 00:00 = 0)
    closed_on_public_holidays boolean NOT NULL DEFAULT false,
    summary              text,
    description          text,
    itinerance           text[] NOT NULL DEFAULT '{}',
    parent_structure     text,
    services             text[] NOT NULL DEFAULT '{}',
    publics              text[] NOT NULL DEFAULT '{}',
    specific_support     text[] NOT NULL DEFAULT '{}',
    fees                 text[] NOT NULL DEFAULT '{}',
    national_programmes  text[] NOT NULL DEFAULT '{}',
    training_labels      text[] NOT NULL DEFAULT '{}',
    other_labels         text[] NOT NULL DEFAULT '{}',
    access_modes         text[] NOT NULL DEFAULT '{}',
    support_modes        text[] NOT NULL DEFAULT '{}',
    accessibility_url    text,
    booking_url          text,
    data_updated_on      date NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    deleted_at           timestamptz,           -- a tombstone: kept for mirrors (updated_since)
    search               text GENERATED ALWAYS AS (search_text(
                             name || ' ' || commune || ' ' || postal_code || ' ' || street || ' ' ||
                             coalesce(summary, ''))) STORED,
    UNIQUE (source, source_id)
);

CREATE INDEX places_location ON places USING gist (location) WHERE deleted_at IS NULL;
CREATE INDEX places_search ON places USING gin (search gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX places_updated ON places (updated_at, id);
CREATE INDEX places_insee ON places (insee_code) WHERE deleted_at IS NULL;
CREATE INDEX places_postal_code ON places (postal_code) WHERE deleted_at IS NULL;
CREATE INDEX places_owner ON places (owner);

CREATE TABLE place_stops (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    place_id    uuid NOT NULL REFERENCES places (id),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    insee_code  text NOT NULL REFERENCES communes (insee_code),
    address     text NOT NULL CHECK (length(address) BETWEEN 1 AND 250),
    location    geography(Point, 4326) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    UNIQUE (place_id, starts_at)
);

CREATE INDEX place_stops_place ON place_stops (place_id, starts_at);
CREATE INDEX place_stops_time ON place_stops (starts_at, id);
CREATE INDEX place_stops_location ON place_stops USING gist (location);
