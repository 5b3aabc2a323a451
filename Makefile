# opskit: `make demo` to see it work, `make test` to run the whole suite with real services.
VENV    ?= .venv
PY      := $(VENV)/bin/python
OPSKIT  := $(VENV)/bin/opskit
PYTEST_ARGS ?=

.PHONY: venv demo test lint bench services-up services-down clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,bench]'
	touch $@

demo: venv
	@echo "== opskit audit examples/sample-service (secrets, code, IaC, vulnerable deps from examples/osv)"
	$(OPSKIT) audit examples/sample-service --no-cache
	@echo
	@echo "== opskit db suggest-indexes (offline, from a bundled log and schema)"
	$(OPSKIT) db suggest-indexes examples/db/postgresql.log --schema examples/db/schema.sql

test: venv
	PYTHON=$(PY) scripts/services.sh up
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; PYTHON=$(PY) scripts/services.sh down; exit $$rc

lint: venv
	$(VENV)/bin/ruff check opskit tests bench
	$(VENV)/bin/mypy

bench: venv
	PYTHON=$(PY) scripts/services.sh up
	for b in bench/*_bench.py; do $(PY) $$b || exit 1; done; PYTHON=$(PY) scripts/services.sh down

services-up:
	PYTHON=$(PY) scripts/services.sh up

services-down:
	PYTHON=$(PY) scripts/services.sh down

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
