#!/usr/bin/env bash
# Starts the action server and Rasa on 127.0.0.1; Ctrl-C stops both. `run.sh shell` for a terminal chat.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export PYTHONPATH=$PWD SANIC_HOST=127.0.0.1
export ACTION_PORT=${ACTION_PORT:-5055} RASA_PORT=${RASA_PORT:-5005}
endpoints=endpoints.yml
if [ "$ACTION_PORT" != 5055 ]; then
  endpoints=$(mktemp --suffix=.yml)
  sed "s/:5055\//:$ACTION_PORT\//" endpoints.yml > "$endpoints"
fi
pids=()
stop() { trap - INT TERM EXIT; for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop INT TERM EXIT
"$VENV/bin/rasa" run actions --port "$ACTION_PORT" --actions actions &
pids+=($!)
if [ "${1:-}" = shell ]; then
  "$VENV/bin/rasa" shell --endpoints "$endpoints"
else
  "$VENV/bin/rasa" run --enable-api --interface 127.0.0.1 --port "$RASA_PORT" \
    --endpoints "$endpoints" --credentials credentials.yml &
  pids+=($!)
  if [ "${WITH_GATEWAY:-0}" = 1 ]; then
    RASA_URL=http://127.0.0.1:$RASA_PORT "${GW_VENV:-.venv-gateway}/bin/python" -m uvicorn --factory \
      bot.gateway.app:create_app --host 127.0.0.1 --port "${GATEWAY_PORT:-8000}" &
    pids+=($!)
    echo "Web chat: http://127.0.0.1:${GATEWAY_PORT:-8000}/   helpdesk: /helpdesk   LINE webhook: /webhooks/line/webhook"
  fi
  echo "Rasa REST: http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook  (Ctrl-C stops)"
  wait -n "${pids[@]}"
fi
