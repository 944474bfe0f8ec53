#!/usr/bin/env bash
# `make bench`: wrk figures on loopback for the main routes, each beside the
# ceiling of the same SQL measured with pgbench in the same run, the server's
# peak resident memory per route, memory under 256 connections and over a soak
# run, the places routes and the sync feed at two data sizes (×10). Uses its own
# database (inclusion_bench) in the `make run` cluster, which must be started.
# Writes build/bench.md and bench/results/<date>-<host>.md.
#   tests/bench.sh BINARY
# Environment: DEV_PG_PORT, DEV_PG_DIR (the cluster), BENCH_PORT, BENCH_METRICS_PORT
# (the metrics listener, default BENCH_PORT + 1), BENCH_DURATION
# (wrk -d and pgbench -T, default 10s), BENCH_STREAM_SECONDS (30: the same for
# the whole département's GeoJSON), BENCH_CONNECTIONS (50),
# BENCH_SOAK_SECONDS (60), BENCH_INDICATORS (1: run tests/bench/indicators.sh),
# BENCH_PEER (1: the comparison with tests/bench/peer/, which needs node and npm),
# BENCH_WEBHOOKS (1: tests/bench/webhooks.sh),
# BENCH_OAUTH (1: tests/bench/oauth.sh, tokens issued per second and ES256 against HS256).
set -euo pipefail
bin=${1:?usage: tests/bench.sh BINARY}
# pgbench comes with postgresql-15 (make deps).
tests/install-deps.sh wrk
pg_port=${DEV_PG_PORT:-54320}
pg_dir=${DEV_PG_DIR:-var/pg-dev}
port=${BENCH_PORT:-18090}
metrics_port=${BENCH_METRICS_PORT:-$((port + 1))}
duration=${BENCH_DURATION:-10s}
seconds=${duration%s}
connections=${BENCH_CONNECTIONS:-50}
soak=${BENCH_SOAK_SECONDS:-60}
stream_seconds=${BENCH_STREAM_SECONDS:-30}
pgbench=${PGBIN:-/usr/lib/postgresql/15/bin}/pgbench
export PGPASSWORD=inclusion
psql_bench() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U inclusion "$@"; }
# The cluster's superuser (through its socket, as db/cluster.sh does): to turn
# statement logging on for the captures below, on this private cluster only.
pg_data=$(readlink -f "$pg_dir")
psql_super() {
  local run=(); [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
  "${run[@]}" psql -X -q -v ON_ERROR_STOP=1 -h "$pg_data/run" -p "$pg_port" -U postgres -d postgres "$@"
}
pg_log=$pg_data/server.log
# A new database at each run, so that every run starts from the same data
# (referral events cannot be deleted: the ×10 of the feed needs a fresh start).
psql_bench -d inclusion -c "DROP DATABASE IF EXISTS inclusion_bench" -c "CREATE DATABASE inclusion_bench"
export DATABASE_URL=postgresql://inclusion:inclusion@127.0.0.1:$pg_port/inclusion_bench
export JWT_SECRET=${JWT_SECRET:-bench-secret-0123456789-0123456789-0123456789}
# One token drives each run: the per-organisation rate limit would be what is measured.
export PORT=$port LOG_LEVEL=warn RATE_LIMIT_ORG_PER_S=0 RATE_LIMIT_IP_PER_S=0
export METRICS_LISTEN_ADDR=127.0.0.1:$metrics_port
# Every wrk connection comes from 127.0.0.1: the per-address limit (128) would refuse half of the 256.
export MAX_CONNECTIONS_PER_IP=${MAX_CONNECTIONS_PER_IP:-1024}
"$bin" migrate >/dev/null
"$bin" seed >/dev/null
mkdir -p build/bench
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o build/bench/pgbench_script tests/bench/pgbench_script.c
bench_db=inclusion_bench
start_server() { # DATABASE [ENV...]
  bench_db=$1
  shift
  env DATABASE_URL="postgresql://inclusion:inclusion@127.0.0.1:$pg_port/$bench_db" "$@" "$bin" serve >/dev/null &
  server=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}
stop_server() { kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
start_server inclusion_bench
cleanup() {
  stop_server
  psql_super -c "ALTER SYSTEM RESET log_min_duration_statement" -c "ALTER SYSTEM RESET log_line_prefix" \
    -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
}
trap cleanup EXIT
token=$("$bin" token --org caf-gers --scope "referrals:read referrals:write places:read workshops:read registrations:write" --ttl 3600)
receiver=$("$bin" token --org france-services-mirande --scope "referrals:read referrals:write" --ttl 3600)

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$server/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }
# Resets the peak (VmHWM) to the current resident size, so each route's peak is its own.
reset_peak() { echo 5 >"/proc/$server/clear_refs"; }
reset_peak
idle_kb=$(rss_kb)
echo 0 >build/bench/max_hwm
# The route's peak in MiB; keeps the highest in build/bench/max_hwm (peak runs in a subshell).
peak() {
  local h; h=$(hwm_kb)
  [ "$h" -gt "$(cat build/bench/max_hwm)" ] && echo "$h" >build/bench/max_hwm
  mib "$h"
}

# The ceiling of a route's SQL. capture sends one request with PostgreSQL
# logging every statement (log_min_duration_statement = 0), and
# tests/bench/pgbench_script.c turns the statements the server's connection
# executed, with their parameters, into a pgbench script: the exact SQL of the
# handler, guard and transaction included, taken from the server rather than
# copied from api/ (a copy would drift). pgbench then runs it with the protocol
# the server used (prepared statements, or unnamed ones with
# DB_PREPARED_STATEMENTS=0), the service's session settings (db.c) and wrk's
# concurrency and duration.
psql_super -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %a: '" -c "SELECT pg_reload_conf()" >/dev/null
capture() { # NAME TOKEN-TO-VARY CURL-ARGS...
  local name=$1 vary=$2 before status
  shift 2
  # The requests of the previous run that wrk left behind (queued in the
  # server, or at the database) must be over: none in flight (the metrics
  # listener's own requests are not counted).
  for _ in $(seq 600); do
    [ "$(curl -s "http://127.0.0.1:$metrics_port/metrics" | awk '$1 == "http_requests_in_flight" {print $2}')" = 0 ] && break
    sleep 0.1
  done
  psql_super -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.3
  before=$(stat -c %s "$pg_log")
  status=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  sleep 0.3
  psql_super -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
  [[ $status == 2* ]] || { echo "capture $name: HTTP $status" >&2; exit 1; }
  tail -c +$((before + 1)) "$pg_log" \
    | build/bench/pgbench_script "build/bench/$name.sql" "build/bench/$name.args" "$vary"
}
pgbench_tps() { # NAME: transactions/s of its script (the request's statements)
  local args=() report
  mapfile -d '' args <"build/bench/$1.args"
  report=$(PGOPTIONS="-c search_path=public -c TimeZone=Europe/Paris -c jit=off -c max_parallel_workers_per_gather=0" \
    "$pgbench" -n -c "${pgbench_clients:-$connections}" -j 2 -T "$seconds" -h 127.0.0.1 -p "$pg_port" \
    -U inclusion -f "build/bench/$1.sql" "${args[@]}" "$bench_db" 2>&1) \
    || { echo "pgbench $1 failed: $report" >&2; exit 1; }
  awk '/^tps = / {printf "%.0f", $3}' <<<"$report"
}

out=build/bench.md
{
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk, pgbench, the server and PostgreSQL share it."
  echo "PostgreSQL $(psql_bench -d inclusion_bench -Atc "SELECT current_setting('server_version') || ': shared_buffers ' || current_setting('shared_buffers') || ', work_mem ' || current_setting('work_mem') || ', synchronous_commit ' || current_setting('synchronous_commit') || ', fsync ' || current_setting('fsync') || ', max_connections ' || current_setting('max_connections')"); connections with jit=off, no parallel workers."
  echo "Server: HTTP_THREADS=${HTTP_THREADS:-default}, DB_POOL_SIZE=${DB_POOL_SIZE:-default}. wrk -t2 -c$connections -d$duration on loopback; pgbench -c$connections -j2 -T$seconds on the same statements, same protocol. Resident memory idle: $(mib "$idle_kb") MiB."
  echo
  echo "| route | data | requests/s | pgbench tps | API/pgbench | p50 | p99 | non-2xx | peak RSS |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >"$out"

row() { # NAME DATA WRK-REPORT CEILING [BYTES-PER-ANSWER]
  local report=$3 ceiling=$4 rps ratio non2xx
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$report")
  # Long answers (the streamed département): 50 of them progress together
  # and wrk counts only those that end within the run, so the rate is the
  # bytes received per second over the bytes of one answer.
  [ -n "${5:-}" ] && rps=$(awk -v b="$5" '/^Transfer\/sec/ {
    v = $2; u = substr(v, length(v) - 1); v += 0
    m = u == "GB" ? 1073741824 : u == "MB" ? 1048576 : u == "KB" ? 1024 : 1
    printf "%.1f", v * m / b }' <<<"$report")
  ratio=-
  [ "$ceiling" != - ] && ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN {printf "%.2f", a / b}')
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$report")
  errors=$(awk -F': ' '/Socket errors/ {print $2}' <<<"$report")
  echo "| $1 | $2 | $rps | $ceiling | $ratio | $(awk '$1 == "50%" {print $2}' <<<"$report") | $(awk '$1 == "99%" {print $2}' <<<"$report") | ${non2xx:-0}${errors:+ (socket errors: $errors)} | $(peak) MiB |" >>"$out"
}
wrk_get() { # TOKEN PATH [WRK-ARGS...]
  reset_peak
  wrk -t2 -c"$connections" -d"$duration" --latency -H "Authorization: Bearer $1" "${@:3}" "http://127.0.0.1:$port$2"
}
# A read route: its ceiling, then wrk.
run() { # NAME DATA PATH [TOKEN [WRK-ARGS...]] (answer_bytes: see row)
  local name=$1 data=$2 path=$3 tok=${4:-$token} ceiling=- slug report
  slug=$(tr -c 'a-z0-9' '_' <<<"$name" | cut -c1-40)
  if [ "$path" != /healthz ]; then
    capture "$slug" "" -H "Authorization: Bearer $tok" "http://127.0.0.1:$port$path"
    ceiling=$(pgbench_tps "$slug")
  fi
  report=$(wrk_get "$tok" "$path" "${@:5}")
  row "$name" "$data" "$report" "$ceiling" "${answer_bytes:-}"
  last_rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$report")
}

scale_rows=()
run "GET /healthz (the HTTP layer alone: fixed body, no database)" - /healthz
run "GET /v1/organizations?limit=50" - "/v1/organizations?limit=50"
near="/v1/places?near=43.6465,0.5855&radius_km=20&limit=50"
for n in 3000 30000; do
  psql_bench -d inclusion_bench -v n="$n" -f tests/bench/gen_places.sql
  run "places near Auch, 20 km, limit 50" "$n places" "$near"; r_near[$n]=$last_rps
  run "the Gers as GeoJSON, limit 5000" "$n places" "/v1/places?format=geojson&limit=5000"; r_geo[$n]=$last_rps
  # The whole département, streamed (no limit): batches of 256 rows, each its
  # own statement, which the ceiling runs all; 50 clients at once, each answer
  # taking seconds (wrk's timeout 60 s; wrk and pgbench count only what ends
  # within the run: BENCH_STREAM_SECONDS, 30 by default), plain then gzipped,
  # with the bytes of one answer.
  whole="/v1/places?format=geojson"
  plain_bytes=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port$whole")
  gzip_bytes=$(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$whole")
  # pgbench counts only the transactions that end: 8 clients (enough to keep
  # both cores busy) finish several each within the run, 50 would finish one.
  seconds=$stream_seconds duration=${stream_seconds}s answer_bytes=$plain_bytes pgbench_clients=8 run \
    "the Gers as GeoJSON, streamed whole (no limit), $(awk -v b="$plain_bytes" 'BEGIN {printf "%.1f", b / 1048576}') MiB" \
    "$n places" "$whole" "$token" --timeout 60s
  row "the same, gzipped, $(awk -v b="$gzip_bytes" 'BEGIN {printf "%.1f", b / 1048576}') MiB" "$n places" \
    "$(duration=${stream_seconds}s wrk_get "$token" "$whole" --timeout 60s -H 'Accept-Encoding: gzip')" - "$gzip_bytes"
  run "places q=mediatheque, limit 50" "$n places" "/v1/places?q=mediatheque&limit=50"; r_q[$n]=$last_rps
done

# Workshops: with seats near Auch; then 50 clients competing for the seats of
# 100 workshops (20 each): every attempt must end confirmed or waitlisted.
psql_bench -d inclusion_bench -f tests/bench/gen_workshops.sql
run "workshops with seats near Auch, 30 km" "30000 places" "/v1/workshops?has_seats=true&near=43.6465,0.5855&radius_km=30"
workshops=$(psql_bench -d inclusion_bench -Atc "SELECT string_agg(id::text, ',') FROM workshops WHERE title LIKE 'Bench %'")
reset_peak
report=$(WORKSHOPS=$workshops TOKEN=$token wrk -t2 -c"$connections" -d"$duration" --latency \
  -s tests/bench/register.lua "http://127.0.0.1:$port")
read -r confirmed waitlisted overbooked < <(psql_bench -d inclusion_bench -Atc \
  "SELECT sum(confirmed_count), sum(waitlist_count), count(*) FILTER (WHERE confirmed_count > capacity)
   FROM workshops WHERE title LIKE 'Bench %'" | tr '|' ' ')
row "registrations: 50 clients, 100 workshops of 20 seats" "30000 places" "$report" -
attempts=$(awk '/requests in/ {print $1}' <<<"$report")
notes="Registrations: $attempts answered attempts (wrk does not count those cut at the end), $confirmed confirmed + $waitlisted waitlisted = $((confirmed + waitlisted)) in the database; workshops overbooked: $overbooked."

# The sync feed at two sizes: referrals generated for the receiver, then ×10.
feed="/v1/referrals?direction=inbound&limit=50"
# The feed shows only changes older than every running transaction (of the
# whole cluster): a long one (gen-data, say) would leave its pages empty.
feed_check() {
  curl -s -H "Authorization: Bearer $receiver" "http://127.0.0.1:$port$feed" | grep -q '"items":\[{' \
    || { echo "the feed's page is empty: is a long transaction running on the cluster?" >&2; exit 1; }
}
referrals() { psql_bench -d inclusion_bench -Atc 'SELECT count(*) FROM referrals'; }
top_up() { psql_bench -d inclusion_bench -v n="$1" -f tests/bench/gen_referrals.sql; }
top_up 3000
n_small=$(referrals)
feed_check
run "referral sync feed, a page of 50 (inbound)" "$n_small referrals" "$feed" "$receiver"; r_feed_small=$last_rps

# Referral writes (synchronous_commit on): POSTs under unique Idempotency-Keys,
# beside a pgbench script of the statements of one POST (a fresh key each time);
# then a mixed load of POSTs and moves.
body='{"to_org":"france-services-mirande","need":"caf_procedures","beneficiary":{"first_name":"Bench","last_name":"Bench","phone":"06 12 34 56 78","contact_preference":"phone"},"consent":{"given":true,"method":"oral","recorded_at":"2026-01-01T09:00:00Z"},"notes":"bench"}'
key=capture-$(date +%s%N)
capture referral_post "$key" -X POST -H "Authorization: Bearer $token" -H "Idempotency-Key: $key" \
  -H "Content-Type: application/json" -d "$body" "http://127.0.0.1:$port/v1/referrals"
post_ceiling=$(pgbench_tps referral_post)
referral_run() {
  local name=$1 moves=$2 ceiling=$3 report
  reset_peak
  report=$(TOKEN=$token RECEIVER_TOKEN=$receiver MOVES=$moves wrk -t2 -c"$connections" \
    -d"$duration" --latency -s tests/bench/referrals.lua "http://127.0.0.1:$port")
  row "$name" "$(referrals) referrals after" "$report" "$ceiling"
}
referral_run "referral POST, a new Idempotency-Key each" 0 "$post_ceiling"
referral_run "referral POSTs + accepted moves, 1:1" 1 -
top_up $((10 * n_small - $(referrals)))
n_large=$(referrals)
feed_check
run "referral sync feed, a page of 50 (inbound)" "$n_large referrals" "$feed" "$receiver"; r_feed_large=$last_rps

# Memory: 256 open connections on a read route, then a soak run sampling the
# resident size every 10 s.
reset_peak
report=$(wrk -t2 -c256 -d"$duration" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port$near")
row "places near Auch, **256 connections**" "30000 places" "$report" -
reset_peak
soak_start_kb=$(rss_kb)
wrk -t2 -c"$connections" -d"${soak}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port$near" \
  >build/bench/soak.txt &
soak_wrk=$!
samples=()
for t in $(seq 10 10 "$soak"); do sleep 10; samples+=("${t}s $(mib "$(rss_kb)")"); done
wait $soak_wrk

{
  echo
  echo "Data ×10 (requests/s at the smaller size → the larger; ratio large/small):"
  echo
  echo "| route | small | large | ratio |"
  echo "|---|---|---|---|"
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b / a}'; }
  echo "| places near, 3,000 → 30,000 places | ${r_near[3000]} | ${r_near[30000]} | $(ratio "${r_near[3000]}" "${r_near[30000]}") |"
  echo "| places q=, 3,000 → 30,000 places | ${r_q[3000]} | ${r_q[30000]} | $(ratio "${r_q[3000]}" "${r_q[30000]}") |"
  echo "| GeoJSON limit 5000, 3,000 → 30,000 places | ${r_geo[3000]} | ${r_geo[30000]} | $(ratio "${r_geo[3000]}" "${r_geo[30000]}") |"
  echo "| sync feed, $n_small → $n_large referrals | $r_feed_small | $r_feed_large | $(ratio "$r_feed_small" "$r_feed_large") |"
  echo
  echo "Soak: wrk -c$connections -d${soak}s on places near ($(awk '/^Requests\/sec/ {printf "%.0f", $2}' build/bench/soak.txt) requests/s, p99 $(awk '$1 == "99%" {print $2}' build/bench/soak.txt), non-2xx $(awk '/Non-2xx/ {print $NF}' build/bench/soak.txt | grep . || echo 0)); resident memory (MiB) $(mib "$soak_start_kb") at the start, then every 10 s: ${samples[*]}."
  echo
  echo "$notes"
  echo
  echo "Peak resident memory over every run: $(mib "$(cat build/bench/max_hwm)") MiB; after the runs: $(mib "$(rss_kb)") MiB."
} >>"$out"
# The peer (tests/bench/peer/): the service a typical team would write instead
# (Node 20, Fastify 5, fast-jwt, node-postgres, 2 workers × 4 connections), on
# the same database and data, the same routes and tokens. Each route runs
# alternately on the service and on the peer, twice; the ratio is of the sums.
# Then each route at a constant offered load, half of the service's saturated
# rate (tests/bench/paced.lua), for its latency at a fixed rate.
if [ "${BENCH_PEER:-1}" = 1 ]; then
  mkdir -p build/peer
  cp tests/bench/peer/package.json tests/bench/peer/package-lock.json tests/bench/peer/server.js build/peer/
  (cd build/peer && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  peer_port=$((port + 5))
  PEER_PORT=$peer_port node build/peer/server.js >build/bench/peer.log 2>&1 &
  peer=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$peer_port/healthz" >/dev/null && break; sleep 0.1; done
  rps_of() { awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$1"; }
  # CPU time (clock ticks) of a process and its children: the peer's workers,
  # PostgreSQL's backends under its postmaster.
  ticks() { local t=0 p; for p in "$1" $(pgrep -P "$1"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
  postmaster=$(head -1 "$pg_data/postmaster.pid")
  hz=$(getconf CLK_TCK)
  side() { # PORT TARGET PID: "requests/s server-µs pg-µs" of one wrk run (CPU per request)
    local report app0 pg0 app1 pg1 n
    app0=$(ticks "$3"); pg0=$(ticks "$postmaster")
    if [ "$2" = referral ]; then
      report=$(TOKEN=$token wrk -t2 -c"$connections" -d"$duration" -s tests/bench/referrals.lua "http://127.0.0.1:$1")
    else
      report=$(wrk -t2 -c"$connections" -d"$duration" -H "Authorization: Bearer $token" "http://127.0.0.1:$1$2")
    fi
    app1=$(ticks "$3"); pg1=$(ticks "$postmaster")
    n=$(awk '/requests in/ {print $1}' <<<"$report")
    echo "$(rps_of "$report") $(awk -v t=$((app1 - app0)) -v n="$n" -v hz="$hz" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}') $(awk -v t=$((pg1 - pg0)) -v n="$n" -v hz="$hz" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}')"
  }
  paced() { # PORT TARGET RATE: p50 and p99 at that offered rate
    local report
    report=$(RATE=$3 CONNECTIONS=10 TARGET=$2 TOKEN=$token wrk -t2 -c10 -d"$duration" --latency \
      -s tests/bench/paced.lua "http://127.0.0.1:$1")
    echo "$(awk '$1 == "50%" {print $2}' <<<"$report") / $(awk '$1 == "99%" {print $2}' <<<"$report") ($(rps_of "$report")/s)"
  }
  {
    echo
    echo "Beside the peer (tests/bench/peer/, Node $(node --version), Fastify 5, fast-jwt, node-postgres, 2 workers × 4 connections), alternately, twice each; then p50 / p99 at a constant offered load of half the service's rate (wrk, 10 connections, tests/bench/paced.lua):"
    echo
    echo "CPU per request (µs, the second run of each, from /proc: the server's process, the peer's processes, PostgreSQL's): what the throughput hides when wrk takes its share of the 2 cores."
    echo
    echo "| route | service requests/s | peer requests/s | service/peer | service CPU µs/request | peer CPU µs/request | PostgreSQL µs/request, service / peer | service p50 / p99 at half load | peer p50 / p99 at the same load |"
    echo "|---|---|---|---|---|---|---|---|---|"
  } >>"$out"
  for entry in "GET /healthz|/healthz" "GET /v1/organizations?limit=50|/v1/organizations?limit=50" \
    "places near Auch, 20 km, limit 50|$near" "places q=mediatheque, limit 50|/v1/places?q=mediatheque&limit=50" \
    "referral POST, a new Idempotency-Key each|referral"; do
    name=${entry%%|*} target=${entry#*|} ours=0 theirs=0
    for _ in 1 2; do
      read -r rps our_cpu our_pg < <(side "$port" "$target" "$server"); ours=$((ours + rps))
      read -r rps their_cpu their_pg < <(side "$peer_port" "$target" "$peer"); theirs=$((theirs + rps))
    done
    half=$((ours / 4))
    echo "| $name | $((ours / 2)) | $((theirs / 2)) | $(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", a / b}') | $our_cpu | $their_cpu ($(awk -v a="$their_cpu" -v b="$our_cpu" 'BEGIN {printf "%.1f", a / (b ? b : 1)}')×) | $our_pg / $their_pg | $(paced "$port" "$target" "$half") | $(paced "$peer_port" "$target" "$half") |" >>"$out"
  done
  kill -TERM "$peer" 2>/dev/null; wait "$peer" 2>/dev/null || true
fi
# Webhooks (issue 17): POSTs without and with a subscription, deliveries per
# second, commit-to-delivery latency at 100 referrals/s (tests/bench/webhooks.sh).
if [ "${BENCH_WEBHOOKS:-1}" = 1 ]; then
  WEBHOOK_BENCH_PORT=$((port + 7)) tests/bench/webhooks.sh "$bin" "$out"
fi
# The service as an OAuth 2.0 authorization server: tokens issued per second,
# and the cost of verifying its own ES256 tokens beside HS256 ones.
if [ "${BENCH_OAUTH:-1}" = 1 ]; then
  tests/bench/oauth.sh "$bin" "$out"
fi
results=bench/results/$(date +%F)-$(hostname -s).md
mkdir -p bench/results
cp "$out" "$results"
# Indicators for one year over the département, under wrk beside their
# ceiling, on the national database of tests/bench/indicators.sh (which
# generates it the first time, then times each indicator request alone).
: >build/bench/indicators.md
if [ "${BENCH_INDICATORS:-1}" = 1 ]; then
  tests/bench/indicators.sh "$bin" build/bench/indicators.md
  stop_server
  start_server inclusion_bench_national DB_STATEMENT_TIMEOUT_MS=120000
  reset_peak
  indicators=$("$bin" token --org gers-numerique --scope "indicators:read" --ttl 3600)
  to=$(date +%F)
  {
    echo
    echo "| route | data | requests/s | pgbench tps | API/pgbench | p50 | p99 | non-2xx | peak RSS |"
    echo "|---|---|---|---|---|---|---|---|---|"
  } >>"$out"
  run "indicators for one year, the département (all 11)" "$(psql_bench -d inclusion_bench_national -Atc "SELECT count(*) FROM referrals") referrals" \
    "/v1/indicators?from=$(date -d "$to - 364 days" +%F)&to=$to" "$indicators"
fi

cat build/bench/indicators.md >>"$out"
cp "$out" "$results"
cat "$out"
