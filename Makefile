# The two set-up commands of the README: `make demo` and `make test`.
# Both create .venv on first use; nothing else needs to be installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test test-all bench fuzz clean help

help:
	@echo "make demo   - install into .venv, analyse cases/ and write reports/index.html"
	@echo "make test   - install into .venv with the test extra and run the tests"
	@echo "make bench  - run the benchmarks in benchmarks/"
	@echo "make fuzz   - run the long fuzzing campaign"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/kafka validate cases/
	$(BIN)/kafka aggregate cases/ -o reports --to-be

test: $(STAMP_TEST)
	$(BIN)/python -m pytest -q

bench: $(STAMP_TEST)
	$(BIN)/python benchmarks/run.py

fuzz: $(STAMP_TEST)
	$(BIN)/python -m pytest -q --run-slow tests/test_fuzz.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
