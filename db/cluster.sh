#!/usr/bin/env bash
# A private PostgreSQL 15 + PostGIS cluster for development and tests.
#
#   db/cluster.sh start DIR PORT   create (first time) and start the cluster, the
#                                  `inclusion` role and database with PostGIS
#   db/cluster.sh stop DIR PORT    stop it (fast mode)
#   db/cluster.sh status DIR PORT  exit 0 when it accepts connections
#
# The cluster listens on 127.0.0.1:PORT only. The superuser is reachable only
# through the Unix socket inside DIR; the service's role `inclusion` (password
# `inclusion`, a development default) connects over TCP with scram-sha-256.
# initdb refuses to run as root: as root, everything runs as the `postgres` user.
set -euo pipefail

cmd=${1:?usage: cluster.sh start|stop|status DIR PORT}
dir=${2:?DIR missing}
port=${3:?PORT missing}
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
mode=${STOP_MODE:-fast}

mkdir -p "$(dirname "$dir")"
dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- env PGOPTIONS="${PGOPTIONS:-}" "$@"; else "$@"; fi
}

# The data directory must be reachable by the user that runs the server. When
# the checkout sits somewhere `postgres` cannot enter (under /root, say), keep
# the data in /tmp and leave a symbolic link in its place.
resolve_data_dir() {
  if [ -L "$dir" ]; then readlink "$dir"; return; fi
  if [ "$(id -u)" != 0 ]; then echo "$dir"; return; fi
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  chmod 0700 "$dir"
  if runuser -u postgres -- test -w "$dir" -a -x "$dir"; then echo "$dir"; return; fi
  local sum fallback
  sum=$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
  fallback=/tmp/inclusion-api-pg-$sum
  mkdir -p "$fallback"
  chown postgres:postgres "$fallback"
  chmod 0700 "$fallback"
  rmdir "$dir"
  ln -s "$fallback" "$dir"
  echo "$fallback"
}

data=$(resolve_data_dir)
socket_dir=$data/run
psql_super() { PGOPTIONS='-c client_min_messages=warning' as_owner "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -p "$port" -U postgres "$@"; }

case "$cmd" in
start)
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner "$pgbin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$data.initdb.log" 2>&1 \
      || { cat "$data.initdb.log" >&2; exit 1; }
    as_owner mkdir -p "$socket_dir"
    cat <<CONF | as_owner tee -a "$data/postgresql.conf" >/dev/null
listen_addresses = '127.0.0.1'
unix_socket_directories = '$socket_dir'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = 128MB
fsync = on
log_min_messages = warning
log_statement = none
CONF
  fi
  if ! as_owner "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$pgbin/pg_ctl" -D "$data" -o "-p $port" -l "$data/server.log" -w -t 60 start >/dev/null \
      || { tail -20 "$data/server.log" >&2; exit 1; }
  fi
  psql_super -d postgres <<'SQL'
SELECT 'CREATE ROLE inclusion LOGIN PASSWORD ''inclusion'''
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'inclusion') \gexec
ALTER ROLE inclusion CREATEDB;
-- DROP DATABASE ... WITH (FORCE) of a database the tests made ends its other
-- sessions; an autovacuum worker there has no role, and only a member of
-- pg_signal_backend may end it (otherwise the drop fails, now and then).
GRANT pg_signal_backend TO inclusion;
SELECT 'CREATE DATABASE inclusion OWNER inclusion'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'inclusion') \gexec
SQL
  # In template1 too, so that databases the tests create have PostGIS already
  # (the service's role is not a superuser and cannot create it).
  psql_super -d template1 -c 'CREATE EXTENSION IF NOT EXISTS postgis'
  psql_super -d inclusion -c 'CREATE EXTENSION IF NOT EXISTS postgis'
  ;;
stop)
  if [ -f "$data/PG_VERSION" ] && as_owner "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$pgbin/pg_ctl" -D "$data" -m "$mode" -w -t 60 stop >/dev/null
  fi
  ;;
status)
  as_owner "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port"
  ;;
*)
  echo "usage: cluster.sh start|stop|status DIR PORT" >&2
  exit 2
  ;;
esac
