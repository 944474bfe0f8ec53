-- Share links of the dashboard (issue #19): a read-only view of the
-- indicators that an organisation with indicators:read hands to someone
-- without a token (a committee, an elected official). The secret is 256
-- random bits of which only the SHA-256 (hex) is kept; the link reads as its
-- organisation with indicators:read alone, optionally held to one commune
-- and/or one period (api/core/guard.c). Revoked: revoked_at, kept for the list.
CREATE TABLE dashboard_links (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org            text NOT NULL REFERENCES organizations (slug),
    label          text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    secret_sha256  text NOT NULL UNIQUE CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    commune        text REFERENCES communes (insee_code),
    period_from    date,
    period_to      date,
    created_by     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    CHECK ((period_from IS NULL) = (period_to IS NULL)),
    CHECK (period_to >= period_from)
);
CREATE INDEX dashboard_links_org ON dashboard_links (org, created_at DESC);
