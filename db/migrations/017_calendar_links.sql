-- Calendar links (issue #15): a subscription to the public calendar
-- (GET /v1/calendar.ics) that outlives any token. The URL holds an opaque
-- secret of 256 random bits of which only the SHA-256 (hex) is kept; the link
-- keeps the filters calendar.ics accepts (each NULL: any). Revoking deletes
-- the row: its URL answers 404 from then on. At most 100 links an
-- organisation (CALENDAR_LINK_SQL_INSERT).
CREATE TABLE calendar_links (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org           text NOT NULL REFERENCES organizations (slug),
    label         text CHECK (length(label) BETWEEN 1 AND 200),
    theme         text,
    audience      text,
    commune       text CHECK (commune ~ '^([013-9][0-9]|2[AB1-9])[0-9]{3}$'),
    place_id      uuid,
    secret_sha256 text NOT NULL UNIQUE CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calendar_links_org ON calendar_links (org, created_at);
