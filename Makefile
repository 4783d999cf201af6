# The two commands a new user needs: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench lint demo migrate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Without TELEGRAM_BOT_TOKEN, `make run` starts the offline demo and says how to go live (`intake run` refuses).
run: $(STAMP)
	$(BIN)/intake run --demo-without-token

demo: $(STAMP)
	$(BIN)/intake demo

migrate: $(STAMP)
	$(BIN)/intake migrate

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fast lane: database-free and SQLite tests only, on every core.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not pg" -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot models reminders bench tests

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info
