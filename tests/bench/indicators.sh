#!/usr/bin/env bash
# Part of `make bench`: the indicators at national scale. Generates, once, a
# database inclusion_bench_national with `gen-data --scale $BENCH_SCALE`
# (default 1: 1 million referrals, 2 million registrations …), then times the
# full indicator list (sequential requests, the first one discarded) for the
# last whole calendar year (the only periods a filter takes under strict
# disclosure control) over the département, one commune, one organisation,
# both, the series and routes, every commune at once (by-commune, JSON and
# GeoJSON), and the dashboard's first load in headless Chromium through a share
# link (tests/bench/dashboard.mjs). Appends to the table $2.
#   tests/bench/indicators.sh BINARY OUT.md
# Environment: DEV_PG_PORT, BENCH_PORT, BENCH_SCALE (1), BENCH_INDICATOR_REQUESTS
# (20), BENCH_DASHBOARD_LOADS (5; 0: no browser), BENCH_INDICATORS_DB (the database).
set -euo pipefail
bin=${1:?} out=${2:?}
pg_port=${DEV_PG_PORT:-54320}
port=$((${BENCH_PORT:-18090} + 1))
scale=${BENCH_SCALE:-1}
requests=${BENCH_INDICATOR_REQUESTS:-20}
loads=${BENCH_DASHBOARD_LOADS:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
export PGPASSWORD=inclusion
export JWT_SECRET=${JWT_SECRET:-bench-secret-0123456789-0123456789-0123456789}
psql_bench() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U inclusion "$@"; }
db=${BENCH_INDICATORS_DB:-inclusion_bench_national}
psql_bench -d inclusion -tc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
  || psql_bench -d inclusion -c "CREATE DATABASE $db"
export DATABASE_URL=postgresql://inclusion:inclusion@127.0.0.1:$pg_port/$db
"$bin" migrate >/dev/null
"$bin" seed >/dev/null
if ! psql_bench -d "$db" -Atc "SELECT 1 FROM referrals WHERE notes = 'gen-data' LIMIT 1" | grep -q 1; then
  start=$(date +%s)
  "$bin" gen-data --scale "$scale"
  echo "gen-data --scale $scale: $(($(date +%s) - start)) s" >&2
fi
counts=$(psql_bench -d "$db" -Atc "SELECT format('%s referrals, %s registrations, %s assessments, %s devices, %s answers',
  (SELECT count(*) FROM referrals), (SELECT count(*) FROM registrations), (SELECT count(*) FROM assessments),
  (SELECT count(*) FROM devices), (SELECT count(*) FROM feedback))")
# The indicators may take longer than the API's default statement timeout at
# this scale: give them room, and report the time.
DB_STATEMENT_TIMEOUT_MS=120000 RATE_LIMIT_ORG_PER_S=0 RATE_LIMIT_IP_PER_S=0 PORT=$port LOG_LEVEL=warn "$bin" serve >/dev/null &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
token=$("$bin" token --org gers-numerique --scope "indicators:read" --ttl 3600)
year=$(($(date +%Y) - 1))
from=$year-01-01 to=$year-12-31

# p50 and p95 (ms) of $requests sequential GETs of $1 (with the curl options
# that follow), after one warm-up.
timed() {
  local path=$1 times status
  shift
  curl -s -o /dev/null -H "Authorization: Bearer $token" "$@" "http://127.0.0.1:$port$path"
  times=$(for _ in $(seq "$requests"); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $token" "$@" \
      "http://127.0.0.1:$port$path"
  done)
  status=$(awk '$1 != 200' <<<"$times" | wc -l)
  awk '{print $2 * 1000}' <<<"$times" | sort -n | awk -v n="$requests" -v bad="$status" '
    {v[NR] = $1} END {printf "%.0f ms | %.0f ms | %d", v[int((n + 1) * 0.5)], v[int(n * 0.95 + 0.5)], bad}'
}

{
  echo
  echo "Indicators at scale $scale ($counts), $requests sequential requests each:"
  echo
  echo "| indicators, $from to $to | p50 | p95 | non-200 |"
  echo "|---|---|---|---|"
  echo "| all 11, the département | $(timed "/v1/indicators?from=$from&to=$to") |"
  echo "| all 11, one commune (Auch, 32013) | $(timed "/v1/indicators?from=$from&to=$to&commune=32013") |"
  echo "| all 11, one organisation (caf-gers) | $(timed "/v1/indicators?from=$from&to=$to&org=caf-gers") |"
  echo "| all 11, a commune and an organisation (from the inputs) | $(timed "/v1/indicators?from=$from&to=$to&commune=32013&org=caf-gers") |"
  echo "| autonomy_rate by week (53 points) | $(timed "/v1/indicators/autonomy_rate/series?from=$from&to=$to&granularity=week") |"
  echo "| orientation median by month (13 points) | $(timed "/v1/indicators/orientation_time_median_hours/series?from=$from&to=$to&granularity=month") |"
  echo "| routes | $(timed "/v1/indicators/routes?from=$from&to=$to") |"
  for code in autonomy_rate orientation_time_median_hours devices_distributed satisfaction_mean referral_completion_rate; do
    echo "| by-commune, $code (462 communes, JSON) | $(timed "/v1/indicators/by-commune?code=$code&from=$from&to=$to") |"
  done
  for code in autonomy_rate orientation_time_median_hours devices_distributed satisfaction_mean; do
    echo "| by-commune, $code (GeoJSON, the outlines) | $(timed "/v1/indicators/by-commune?code=$code&from=$from&to=$to" \
      -H 'Accept: application/geo+json') |"
  done
} >>"$out"

# The dashboard's first load, as an elected official opens it: a share link of
# the organisation, revoked afterwards (an organisation holds 100 at most).
if [ "$loads" -gt 0 ]; then
  # shellcheck source=tests/browser/install.sh
  . "$root/tests/browser/install.sh"
  link=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"label": "make bench"}' "http://127.0.0.1:$port/v1/dashboard-links")
  node "$root/tests/bench/dashboard.mjs" "http://127.0.0.1:$port" "$(jq -r .secret <<<"$link")" "$loads" >>"$out"
  curl -sf -o /dev/null -X DELETE -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/v1/dashboard-links/$(jq -r .id <<<"$link")"
fi
