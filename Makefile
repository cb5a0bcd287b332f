# Two commands: `make run` and `make test`. Each sets up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt docs bench browser clean

# `make run` installs the runtime dependencies only (no extras); `make test` adds every extra
# and the test tools. The first run says how to put `corridor` on the PATH.
run: $(RUNTIME)
	$(BIN)/corridor report
	@test -e $(VENV)/.path-hint || { touch $(VENV)/.path-hint; \
	  echo; echo "== corridor is installed in $(BIN). To type it yourself:"; \
	  echo "   source $(VENV)/bin/activate    (or: export PATH=\"\$$PWD/$(BIN):\$$PATH\")"; \
	  echo "   corridor --help"; }

test: $(STAMP) lint browser
	$(BIN)/python -m pytest src tests

# The report tests open HTML in headless Debian Chromium (Playwright drives it; no download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "note: Debian chromium is missing and this is not root: browser tests will skip"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts conftest.py
	$(BIN)/ruff format --check src tests benchmarks scripts conftest.py
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks scripts conftest.py
	$(BIN)/ruff format src tests benchmarks scripts conftest.py

# Refresh the generated parts of README.md and docs/*.md (a test fails while they are stale).
docs: $(STAMP)
	$(BIN)/python scripts/update_readme.py

# Not part of `make test`: startup time, the LP against raw highspy and PyPSA, risk, claims, web.
bench: $(STAMP) $(VENV)/.bench
	cd benchmarks && ../$(BIN)/python bench_startup.py && ../$(BIN)/python bench_solve.py \
	  && ../$(BIN)/python bench_reconcile.py && ../$(BIN)/python bench_risk.py && ../$(BIN)/python bench_claims.py && ../$(BIN)/python bench_web.py

$(VENV)/.bench: pyproject.toml
	@echo "== adding the benchmark tools (the bench extra: PyPSA, an HTTP client) to .venv =="
	$(BIN)/python -m pip install --progress-bar on -e '.[dev,bench]'
	touch $@

# --no-compile: byte-compiling every module of SciPy and pandas would add about 140 MB that nothing
# reads; scripts/compile_startup.py compiles just what the commands import (21 MB: Python would
# not write it where PYTHONDONTWRITEBYTECODE is set, and every start would pay for it).
$(RUNTIME): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Corridor needs Python >= 3.11; set PYTHON=python3.11")'
	@echo "== setting up .venv: Corridor and its runtime dependencies (first run only, a few minutes) =="
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on --no-compile -e .
	$(BIN)/python scripts/compile_startup.py
	touch $@

$(STAMP): $(RUNTIME)
	@echo "== adding every extra and the test tools (the dev extra) to .venv =="
	$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
