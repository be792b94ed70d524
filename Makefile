# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml clients/python/pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

# Test processes: one per core; `make test TEST_WORKERS=0` runs in this process (for pdb).
TEST_WORKERS ?= auto
# Fresh examples per property test in `make soak`.
SOAK_EXAMPLES ?= 1000

.PHONY: run test soak install lint format migrate benchmarks clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-installs only when the lock file or pyproject changes.
$(STAMP): $(PY) requirements.lock pyproject.toml clients/python/pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	# The SDK, editable: its tests import it, and edits to clients/python take effect at once.
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e clients/python
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# The laptop default: SQLite, local files, no Redis. Background jobs run in a real Celery
# worker beside the web server, on a broker that is a folder (var/broker); it stops with the
# server (Ctrl-C).
WORKER_CONCURRENCY ?= 2
run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	@(DEBUG=true exec $(PY) manage.py devworker $(HOST):$(PORT) \
		--concurrency=$(WORKER_CONCURRENCY)) & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# Deterministic: the property tests replay a fixed set of examples (tests/conftest.py).
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --durations=15 $(PYTEST_ARGS)

# For whoever changes the renderer: explores SOAK_EXAMPLES fresh designs per property test and
# keeps any failure in .hypothesis/ so the next soak replays it first.
soak: install
	HYPOTHESIS_PROFILE=soak RENDER_EXAMPLES=$(SOAK_EXAMPLES) $(PY) -m pytest -p no:cacheprovider \
		tests/codes/rendering/test_properties.py tests/codes/rendering/test_qr.py \
		--hypothesis-show-statistics $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: install
	DEBUG=true $(PY) manage.py migrate --noinput

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
