# Two commands for a new user: `make run` and `make test`. Both create .venv and install what
# is missing; `make run` also builds (or updates) the index before serving the chat.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 7860

export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test index bench bench-scale load browser-deps audit clean-index eval-dev fit refit

# `python -m venv` seeds the pip and setuptools bundled with the interpreter (3.11.7: pip 23.2.1,
# named by six advisories, and setuptools 65.5.0, by four), so both are upgraded at once; a venv
# whose upgrade failed is removed rather than kept half-made.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools || { rm -rf $(VENV); exit 1; }

# Re-run pip only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[st,llm,test]'
	@touch $@

# Incremental: a no-op when corpus/ is unchanged. A broken file is named and skipped (the
# rest is indexed and the old entries for that file are kept), so serving still goes ahead.
index: $(VENV)/.installed
	-$(BIN)/bot ingest

run: index
	$(BIN)/bot serve --host $(HOST) --port $(PORT)

# Debian's chromium for the browser tests (never a browser download), and a CJK font so the
# screenshot the browser test saves for the README is legible.
browser-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || { \
	  echo "installing Debian's chromium and fonts-noto-cjk for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

test: $(VENV)/.installed-test browser-deps
	$(MAKE) --no-print-directory audit $(if $(wildcard $(AUDIT_SNAPSHOT)),AUDIT_DB=$(AUDIT_SNAPSHOT))
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python -m bot.bench

# about 100,000 chunks grown from the shipped report; embedded and with a Chroma server
bench-scale: $(VENV)/.installed-test
	$(BIN)/python tests/bench_scale.py

# 50 concurrent clients against the REST API on 127.0.0.1 for 60 s (starts its own server)
load: $(VENV)/.installed-test
	$(BIN)/python tests/load.py

# pip-audit where PyPI's vulnerability API answers, else the installed distributions matched
# against a local OSV snapshot; AUDIT_DB=path (a directory or .tar.gz of OSV records) forces the
# snapshot. A finding fails unless audit-allow.toml lists it with a reason and a review date.
AUDIT_SNAPSHOT ?= ../shared/advisories/pypi-osv.tar.gz
audit: $(VENV)/.installed-test
	$(BIN)/python -m bot.audit --allow audit-allow.toml $(if $(wildcard $(AUDIT_SNAPSHOT)),--fallback-db $(AUDIT_SNAPSHOT)) $(if $(AUDIT_DB),--db $(AUDIT_DB))

clean-index:
	rm -rf index/builds index/CURRENT

# Every development set beside the checkout (../shared/dev/*/golden.jsonl), one line each:
# incremental ingest into $(DEV_INDEX)-<set> (the before-stop hook reads the same indexes).
DEV      ?= ../shared/dev
DEV_INDEX ?= $(or $(TMPDIR),/tmp)/dev-hook
eval-dev: $(VENV)/.installed
	@for g in $(DEV)/*/golden.jsonl; do \
	  set=$$(basename $$(dirname $$g)); \
	  $(BIN)/bot ingest -q --corpus $(DEV)/$$set/reports --index $(DEV_INDEX)-$$set >/dev/null || true; \
	  $(BIN)/bot eval --line $$set --index $(DEV_INDEX)-$$set $$g || true; \
	done


# Refit the candidate ranking (bot/data/rank_weights.json), then the answer/no-answer decision
# (bot/data/decision_weights.json) on the proposals the new ranking makes. The ranking: every
# sentence and cell candidate of each dev case labelled by whether it states the expected figures
# (tests/data/rank_dump.jsonl.gz); it is used only when its document-level cross-validated top-1
# beats the hand score's. The decision: every dev case asked with the decision open, each proposal
# labelled (tests/data/decision_dump.jsonl.gz, counterfactuals included). Both print
# document-level cross-validated figures beside the all-fitted ones.
# `make refit` fits again from the stored dumps only (what the tests of the shipped weights do).
fit: $(VENV)/.installed
	@for g in $(DEV)/*/golden.jsonl; do set=$$(basename $$(dirname $$g)); \
	  $(BIN)/bot ingest -q --corpus $(DEV)/$$set/reports --index $(DEV_INDEX)-$$set >/dev/null || true; done
	$(BIN)/python -m bot.fit_rank --index-root $(DEV_INDEX)-SET
	$(BIN)/python -m bot.fit_decision --index-root $(DEV_INDEX)-SET

refit: $(VENV)/.installed
	$(BIN)/python -m bot.fit_rank fit
	$(BIN)/python -m bot.fit_decision fit
