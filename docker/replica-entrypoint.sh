#!/bin/sh
# The `replica` service of the `scale` profile: a streaming replica of `db`.
# First start (empty data directory): pg_basebackup -R from the primary, which
# writes standby.signal and primary_conninfo; every start: postgres as a hot
# standby. Runs as root only to give the volume to postgres, then as postgres.
set -eu
PGDATA=${PGDATA:-/var/lib/postgresql/data}
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 0700 "$PGDATA"
  exec gosu postgres "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -q -h "${PRIMARY_HOST:-db}" -p 5432; do sleep 1; done
  PGPASSWORD=${REPLICATION_PASSWORD:-replicator} pg_basebackup -h "${PRIMARY_HOST:-db}" -p 5432 \
    -U replicator -D "$PGDATA" -R -X stream -c fast
fi
# hot_standby_feedback: the primary's vacuum waits for the replica's queries
# instead of cancelling them (a read would fail with a recovery conflict).
exec postgres -c hot_standby=on -c hot_standby_feedback=on
