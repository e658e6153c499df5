# The two front-door commands: `make demo` (run the app with the seed register) and `make test` (run the tests).
# Both create the virtual environment in .venv and install the project into it on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install demo test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/ropa demo

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/bench_import_export.py

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts
