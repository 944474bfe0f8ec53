-- The guard's in-memory view of the directory, the API clients and the
-- revoked tokens (api/core/authstate.c) is reloaded at once on every instance
-- when one of them changes: one notification per statement, from the
-- statement's transaction (sent at its commit, never for a rollback).
CREATE OR REPLACE FUNCTION notify_auth_state() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('inclusion_auth_state', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS organizations_auth_state ON organizations;
CREATE TRIGGER organizations_auth_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON organizations FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_state();

DROP TRIGGER IF EXISTS api_clients_auth_state ON api_clients;
CREATE TRIGGER api_clients_auth_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON api_clients FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_state();

DROP TRIGGER IF EXISTS revoked_tokens_auth_state ON revoked_tokens;
CREATE TRIGGER revoked_tokens_auth_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON revoked_tokens FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_state();
