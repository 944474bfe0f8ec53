#!/bin/sh
# Mounted into the primary's /docker-entrypoint-initdb.d: runs once, when the
# `db` volume is first initialised. Creates the role the `replica` service (the
# `scale` profile) streams with, and lets it connect for replication from the
# compose network. Nothing uses it in the default profile. Development
# credentials, like the rest of compose.yaml: the database is not published.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD:-replicator}';
SQL
echo "host replication replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"
