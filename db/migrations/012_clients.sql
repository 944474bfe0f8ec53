-- Partner access (issue #15): the service's own ES256 signing keys, the API
-- clients that obtain tokens with the client-credentials grant, and the
-- revoked token ids.
--
-- signing_keys: one P-256 key a row, its private key as PKCS#8 PEM (see the
-- README, "Signing keys": stored in the database, readable by whoever can
-- read this table). A key is published in the JWKS from publish_at, signs
-- from active_from (KEY_ACTIVATION_DELAY_S later, so that verifiers that
-- cache the JWKS know it before they see a token it signed), and after
-- retired_at stays published until the last token it signed has expired.
CREATE TABLE signing_keys (
    kid          text PRIMARY KEY CHECK (length(kid) BETWEEN 1 AND 64),
    private_pem  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    publish_at   timestamptz NOT NULL DEFAULT now(),
    active_from  timestamptz NOT NULL,
    retired_at   timestamptz,
    CHECK (active_from >= publish_at)
);

-- api_clients: client_id is public; the secret is 256 random bits of which
-- only the SHA-256 (hex) is kept. After a rotation the previous hash keeps
-- working until previous_valid_until (CLIENT_SECRET_OVERLAP_S).
CREATE TABLE api_clients (
    client_id            text PRIMARY KEY CHECK (client_id ~ '^[a-z0-9_-]{8,64}$'),
    org                  text NOT NULL REFERENCES organizations (slug),
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    scopes               text[] NOT NULL,
    active               boolean NOT NULL DEFAULT true,
    secret_sha256        text NOT NULL CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    previous_sha256      text CHECK (previous_sha256 ~ '^[0-9a-f]{64}$'),
    previous_valid_until timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_clients_org ON api_clients (org, client_id);

-- revoked_tokens: the jti of a token revoked before its expiry (RFC 7009),
-- kept until then.
CREATE TABLE revoked_tokens (
    jti        text PRIMARY KEY,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT now()
);

-- An organisation can be deactivated (PATCH /v1/organizations/{slug} with
-- active: false): its clients get no more tokens and every token naming it in
-- `org` is refused (the guard's one query checks it with the token's jti and
-- client, api/core/core_sql.h CORE_SQL_TOKEN_ADMISSIBLE).
ALTER TABLE organizations ADD COLUMN active boolean NOT NULL DEFAULT true;
