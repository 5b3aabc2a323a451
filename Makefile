# opskit: `make demo` to see all four jobs work (audit, db, deploy with rollback, monitor), `make test` to run the whole suite with real services.
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

# The demo needs only the tool itself: no dev or bench extras.
$(VENV)/.runtime: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

demo: $(VENV)/.runtime
	$(PY) scripts/demo.py $(OPSKIT)

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
