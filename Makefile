# One target per habit; CI runs the same ones (.ci/run).
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: run chat test lint fmt typecheck bench score install clean

$(BIN)/canhgiac: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/canhgiac  ## create .venv and install the bot with its dev tools

run: install  ## serve the bot and its web chat on http://127.0.0.1:8000 (SQLite)
	$(BIN)/canhgiac serve --open

chat: install  ## talk to the bot in the terminal
	$(BIN)/canhgiac chat

test: install  ## the whole test suite
	$(BIN)/pytest -q

.PHONY: test-fast
test-fast: install  ## the suite without the tests marked slow (processes, servers, a browser)
	$(BIN)/pytest -q -m "not slow"

lint: install  ## ruff (lint + format check), mypy and the layering (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports

fmt: install  ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install  ## throughput of `canhgiac analyze` against the plain rapidfuzz approach
	$(PY) bench/analyze_bench.py

.PHONY: bench-tips
bench-tips: install  ## tips: facts through report -> database -> exports, export speed and memory, check latency
	$(PY) bench/tips_bench.py

.PHONY: bench-webhooks
bench-webhooks: install  ## signed webhooks/s and ack latency of `canhgiac serve` (SQLite, PostgreSQL; 1-2 workers) vs a bare endpoint
	$(PY) bench/webhooks_bench.py

score: install  ## public eval scores (needs ../shared)
	$(BIN)/canhgiac analyze < ../shared/eval/public.jsonl > /tmp/canhgiac-eval.jsonl
	$(PY) ../shared/tools/score_analyze.py ../shared/eval/public.jsonl /tmp/canhgiac-eval.jsonl

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

.PHONY: bench-blocklist
bench-blocklist: install  ## warning lists: import 50,000 domains, lookup latency (SQLite)
	$(PY) bench/blocklist_bench.py

.PHONY: bench-latency
bench-latency: install  ## reply latency end to end (webhook sent -> platform receives the reply) at 200 and 500 msg/s and a 3,000 burst
	$(PY) bench/latency_bench.py

.PHONY: bench-console
bench-console: install  ## officer console: dashboard and filtered list render time with 100,000 tips (SQLite, PostgreSQL)
	$(PY) bench/console_bench.py

.PHONY: bench-ocr
bench-ocr: install  ## screenshots: character error rate, phone/amount exactness, same tactic, seconds per image
	$(PY) bench/ocr_bench.py

.PHONY: bench-parts
bench-parts: install  ## CPU per message of acknowledging a webhook and of answering it, in-process (SQLite)
	$(PY) bench/parts_bench.py
