#!/usr/bin/env bash
# make bench, webhooks (issue 17): referral POSTs per second without a
# subscription, with one while no worker runs (the outbox rows the triggers
# write: the write path's own cost), the events that run queued delivered per
# second to a local receiver (tests/bench/webhook_sink.py), POSTs per second
# while the workers deliver (they and the receiver share the 2 cores), and the
# commit-to-delivery latency (webhook_deliveries.delivered_at minus the event's
# occurred_at) at a constant 100 referrals/s (tests/bench/paced.lua).
#   tests/bench/webhooks.sh BINARY OUT.md
# Environment: DATABASE_URL (migrated and seeded), JWT_SECRET, WEBHOOK_BENCH_PORT
# (default 18097; the receiver takes the next port), BENCH_DURATION (10s).
set -euo pipefail
bin=${1:?usage: tests/bench/webhooks.sh BINARY OUT.md}
out=${2:?usage: tests/bench/webhooks.sh BINARY OUT.md}
port=${WEBHOOK_BENCH_PORT:-18097}
sink_port=$((port + 1))
duration=${BENCH_DURATION:-10s}
psql_db() { psql -X -q -At "$DATABASE_URL" "$@"; }

python3 tests/bench/webhook_sink.py "$sink_port" &
sink=$!
server=
start() { # WEBHOOK_WORKERS
  env PORT=$port WEBHOOK_ALLOW_HTTP=1 WEBHOOK_ALLOW_PRIVATE=1 RATE_LIMIT_ORG_PER_S=0 WEBHOOK_WORKERS="$1" \
    RATE_LIMIT_IP_PER_S=0 LOG_LEVEL=warn METRICS_LISTEN_ADDR=off "$bin" serve >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}
stop() { kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
cleanup() {
  stop
  kill -TERM "$sink" 2>/dev/null || true
}
trap cleanup EXIT
workers=${WEBHOOK_WORKERS:-2}
# First without delivery workers: the cost of the outbox alone on the write path.
start 0

sender=$("$bin" token --org caf-gers --scope "referrals:write" --ttl 3600)
receiver=$("$bin" token --org france-services-mirande --scope "webhooks:write" --ttl 3600)
posts() { # requests/s of referral POSTs
  TOKEN=$sender wrk -t2 -c16 -d"$duration" -s tests/bench/referrals.lua "http://127.0.0.1:$port" \
    | awk '/^Requests\/sec/ {printf "%.0f", $2}'
}
drained() { # waits until no delivery is pending (60 s at most)
  for _ in $(seq 600); do
    [ "$(psql_db -c "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")" = 0 ] && return
    sleep 0.1
  done
}

without=$(posts)
hook=$(curl -s -X POST "http://127.0.0.1:$port/v1/webhooks" -H "Authorization: Bearer $receiver" \
  -H 'Content-Type: application/json' \
  -d "{\"url\":\"http://127.0.0.1:$sink_port/\",\"events\":[\"referral.received\"],\"description\":\"bench\"}" \
  | sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p')
[ -n "$hook" ] || { echo "webhooks bench: the subscription was refused" >&2; exit 1; }
outbox=$(posts)
# Then the workers, on what that run queued: deliveries per second alone.
stop
start "$workers"
drain_start=$(psql_db -c "SELECT clock_timestamp()")
drained
read -r events span < <(psql_db -F ' ' -c "SELECT count(*), extract(epoch FROM max(delivered_at) - '$drain_start'::timestamptz)
  FROM webhook_deliveries WHERE subscription_id = '$hook' AND delivered_at >= '$drain_start'")
# Then writes while the workers deliver them (and the receiver takes them) on the same 2 cores.
with=$(posts)
drained
paced_start=$(psql_db -c "SELECT clock_timestamp()")
RATE=100 CONNECTIONS=10 TARGET=referral TOKEN=$sender wrk -t2 -c10 -d"$duration" \
  -s tests/bench/paced.lua "http://127.0.0.1:$port" >/dev/null
drained
read -r n p50 p99 < <(psql_db -F ' ' -c "SELECT count(*),
  round(1000 * extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY d.delivered_at - e.occurred_at))),
  round(1000 * extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY d.delivered_at - e.occurred_at)))
  FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
  WHERE d.subscription_id = '$hook' AND e.occurred_at >= '$paced_start'")
curl -s -o /dev/null -X DELETE "http://127.0.0.1:$port/v1/webhooks/$hook" -H "Authorization: Bearer $receiver"
{
  echo
  echo "Webhooks (tests/bench/webhooks.sh; a receiver answering 204 on loopback, WEBHOOK_WORKERS=$workers):"
  echo
  echo "| figure | value |"
  echo "|---|---|"
  echo "| referral POSTs/s (wrk -t2 -c16 -d$duration), no subscription | $without |"
  echo "| referral POSTs/s, one subscription to referral.received, the events queued (no worker) | $outbox ($(awk -v a="$outbox" -v b="$without" 'BEGIN {printf "%+.0f %%", 100 * (a - b) / b}')) |"
  echo "| those events delivered by $workers workers | $events in $(awk -v s="$span" 'BEGIN {printf "%.1f", s}') s: $(awk -v n="$events" -v s="$span" 'BEGIN {printf "%.0f", n / s}')/s |"
  echo "| referral POSTs/s while $workers workers deliver them to the receiver on the same cores | $with ($(awk -v a="$with" -v b="$without" 'BEGIN {printf "%+.0f %%", 100 * (a - b) / b}')) |"
  echo "| commit to delivery at 100 referrals/s ($n events) | p50 $p50 ms, p99 $p99 ms |"
} >>"$out"
