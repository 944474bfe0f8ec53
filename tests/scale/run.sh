#!/usr/bin/env bash
# `make scale`: two API instances behind HAProxy, a PostgreSQL primary and its
# streaming replica, all on loopback in a temporary directory; a mixed load
# (wrk reading places, writers creating referrals), one instance killed with
# SIGKILL halfway; then the checks:
#   - every referral acknowledged with 201 exists on the primary (0 lost),
#   - no referral was created twice (each carries a unique marker in `notes`),
#   - the replica served reads (the surviving instance's metrics counter and
#     the replica's xact_commit both grew) and caught up with the primary,
#   - the reader saw no failed GET (HAProxy retries them on the other instance).
# Exits non-zero when a check fails. Everything it starts is stopped on exit.
#
#   tests/scale/run.sh build/inclusion-api
# Environment: SCALE_SECONDS (load duration, default 40), SCALE_PORT (first of
# eight loopback ports, default 18360: below the ephemeral range, where a client
# connection could hold one), SCALE_WRITERS (default 4), KEEP=1 keeps the
# temporary directory (it is kept anyway when a check fails).
set -euo pipefail

bin=$(realpath "${1:?usage: tests/scale/run.sh path/to/inclusion-api}")
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${SCALE_SECONDS:-40}
base=${SCALE_PORT:-18360}
writers=${SCALE_WRITERS:-4}
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
pg_primary=$base pg_replica=$((base + 1)) api1=$((base + 2)) api2=$((base + 3))
lb=$((base + 4)) stats=$((base + 5))
# each instance's metrics listener (METRICS_LISTEN_ADDR): two on one host need two ports
metrics1=$((base + 6)) metrics2=$((base + 7))
secret=scale-test-secret-0123456789-abcdefghijklmnop
run=$(date +%s)$$
lb_url=http://127.0.0.1:$lb

tmp=$(mktemp -d /tmp/inclusion-scale.XXXXXX)
chmod 0755 "$tmp"
pids=()
failed=0
log() { printf '%s %s\n' "$(date +%T)" "$*"; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- env "$@"; else env "$@"; fi
}

cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  for d in replica primary; do
    [ -f "$tmp/$d/postmaster.pid" ] && as_pg "$pgbin/pg_ctl" -D "$tmp/$d" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
  done
  if [ "${KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then
    echo "scale: logs and data kept in $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for port in $pg_primary $pg_replica $api1 $api2 $lb $stats $metrics1 $metrics2; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "scale: port $port is in use (set SCALE_PORT)" >&2
    exit 1
  fi
done

# ---------------------------------------------------------------- PostgreSQL
# The primary: like db/cluster.sh (superuser on the socket only, `inclusion`
# over TCP, PostGIS), plus a replication role allowed from loopback.
mkdir -p "$tmp/primary" "$tmp/replica" "$tmp/run"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$tmp/primary" "$tmp/replica" "$tmp/run"
chmod 0700 "$tmp/primary" "$tmp/replica"
log "initdb primary (port $pg_primary)"
as_pg "$pgbin/initdb" -D "$tmp/primary" -U postgres --auth-local=trust \
  --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }
cat <<CONF | as_pg tee -a "$tmp/primary/postgresql.conf" >/dev/null
listen_addresses = '127.0.0.1'
unix_socket_directories = '$tmp/run'
max_connections = 100
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 4
hot_standby = on
hot_standby_feedback = on
log_min_messages = warning
CONF
echo "host replication replicator 127.0.0.1/32 scram-sha-256" \
  | as_pg tee -a "$tmp/primary/pg_hba.conf" >/dev/null
as_pg "$pgbin/pg_ctl" -D "$tmp/primary" -o "-p $pg_primary" -l "$tmp/run/primary.log" -w -t 60 start >/dev/null
psql_primary() { as_pg "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$tmp/run" -p "$pg_primary" -U postgres "$@"; }
psql_primary -d postgres <<'SQL'
CREATE ROLE inclusion LOGIN PASSWORD 'inclusion';
CREATE ROLE replicator REPLICATION LOGIN PASSWORD 'replicator';
CREATE DATABASE inclusion OWNER inclusion;
SQL
psql_primary -d inclusion -c 'CREATE EXTENSION postgis' >/dev/null

log "pg_basebackup -R: the replica (port $pg_replica)"
as_pg PGPASSWORD=replicator "$pgbin/pg_basebackup" -h 127.0.0.1 -p "$pg_primary" -U replicator \
  -D "$tmp/replica" -R -X stream -c fast >"$tmp/basebackup.log" 2>&1 \
  || { cat "$tmp/basebackup.log" >&2; exit 1; }
as_pg "$pgbin/pg_ctl" -D "$tmp/replica" -o "-p $pg_replica" -l "$tmp/run/replica.log" -w -t 60 start >/dev/null
psql_at() { PGPASSWORD=inclusion psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U inclusion -d inclusion -c "$2"; }
[ "$(psql_at "$pg_replica" 'SELECT pg_is_in_recovery()')" = t ] || { echo "scale: the replica is not in recovery" >&2; exit 1; }

primary_url=postgresql://inclusion:inclusion@127.0.0.1:$pg_primary/inclusion
replica_url=postgresql://inclusion:inclusion@127.0.0.1:$pg_replica/inclusion
log "migrate and seed on the primary"
DATABASE_URL=$primary_url "$bin" migrate >"$tmp/migrate.log" 2>&1
DATABASE_URL=$primary_url "$bin" seed >"$tmp/seed.log" 2>&1

# ---------------------------------------------------------------- API + HAProxy
# Rate limits off: the whole load is one organisation from one address.
start_api() { # port metrics-port; sets started
  env DATABASE_URL="$primary_url" DATABASE_READ_URL="$replica_url" JWT_SECRET="$secret" \
    PORT="$1" METRICS_LISTEN_ADDR="127.0.0.1:$2" LOG_LEVEL=warn HTTP_THREADS=4 DB_POOL_SIZE=4 RATE_LIMIT_ORG_PER_S=0 \
    RATE_LIMIT_IP_PER_S=0 "$bin" serve >"$tmp/api-$1.log" 2>&1 &
  started=$!
  pids+=("$started")
}
start_api "$api1" "$metrics1"
pid_api1=$started
start_api "$api2" "$metrics2"
LB_BIND=127.0.0.1:$lb STATS_BIND=127.0.0.1:$stats API1=127.0.0.1:$api1 API2=127.0.0.1:$api2 \
  haproxy -f "$root/docker/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
pids+=($!)

wait_for() { # URL, seconds
  for _ in $(seq $(($2 * 10))); do curl -fs -o /dev/null --max-time 1 "$1" && return 0; sleep 0.1; done
  echo "scale: $1 did not answer in $2 s" >&2
  return 1
}
wait_for "http://127.0.0.1:$api1/readyz" 30
wait_for "http://127.0.0.1:$api2/readyz" 30
wait_for "$lb_url/readyz" 10
sleep 1.5 # both servers marked up by HAProxy's checks (rise 2, every 500 ms)

reader_token=$(DATABASE_URL=$primary_url JWT_SECRET=$secret "$bin" token --org france-services-mirande --scope places:read --ttl 3600)
writer_token=$(DATABASE_URL=$primary_url JWT_SECRET=$secret "$bin" token --org caf-gers --scope "referrals:read referrals:write" --ttl 3600)

# Replica activity before the load: commits on its `inclusion` database.
xact_sql="SELECT xact_commit FROM pg_stat_database WHERE datname = 'inclusion'"
replica_xact_before=$(psql_at "$pg_replica" "$xact_sql")

# ---------------------------------------------------------------- load
# A writer: one referral after another, each under its own Idempotency-Key and
# with a marker in notes; no answer, a 5xx or a 409 (the key still in flight
# on the killed instance) is retried with the same key and body, up to 30 times.
writer() {
  local w=$1 i=0 end=$(($(date +%s) + seconds))
  while [ "$(date +%s)" -lt "$end" ]; do
    i=$((i + 1))
    local key=scale-$run-$w-$i attempt=0 out code location
    local body='{"to_org":"france-services-mirande","need":"caf_procedures",'
    body+='"beneficiary":{"first_name":"Scale","last_name":"Test","phone":"06 12 34 56 78",'
    body+='"contact_preference":"phone"},'
    body+='"consent":{"given":true,"method":"oral","recorded_at":"2026-01-01T09:00:00Z"},'
    body+="\"notes\":\"$key\"}"
    while :; do
      attempt=$((attempt + 1))
      out=$(curl -s -o /dev/null --max-time 5 -w '%{http_code} %header{location}' -X POST \
        -H "Authorization: Bearer $writer_token" -H 'Content-Type: application/json' \
        -H "Idempotency-Key: $key" -d "$body" "$lb_url/v1/referrals" || true)
      code=${out%% *}
      location=${out#* }
      case $code in
        201) echo "$key ${location##*/}" >>"$tmp/acked-$w"; break ;;
        000 | 409 | 5??)
          echo "$key $code" >>"$tmp/retried-$w"
          if [ "$attempt" -ge 30 ]; then echo "$key" >>"$tmp/gaveup-$w"; break; fi
          sleep 0.2 ;;
        *) echo "$key $code" >>"$tmp/refused-$w"; break ;;
      esac
    done
  done
}

log "load: ${seconds}s of wrk GETs (1 thread, 8 connections) and $writers referral writers via HAProxy"
touch "$tmp/acked-0" "$tmp/retried-0" "$tmp/gaveup-0" "$tmp/refused-0"
writer_pids=()
for w in $(seq "$writers"); do
  writer "$w" &
  writer_pids+=($!)
  pids+=($!)
done
TOKEN=$reader_token timeout $((seconds + 30)) wrk -t1 -c8 -d"${seconds}s" --timeout 10s --latency \
  -s "$root/tests/scale/reads.lua" "$lb_url" >"$tmp/wrk.txt" 2>&1 &
wrk_pid=$!
pids+=("$wrk_pid")

sleep $((seconds / 2))
log "kill -9 instance 1 (pid $pid_api1, port $api1)"
{ kill -9 "$pid_api1" && wait "$pid_api1"; } 2>/dev/null || true
wait "$wrk_pid" || true
# The writers end by themselves after `seconds` and their last retries.
wait "${writer_pids[@]}" || true
log "load done"

# ---------------------------------------------------------------- checks
check() { # name, ok (0/1), figure
  if [ "$2" = 1 ]; then printf '  ok    %-44s %s\n' "$1" "$3"; else printf '  FAIL  %-44s %s\n' "$1" "$3"; failed=1; fi
}
cat "$tmp"/acked-* >"$tmp/acked"
acked=$(wc -l <"$tmp/acked")
retries=$(cat "$tmp"/retried-* | wc -l)
gaveup=$(cat "$tmp"/gaveup-* | wc -l)
refused=$(cat "$tmp"/refused-* | wc -l)
retry_codes=$(cat "$tmp"/retried-* | awk '{print $2}' | sort | uniq -c | awk '{printf "%s%s×%s", sep, $1, $2; sep=", "}')

# Each acknowledged id looked up on the primary (the list goes through \copy:
# too long for one command line).
lost=$(printf '%s\n' "CREATE TEMP TABLE acked (key text, id uuid);" \
  "\\copy acked FROM '$tmp/acked' WITH (DELIMITER ' ')" \
  "SELECT count(*) FROM acked a WHERE NOT EXISTS (SELECT 1 FROM referrals r WHERE r.id = a.id);" \
  | PGPASSWORD=inclusion psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_primary" -U inclusion -d inclusion)
marker="notes LIKE 'scale-$run-%'"
created=$(psql_at "$pg_primary" "SELECT count(*) FROM referrals WHERE $marker")
duplicates=$(psql_at "$pg_primary" "SELECT count(*) FROM (SELECT notes FROM referrals WHERE $marker
                                     GROUP BY notes HAVING count(*) > 1) d")
distinct=$(psql_at "$pg_primary" "SELECT count(DISTINCT notes) FROM referrals WHERE $marker")
unacked=$((distinct - acked)) # created for a key whose writer never saw the 201

# The replica: caught up, and it served reads.
caught_up=0
for _ in $(seq 100); do
  [ "$(psql_at "$pg_replica" "SELECT count(*) FROM referrals WHERE $marker")" = "$created" ] && { caught_up=1; break; }
  sleep 0.1
done
lag=$(psql_at "$pg_primary" "SELECT coalesce(max(extract(epoch FROM replay_lag) * 1000), 0)::int FROM pg_stat_replication")
replica_xact_after=$(psql_at "$pg_replica" "$xact_sql")
metrics=$(curl -fs --max-time 5 "http://127.0.0.1:$metrics2/metrics" || true)
metric() { awk -v m="$1" '$1 == m {print $2}' <<<"$metrics"; }
replica_acquired=$(metric 'db_pool_acquired_total{pool="replica"}')
primary_acquired=$(metric 'db_pool_acquired_total{pool="primary"}')
fallbacks=$(metric db_replica_fallbacks_total)

# The reader: wrk's requests, rate, latency, and every failure it saw.
wrk_requests=$(awk '/requests in/ {print $1}' "$tmp/wrk.txt")
wrk_rate=$(awk '/^Requests\/sec/ {print $2}' "$tmp/wrk.txt")
wrk_p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk.txt")
wrk_p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk.txt")
socket_errors=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$tmp/wrk.txt")
failed_gets=$((${non2xx:-0} + ${socket_errors:-0}))
hap=$(curl -fs --max-time 5 "http://127.0.0.1:$stats/stats;csv" || true)
# Columns of HAProxy's CSV: 2 svname, 18 status, 16 wretr, 17 wredis.
hap_row() { awk -F, -v s="$1" '$1 == "api" && $2 == s {print "retries " $16 ", redispatches " $17 ", " $18}' <<<"$hap"; }

echo
echo "scale: ${seconds}s, 2 API instances behind HAProxy, primary + streaming replica; instance 1 killed (SIGKILL) at $((seconds / 2))s"
echo "  reader (wrk -t1 -c8, GET /v1/places variants): ${wrk_requests:-?} requests, ${wrk_rate:-?}/s, p50 ${wrk_p50:-?}, p99 ${wrk_p99:-?}"
echo "  writers ($writers): $acked referrals acknowledged (201), $retries retried attempts (${retry_codes:-none}), $refused refused, $gaveup given up"
echo "  HAProxy: api1 $(hap_row api1); api2 $(hap_row api2); backend $(hap_row BACKEND)"
echo "  instance 2 metrics: db_pool_acquired_total primary ${primary_acquired:-?}, replica ${replica_acquired:-?}; replica fallbacks ${fallbacks:-?}"
echo "  replica: xact_commit $replica_xact_before -> $replica_xact_after; replay lag at the end ${lag} ms"
check "acknowledged referrals on the primary" "$([ "$lost" = 0 ] && [ "$acked" -gt 0 ] && echo 1 || echo 0)" "$acked acknowledged, $lost lost"
check "no referral created twice" "$([ "$duplicates" = 0 ] && echo 1 || echo 0)" "$created created for $acked keys acknowledged, $duplicates duplicated, $unacked never acknowledged"
check "writers never refused nor gave up" "$([ "$refused" = 0 ] && [ "$gaveup" = 0 ] && echo 1 || echo 0)" "$refused refused, $gaveup given up"
check "the replica served reads" "$([ "${replica_acquired:-0}" -gt 0 ] && [ "$replica_xact_after" -gt "$replica_xact_before" ] && echo 1 || echo 0)" "instance 2 borrowed ${replica_acquired:-0} replica connections; +$((replica_xact_after - replica_xact_before)) commits on the replica"
check "the replica caught up" "$caught_up" "$created referrals on both"
check "no failed GET seen by the reader" "$([ "$failed_gets" = 0 ] && [ "${wrk_requests:-0}" -gt 0 ] && echo 1 || echo 0)" "$failed_gets failed (non-2xx ${non2xx:-0}, socket errors ${socket_errors:-0})"
exit "$failed"
