# Two commands matter: `make demo` and `make test` (see README). The rest are for developers.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?=

.PHONY: help demo test venv system-deps lint typecheck contracts pytest bench package format clean

help:
	@echo "make demo   - set up and start Videotime on the embedded demo node"
	@echo "make test   - install what is needed and run lint, types, import contracts and all tests"
	@echo "make bench  - benchmarks (client vs headless Chromium), printed as a table"
	@echo "make package- build dist/videotime_<version>_amd64.deb"

$(STAMP): pyproject.toml scripts/find-python.sh
	@py=$$(PYTHON="$(PYTHON)" scripts/find-python.sh) || exit 1; \
	if [ ! -x "$(PY)" ] || ! "$(PY)" -c 'import sys; raise SystemExit(sys.version_info < (3, 12))'; then \
	  rm -rf "$(VENV)"; echo "Creating $(VENV) with $$py"; "$$py" -m venv "$(VENV)"; fi
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

system-deps:
	@bash scripts/ensure-system-packages.sh

# On a machine without a screen (CI, a server) the app cannot open a window: walk the demo tour
# offscreen instead and leave one screenshot per screen in ./screenshots.
demo: $(STAMP)
	@if [ "$$(uname)" = Linux ] && [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "No screen found: walking the demo tour offscreen; screenshots in ./screenshots"; \
	  QT_QPA_PLATFORM=offscreen $(VENV)/bin/videotime demo --tour --screenshots screenshots; \
	else \
	  $(VENV)/bin/videotime demo; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check

typecheck: $(STAMP)
	$(VENV)/bin/mypy

contracts: $(STAMP)
	$(VENV)/bin/lint-imports

pytest: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test: system-deps $(STAMP)
	$(MAKE) --no-print-directory lint typecheck contracts
	$(MAKE) --no-print-directory pytest

bench: system-deps $(STAMP)
	$(PY) -m benchmarks

package: $(STAMP)
	bash packaging/linux/build-deb.sh

format: $(STAMP)
	$(VENV)/bin/ruff format
	$(VENV)/bin/ruff check --fix

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
