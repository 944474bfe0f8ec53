#!/usr/bin/env bash
# `make run`: migrate and seed the private cluster, print the URL and a demo
# token, then serve in the foreground. Ctrl-C stops the server and the cluster;
# so does `make stop` (SIGTERM to the pid written in $DEV_PG_DIR.pid) when it
# runs in the background.
set -euo pipefail
bin=${1:?usage: db/run.sh BINARY}
: "${DEV_PG_DIR:?}" "${DEV_PG_PORT:?}" "${JWT_SECRET:?}"
export JWT_SECRET
export DATABASE_URL=${DATABASE_URL:-postgresql://inclusion:inclusion@127.0.0.1:$DEV_PG_PORT/inclusion}
export LISTEN_ADDR=${LISTEN_ADDR:-127.0.0.1} PORT=${PORT:-8080}
# The service issues its own tokens to partners' clients (/oauth/token): its
# issuer is its URL, and a first key signs at once.
export TOKEN_ISSUER=${TOKEN_ISSUER:-http://$LISTEN_ADDR:$PORT}

"$bin" migrate
"$bin" seed --demo   # demo inputs (marked gen-data) so that /tableau-de-bord shows figures
if [ "$("$bin" keys list | wc -l)" -le 1 ]; then
  KEY_ACTIVATION_DELAY_S=0 "$bin" keys generate >/dev/null
fi
token=$("$bin" token --org france-services-mirande --sub demo --ttl 86400 \
  --scope "places:read places:write workshops:read workshops:write registrations:write referrals:read referrals:write indicators:read activity:write devices:write")

pidfile=$DEV_PG_DIR.pid
stop_cluster() {
  db/cluster.sh stop "$DEV_PG_DIR" "$DEV_PG_PORT" || true
  rm -f "$pidfile"
}
trap stop_cluster EXIT
echo $$ >"$pidfile"

cat <<MSG

  inclusion-api is starting on http://$LISTEN_ADDR:$PORT
  The dashboard: http://$LISTEN_ADDR:$PORT/tableau-de-bord (paste the token below).
  A demo token for france-services-mirande (valid 24 h):

    export TOKEN=$token
    curl -H "Authorization: Bearer \$TOKEN" http://$LISTEN_ADDR:$PORT/v1/organizations

  Ctrl-C (or \`make stop\` from another shell) stops the server and the database.

MSG
# Not exec: the trap must run after the server exits. Ctrl-C reaches both.
"$bin" serve &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' INT TERM
wait $server || true
wait $server 2>/dev/null || true
