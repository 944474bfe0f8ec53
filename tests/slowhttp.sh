#!/usr/bin/env bash
# Part of `make stress`: slow clients and a connection flood against the real
# server with its default limits, all from 127.0.0.1, while a normal client on
# 127.0.0.2 keeps asking (5 requests a second). slowhttptest (Debian) holds
# 1,000 connections sending their headers (slowloris) or their body (slow
# body, R-U-Dead-Yet) a few bytes at a time; then wrk opens 2,000 connections
# at once. Passes when the normal client got at least 95 % of its answers
# during each attack, its first answer within a second after it, and the ten
# that follow.
#   tests/slowhttp.sh BINARY        (TEST_DATABASE_URL: a migrated, seeded database)
set -euo pipefail
bin=${1:?usage: tests/slowhttp.sh BINARY}
: "${TEST_DATABASE_URL:?}"
tests/install-deps.sh slowhttptest wrk curl
ulimit -n 8192 2>/dev/null || true
seconds=${SLOWHTTP_SECONDS:-20}
port=${SLOWHTTP_PORT:-18470}
work=$(mktemp -d)
export DATABASE_URL=$TEST_DATABASE_URL JWT_SECRET=slowhttp-secret-0123456789-0123456789-0123
PORT=$port LOG_LEVEL=error "$bin" serve >"$work/server.log" 2>&1 &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
target=http://127.0.0.1:$port
normal_url=$target/v1/reference/skills

# The normal client, from 127.0.0.2: one line per request (status, seconds).
normal_client() {
  while [ ! -e "$work/stop" ]; do
    curl -s -o /dev/null --interface 127.0.0.2 -m 5 -w '%{http_code} %{time_total}\n' \
      "$normal_url" || echo "000 5"
    sleep 0.2
  done
}

# The normal client's answers during one attack: "answered/asked, worst time".
during() {
  local log=$1
  awk '{n++; if ($1 == 200) ok++; if ($2 > worst) worst = $2}
       END {printf "%d/%d answered, slowest %.2f s", ok, n, worst}' "$log"
}
share_ok() {
  awk '{n++; if ($1 == 200) ok++} END {exit !(n > 0 && ok >= 0.95 * n)}' "$1"
}

# Right after an attack: "seconds to the first answer, answered/10 of the next
# ten" ("never" when the first did not come within 2 s).
recovery() {
  local first ok=0
  first=$(curl -s -o /dev/null --interface 127.0.0.2 -m 2 -w '%{http_code} %{time_total}' \
    "$normal_url" || echo "000 2")
  for _ in $(seq 10); do
    [ "$(curl -s -o /dev/null --interface 127.0.0.2 -m 2 -w '%{http_code}' "$normal_url")" = 200 ] &&
      ok=$((ok + 1))
  done
  if [ "${first%% *}" = 200 ]; then echo "${first#* } $ok"; else echo "never $ok"; fi
}

failed=0
report=()
attack() {
  local name=$1
  shift
  rm -f "$work/stop"
  normal_client >"$work/normal.log" &
  local client=$!
  "$@" >"$work/attack.log" 2>&1 || true
  touch "$work/stop"
  wait "$client"
  local first next peak seen
  read -r first next < <(recovery)
  peak=$(awk '/^VmHWM/ {print $2}' "/proc/$server/status")
  # What the attacker saw: slowhttptest's last status, or wrk's socket errors.
  seen=$(sed 's/\x1b\[[0-9;]*m//g' "$work/attack.log" | awk '
    $1 == "connected:" {c = $2} $1 == "closed:" {x = $2}
    /requests in/ {r = $1} /Socket errors/ {e = $0}
    END {if (c != "") printf "%s held open, %s closed by the server", c, x;
         else printf "%s answered; %s", r, e}')
  report+=("| $name | $seen | $(during "$work/normal.log") | $first s, then $next/10 | $peak |")
  share_ok "$work/normal.log" || failed=1
  [ "$first" != never ] && [ "$next" = 10 ] && awk -v b="$first" 'BEGIN {exit !(b <= 1)}' || failed=1
  kill -0 "$server" 2>/dev/null || { echo "the server died during: $name" >&2; failed=1; }
}

attack "slowloris: 1,000 connections sending headers slowly (slowhttptest -H)" \
  slowhttptest -H -c 1000 -r 250 -i 5 -l "$seconds" -p 3 -u "$target/v1/reference/skills"
attack "slow body: 1,000 POSTs sending 8 KiB slowly (slowhttptest -B)" \
  slowhttptest -B -c 1000 -r 250 -i 5 -s 8192 -l "$seconds" -p 3 -u "$target/v1/visits"
attack "connection flood: wrk -t2 -c2000 -d${seconds}s on /healthz" \
  wrk -t2 -c2000 -d"${seconds}s" "$target/healthz"

echo "| attack, from 127.0.0.1 | the attacker's connections | normal client on 127.0.0.2 during it | right after: first answer, then the next 10 | server peak RSS (KiB) |"
echo "|---|---|---|---|---|"
printf '%s\n' "${report[@]}"
exit $failed
