#!/usr/bin/env bash
# Part of `make bench` (issue #15): the service as an OAuth 2.0 authorization
# server. Tokens issued per second (wrk on POST /oauth/token, Basic client
# authentication, tests/bench/oauth_token.lua), then the cost of verification:
# GET /v1/organizations?limit=50 with the service's own ES256 tokens beside
# HS256 tokens of the external issuer (JWT_SECRET), each run alternately twice,
# the ratio of the sums (target: ES256 within 10 % of HS256). Uses its own
# database (inclusion_bench_oauth) in the `make run` cluster, which must be
# started. Appends its tables to OUT.md. Runs alone too:
#   tests/bench/oauth.sh BINARY OUT.md
# Environment: DEV_PG_PORT, BENCH_PORT (this part listens on BENCH_PORT + 2),
# BENCH_DURATION (wrk -d, default 10s), BENCH_CONNECTIONS (50).
set -euo pipefail
bin=${1:?usage: tests/bench/oauth.sh BINARY OUT.md} out=${2:?usage: tests/bench/oauth.sh BINARY OUT.md}
pg_port=${DEV_PG_PORT:-54320}
port=$((${BENCH_PORT:-18090} + 2))
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-50}
export PGPASSWORD=inclusion
psql_bench() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U inclusion "$@"; }
db=inclusion_bench_oauth
psql_bench -d inclusion -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
export DATABASE_URL=postgresql://inclusion:inclusion@127.0.0.1:$pg_port/$db
export JWT_SECRET=${JWT_SECRET:-bench-secret-0123456789-0123456789-0123456789}
"$bin" migrate >/dev/null
"$bin" seed >/dev/null
KEY_ACTIVATION_DELAY_S=0 "$bin" keys generate >/dev/null
# One client and one organisation drive each run: no rate limit is measured.
TOKEN_ISSUER=http://127.0.0.1:$port RATE_LIMIT_ORG_PER_S=0 RATE_LIMIT_IP_PER_S=0 PORT=$port \
  LOG_LEVEL=warn "$bin" serve >/dev/null &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# A string member of a JSON object (the values here hold no escapes: hex, base64url, JWS).
member() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
admin=$("$bin" token --org gers-numerique --scope admin --ttl 3600)
client=$(curl -sf -X POST "http://127.0.0.1:$port/v1/clients" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' -d '{"org":"caf-gers","name":"bench","scopes":["places:read"]}')
id=$(member client_id <<<"$client") secret=$(member client_secret <<<"$client")
basic=$(printf '%s:%s' "$id" "$secret" | base64 -w0)
es256=$(curl -sf -u "$id:$secret" -d grant_type=client_credentials "http://127.0.0.1:$port/oauth/token" \
  | member access_token)
hs256=$("$bin" token --org caf-gers --scope places:read --ttl 3600)

rps_of() { awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$1"; }
cell() { # WRK-REPORT: requests/s | p50 | p99 | non-2xx
  local non2xx
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$1")
  echo "$(rps_of "$1") | $(awk '$1 == "50%" {print $2}' <<<"$1") | $(awk '$1 == "99%" {print $2}' <<<"$1") | ${non2xx:-0}"
}
wrk_org() { # TOKEN
  wrk -t2 -c"$connections" -d"$duration" --latency -H "Authorization: Bearer $1" \
    "http://127.0.0.1:$port/v1/organizations?limit=50"
}

issued=$(BASIC=$basic wrk -t2 -c"$connections" -d"$duration" --latency -s tests/bench/oauth_token.lua \
  "http://127.0.0.1:$port")
es_sum=0 hs_sum=0 es_cells=() hs_cells=()
for _ in 1 2; do
  report=$(wrk_org "$es256"); es_sum=$((es_sum + $(rps_of "$report"))); es_cells+=("$(cell "$report")")
  report=$(wrk_org "$hs256"); hs_sum=$((hs_sum + $(rps_of "$report"))); hs_cells+=("$(cell "$report")")
done
{
  echo
  echo "OAuth (tests/bench/oauth.sh): wrk -t2 -c$connections -d$duration on loopback; ES256 tokens from POST /oauth/token, HS256 tokens of the external issuer (\`token\` sub-command); GET runs alternate ES256, HS256, twice."
  echo
  echo "| run | requests/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|---|"
  echo "| POST /oauth/token (client_credentials, Basic): tokens issued | $(cell "$issued") |"
  for i in 0 1; do
    echo "| GET /v1/organizations?limit=50, own ES256 token (run $((i + 1))) | ${es_cells[$i]} |"
    echo "| GET /v1/organizations?limit=50, HS256 token (run $((i + 1))) | ${hs_cells[$i]} |"
  done
  echo
  echo "Verification: ES256 / HS256 requests/s on GET /v1/organizations = $(awk -v a="$es_sum" -v b="$hs_sum" 'BEGIN {printf "%.3f (%+.1f %%)", a / b, (a / b - 1) * 100}') (target: within 10 %)."
} >>"$out"
