#!/usr/bin/env bash
# `make bench`: wrk figures for the foundation routes on loopback, with the
# server's resident memory idle, under load (peak) and after.
#   tests/bench.sh BINARY     (the dev cluster of `make run` must be started)
set -euo pipefail
bin=${1:?usage: tests/bench.sh BINARY}
tests/install-deps.sh wrk
port=${BENCH_PORT:-18090}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-50}
export DATABASE_URL=${DATABASE_URL:-postgresql://inclusion:inclusion@127.0.0.1:${DEV_PG_PORT:-54320}/inclusion}
export JWT_SECRET=${JWT_SECRET:-bench-secret-0123456789-0123456789-0123456789}
export PORT=$port LOG_LEVEL=warn
"$bin" migrate >/dev/null
"$bin" seed >/dev/null
"$bin" serve >/dev/null &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
token=$("$bin" token --org caf-gers --scope "referrals:read" --ttl 3600)

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$server/status"; }

out=build/bench.md
mkdir -p build
{
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk and server on the same machine."
  echo "wrk -t2 -c$connections -d$duration, loopback. Resident memory idle before the runs: $(rss_kb) KiB."
  echo
  echo "| route | requests/s | p50 | p99 | non-2xx | RSS after (KiB) |"
  echo "|---|---|---|---|---|---|"
} >"$out"

run() {
  local name=$1 path=$2; shift 2
  local report
  report=$(wrk -t2 -c"$connections" -d"$duration" --latency "$@" "http://127.0.0.1:$port$path")
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$report")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$report")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$report")
  non2xx=$(awk '/Non-2xx/ {print $4}' <<<"$report")
  echo "| $name | $rps | $p50 | $p99 | ${non2xx:-0} | $(rss_kb) |" >>"$out"
}

run "GET /healthz" /healthz
run "GET /v1/organizations (token)" "/v1/organizations?limit=50" -H "Authorization: Bearer $token"
echo >>"$out"
echo "Peak resident memory (VmHWM): $(hwm_kb) KiB; after the runs: $(rss_kb) KiB." >>"$out"
cat "$out"
