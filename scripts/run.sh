#!/usr/bin/env bash
# Starts the action server and Rasa on 127.0.0.1; Ctrl-C stops both. `run.sh shell` for a terminal chat.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export PYTHONPATH=$PWD SANIC_HOST=127.0.0.1
pids=()
stop() { trap - INT TERM EXIT; for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop INT TERM EXIT
"$VENV/bin/rasa" run actions --port "${ACTION_PORT:-5055}" --actions actions &
pids+=($!)
if [ "${1:-}" = shell ]; then
  "$VENV/bin/rasa" shell --endpoints endpoints.yml
else
  "$VENV/bin/rasa" run --enable-api --interface 127.0.0.1 --port "${RASA_PORT:-5005}" \
    --endpoints endpoints.yml --credentials credentials.yml &
  pids+=($!)
  echo "Rasa REST: http://127.0.0.1:${RASA_PORT:-5005}/webhooks/rest/webhook  (Ctrl-C stops)"
  wait -n "${pids[@]}"
fi
