# Loa — every target sets itself up: a fresh Debian machine needs only python3 (with venv) and make.
VENV ?= .venv
PY := $(VENV)/bin/python
LOA := $(VENV)/bin/loa
STAMP := $(VENV)/.installed
PYTHON ?= python3

.PHONY: install run demo test lint bench catalogs lock clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -m venv $(VENV) || { echo "Cannot create a virtual environment: on Debian/Ubuntu run 'apt-get install python3-venv' first."; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(MAKE) --no-print-directory catalogs
	@touch $(STAMP)

install: $(STAMP)

catalogs:
	$(PY) -m bot.i18n_compile

run: install
	$(LOA) run

demo: install
	$(LOA) demo

# Four workers: the suite mostly waits (real sockets, pacing, processes starting), so four overlap
# well on two cores. `make test PYTEST_ARGS="-n 0 tests/procedures"` runs a part in one process.
test: install
	$(PY) -m pytest -q -n 4 $(PYTEST_ARGS)

# ruff, then mypy (strict, configured in pyproject.toml) over the whole tree.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: install
	$(PY) -m bench.run_all

# Regenerate the pinned constraints after changing pyproject.toml (needs network).
lock:
	rm -rf /tmp/loa-lock && $(PYTHON) -m venv /tmp/loa-lock
	/tmp/loa-lock/bin/pip install --quiet '.[dev]'
	/tmp/loa-lock/bin/pip freeze --exclude loa > constraints.txt

clean:
	rm -rf $(VENV) loa.db loa.db-wal loa.db-shm
