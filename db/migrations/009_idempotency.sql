-- Idempotency-Key as a core module (api/core/idempotency.h) for every POST
-- that partners retry, no longer for the referral POST alone. A key is bound
-- to the route it was first used on (method and pattern, and the path's ids)
-- and to the JSON document sent, hashed after parsing (canonical form) so that
-- whitespace and member order do not matter.
--
-- The rows already kept were all made by POST /v1/referrals, which has no id
-- in its path; they keep the hash of the body's bytes (body_hash) and are
-- compared that way until the retention pass deletes them (24 hours).
--
-- The default of route is what a row without one means: one written by a
-- binary older than this migration (still running during a rolling deploy),
-- which only kept keys for POST /v1/referrals, with body_hash.
ALTER TABLE idempotency_keys ADD COLUMN route text NOT NULL DEFAULT 'POST /v1/referrals';
ALTER TABLE idempotency_keys ADD COLUMN target text NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN doc_hash text;
ALTER TABLE idempotency_keys ALTER COLUMN body_hash DROP NOT NULL;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_hashed
    CHECK (doc_hash IS NOT NULL OR body_hash IS NOT NULL);

COMMENT ON COLUMN idempotency_keys.route IS
    'method and route pattern of the first request: POST /v1/workshops/{id}/registrations';
COMMENT ON COLUMN idempotency_keys.target IS 'the path''s ids of the first request, / between them';
COMMENT ON COLUMN idempotency_keys.doc_hash IS
    'hex SHA-256 of the JSON document in canonical form (sorted members, compact)';
COMMENT ON COLUMN idempotency_keys.body_hash IS
    'before 009: hex SHA-256 of the body''s bytes; NULL since';
COMMENT ON COLUMN idempotency_keys.resource_id IS
    'the object the kept answer shows or belongs to, so that its erasure reaches the answer';

-- The lookups: (org, key) is the primary key; an erasure finds the answers of
-- one object by resource_id (only the rows that have one); the retention pass
-- uses idempotency_keys_created.
DROP INDEX idempotency_keys_resource;
CREATE INDEX idempotency_keys_resource ON idempotency_keys (resource_id, route)
    WHERE resource_id IS NOT NULL;
