# マイナサポートBot — `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
GW_VENV ?= .venv-gateway
PY := $(VENV)/bin/python
GW_PY := $(GW_VENV)/bin/python
RASA := $(VENV)/bin/rasa
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONWARNINGS := ignore::DeprecationWarning
TRAINING_FILES := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) $(wildcard bot/rasa_side/*.py)  # the model keeps what its own components learn

.PHONY: help install train run shell test test-fast lint bench validate clean
help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.in requirements.lock
	@py=$$(scripts/find-python.sh) && echo "Python 3.10: $$py" && \
	  ( [ -x $(PY) ] || $$py -m venv $(VENV) )
	$(PY) -m pip install -q --upgrade pip==24.0
	$(PY) -m pip install -q -r requirements.in -c requirements.lock
	$(PY) -c "import spacy; spacy.load('ja_ginza')" >/dev/null
	touch $@

$(GW_VENV)/.installed: requirements-gateway.in requirements-gateway.lock
	@py=$$(scripts/find-python.sh) && ( [ -x $(GW_PY) ] || $$py -m venv $(GW_VENV) )
	$(GW_PY) -m pip install -q --upgrade pip==24.0
	$(GW_PY) -m pip install -q -r requirements-gateway.in -c requirements-gateway.lock
	touch $@

.system-packages: scripts/install-system.sh
	scripts/install-system.sh
	touch $@

install: $(VENV)/.installed $(GW_VENV)/.installed .system-packages  ## create .venv (Rasa) and .venv-gateway (FastAPI) from Python 3.10, install pinned packages and Debian packages

models/.trained: $(VENV)/.installed $(TRAINING_FILES)
	$(RASA) train --quiet --out models
	touch $@

train: models/.trained  ## train the Rasa model if the data changed since the last one

validate: $(VENV)/.installed  ## check the knowledge base and the Rasa training data
	$(PY) -m bot.shared.knowledge
	$(RASA) data validate --quiet

run: install train  ## start the gateway (:8000), Rasa (:5005) and the action server (:5055) on 127.0.0.1
	WITH_GATEWAY=1 scripts/run.sh

shell: train  ## chat with the assistant in the terminal (starts the action server)
	scripts/run.sh shell

test: install train lint  ## lint and types, knowledge checks, rasa data validate, every test tier, story tests
	$(PY) -m bot.shared.knowledge
	$(RASA) data validate --quiet
	$(PY) -m pytest -q tests --ignore=tests/gateway
	$(GW_PY) -m pytest -q tests/gateway
	$(RASA) test core --stories tests/stories --fail-on-prediction-errors --out results/core

test-fast: install  ## the inner loop (< 1 min, no servers, no trained model): lint, knowledge check, unit tests of both venvs
	$(VENV)/bin/ruff check --quiet .
	$(PY) -m bot.shared.knowledge
	@# the two venvs' unit tests side by side (fuzzing at a tenth of its examples)
	$(PY) -m pytest -q -m unit -p no:cacheprovider tests --ignore=tests/gateway & rasa=$$!; \
	FUZZ_SCALE=0.1 $(GW_PY) -m pytest -q -m unit -p no:cacheprovider tests/gateway; gateway=$$?; \
	wait $$rasa && exit $$gateway

lint: install  ## ruff (pyflakes, pycodestyle, bugbear) and mypy (not strict), each venv on its own code
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/mypy bot/shared bot/rasa_side bot/devtools actions
	$(GW_VENV)/bin/mypy bot/gateway

bench: install train  ## accuracy, fallback rate, latency, load and training time vs. a BM25 baseline
	$(PY) -m bot.devtools.bench

clean:  ## remove models and results (keeps .venv)
	rm -rf models results
