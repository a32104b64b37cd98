# The two commands a new user needs:  make run  (the portal with a demo tenant)  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-stress lint bench install clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python scripts/run_local.py

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# For developers (not CI): the whole suite three times while stress-ng keeps both cores busy, then once more in
# random order (pytest-randomly); prints how many runs passed. Needs stress-ng (apt-get install -y stress-ng).
test-stress: install lint
	PYTHON_BIN=$(BIN)/python scripts/test_stress.sh $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/extensions_list.py
	$(BIN)/python bench/emulator_pages.py
	$(BIN)/python bench/sso_login.py
	$(BIN)/python bench/user_sync.py
	$(BIN)/python bench/user_sync_scopes.py
	$(BIN)/python bench/sync_fleet.py
	$(BIN)/python bench/contacts_sync.py
	$(BIN)/python bench/presence.py
	$(BIN)/python bench/login_flood.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
