#!/usr/bin/env bash
# `make bench`: wrk figures on loopback for the foundation routes and for the
# places routes at 3,000 and 30,000 generated places, with the server's
# resident memory. Uses its own database (inclusion_bench) in the `make run`
# cluster, which must be started.
#   tests/bench.sh BINARY
set -euo pipefail
bin=${1:?usage: tests/bench.sh BINARY}
tests/install-deps.sh wrk
pg_port=${DEV_PG_PORT:-54320}
port=${BENCH_PORT:-18090}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-50}
export PGPASSWORD=inclusion
psql_bench() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U inclusion "$@"; }
psql_bench -d inclusion -tc "SELECT 1 FROM pg_database WHERE datname = 'inclusion_bench'" | grep -q 1 \
  || psql_bench -d inclusion -c "CREATE DATABASE inclusion_bench"
export DATABASE_URL=postgresql://inclusion:inclusion@127.0.0.1:$pg_port/inclusion_bench
export JWT_SECRET=${JWT_SECRET:-bench-secret-0123456789-0123456789-0123456789}
# One token drives each run: the per-organisation rate limit would be what is measured.
export PORT=$port LOG_LEVEL=warn RATE_LIMIT_ORG_PER_S=0 RATE_LIMIT_IP_PER_S=0
"$bin" migrate >/dev/null
"$bin" seed >/dev/null
"$bin" serve >/dev/null &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
token=$("$bin" token --org caf-gers --scope "referrals:read referrals:write places:read workshops:read registrations:write" --ttl 3600)
receiver=$("$bin" token --org france-services-mirande --scope "referrals:read referrals:write" --ttl 3600)

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$server/status"; }

out=build/bench.md
mkdir -p build
{
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk and server on the same machine."
  echo "wrk -t2 -c$connections -d$duration, loopback. Resident memory idle before the runs: $(rss_kb) KiB."
  echo "PostgreSQL synchronous_commit: $(psql_bench -d inclusion_bench -Atc 'SHOW synchronous_commit')."
  echo
  echo "| route | data | requests/s | p50 | p99 | non-2xx | RSS after (KiB) |"
  echo "|---|---|---|---|---|---|---|"
} >"$out"

run() {
  local name=$1 scale=$2 path=$3
  local report rps p50 p99 non2xx
  report=$(wrk -t2 -c"$connections" -d"$duration" --latency -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port$path")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$report")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$report")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$report")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$report")
  echo "| $name | $scale | $rps | $p50 | $p99 | ${non2xx:-0} | $(rss_kb) |" >>"$out"
}

run "GET /healthz" - /healthz
run "GET /v1/organizations?limit=50" - "/v1/organizations?limit=50"
for n in 3000 30000; do
  psql_bench -d inclusion_bench -v n="$n" -f tests/bench/gen_places.sql
  run "near Auch, 20 km, limit 50" "$n places" "/v1/places?near=43.6465,0.5855&radius_km=20&limit=50"
  run "the Gers as GeoJSON, limit 5000" "$n places" "/v1/places?format=geojson&limit=5000"
  run "text search q=mediatheque, limit 50" "$n places" "/v1/places?q=mediatheque&limit=50"
done

# Workshops: with seats near Auch; then 50 clients competing for the seats of
# 100 workshops (20 each): every attempt must end confirmed or waitlisted.
psql_bench -d inclusion_bench -f tests/bench/gen_workshops.sql
run "workshops with seats near Auch" "30000 places" "/v1/workshops?has_seats=true&near=43.6465,0.5855&radius_km=30"
workshops=$(psql_bench -d inclusion_bench -Atc "SELECT string_agg(id::text, ',') FROM workshops WHERE title LIKE 'Bench %'")
report=$(WORKSHOPS=$workshops TOKEN=$token wrk -t2 -c"$connections" -d"$duration" --latency \
  -s tests/bench/register.lua "http://127.0.0.1:$port")
read -r confirmed waitlisted overbooked < <(psql_bench -d inclusion_bench -Atc \
  "SELECT sum(confirmed_count), sum(waitlist_count), count(*) FILTER (WHERE confirmed_count > capacity)
   FROM workshops WHERE title LIKE 'Bench %'" | tr '|' ' ')
non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$report")
echo "| registrations, 50 clients, 100 workshops of 20 seats | 30000 places | $(awk '/^Requests\/sec/ {print $2}' <<<"$report") | $(awk '$1 == "50%" {print $2}' <<<"$report") | $(awk '$1 == "99%" {print $2}' <<<"$report") | ${non2xx:-0} | $(rss_kb) |" >>"$out"
attempts=$(awk '/requests in/ {print $1}' <<<"$report")
notes="Registrations: $attempts answered attempts (wrk does not count those cut at the end), $confirmed confirmed + $waitlisted waitlisted = $((confirmed + waitlisted)) in the database; workshops overbooked: $overbooked."

# Referrals (synchronous_commit on, the default): POSTs under unique
# Idempotency-Keys; a mixed load of POSTs and moves; a page of the sync feed.
referral_run() {
  local name=$1 moves=$2 report
  report=$(TOKEN=$token RECEIVER_TOKEN=$receiver MOVES=$moves wrk -t2 -c"$connections" \
    -d"$duration" --latency -s tests/bench/referrals.lua "http://127.0.0.1:$port")
  echo "| $name | $(psql_bench -d inclusion_bench -Atc 'SELECT count(*) FROM referrals') referrals after | $(awk '/^Requests\/sec/ {print $2}' <<<"$report") | $(awk '$1 == "50%" {print $2}' <<<"$report") | $(awk '$1 == "99%" {print $2}' <<<"$report") | $(awk '/Non-2xx/ {print $NF}' <<<"$report" | grep . || echo 0) | $(rss_kb) |" >>"$out"
}
referral_run "referral POST, unique keys" 0
referral_run "referral POST + accepted moves, 1:1" 1
token_saved=$token
token=$receiver
run "referral sync feed page, limit 50 (inbound)" "$(psql_bench -d inclusion_bench -Atc 'SELECT count(*) FROM referrals') referrals" "/v1/referrals?direction=inbound&limit=50"
token=$token_saved

echo >>"$out"
echo "$notes" >>"$out"
echo >>"$out"
echo "Peak resident memory (VmHWM): $(hwm_kb) KiB; after the runs: $(rss_kb) KiB." >>"$out"
tests/bench/indicators.sh "$bin" "$out"
cat "$out"
