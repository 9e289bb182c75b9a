#!/usr/bin/env bash
# A blind trial's kit for a helper: `scripts/trial_kit/make_kit.sh 71` makes /tmp/blind71 (this folder with the
# trial's number in it: the stack of /tmp/trial71 on port 8171, its databases and /tmp/trial71.log) and an empty raw/.
# Start that stack first (a clone of main in /tmp/trialNN with the newest model, e.g.
#   RASA_PORT=51NN ACTION_PORT=52NN GATEWAY_PORT=81NN WITH_GATEWAY=1 scripts/run.sh > /tmp/trialNN.log).
set -euo pipefail
n=${1:?usage: make_kit.sh NN}
kit="/tmp/blind$n"
rm -rf "$kit" && mkdir -p "$kit/raw"
for f in README.md chat.py check_facts.py grades.py pn_check_template.py; do
  sed "s/trialNN/trial$n/g; s/81NN/81$n/g" "$(dirname "$0")/$f" > "$kit/$f"
done
echo "$kit"
