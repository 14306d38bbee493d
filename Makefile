# The two set-up commands of the README: `make demo` and `make test`.
# Both create .venv on first use; nothing else needs to be installed by hand.
# What they install is pinned by constraints.txt, so that a run on a new
# machine installs what CI tested; `make constraints` refreshes it on purpose.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
CONSTRAINTS := constraints.txt

.PHONY: demo test test-all bench fuzz constraints clean help texts

help:
	@echo "make demo   - install into .venv, analyse cases/ and write reports/index.html"
	@echo "make test   - install into .venv with the test extra and run the tests"
	@echo "make bench  - run the benchmarks in benchmarks/"
	@echo "make fuzz   - run the long fuzzing campaign"
	@echo "make texts  - write docs/texts/nl.md and en.md: every text of the case reports, for review"
	@echo "make constraints - pin the newest releases of every dependency in constraints.txt"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e .
	@touch $@

$(STAMP_TEST): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[test]'
	@touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/kafka validate cases/
	$(BIN)/kafka aggregate cases/ -o reports --to-be

test: $(STAMP_TEST)
	$(BIN)/python -m pytest -q

bench: $(STAMP_TEST)
	$(BIN)/python benchmarks/run.py

# Every text a reader of the case reports sees, for every case in cases/, in both
# languages; tests/test_texts.py fails when these files are stale.
texts: $(STAMP_RUN)
	$(BIN)/python -m kafka.report.texts cases/ docs/texts

fuzz: $(STAMP_TEST)
	$(BIN)/python -m pytest -q --run-slow tests/test_fuzz.py

# Resolve the newest releases in a scratch environment and pin them; review the
# diff and run `make test` before committing it.
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet --upgrade pip
	.venv-constraints/bin/python -m pip install --quiet -e '.[test]'
	( echo "# Pinned by 'make constraints' on $$(date +%Y-%m-%d); make demo and make test install these."; \
	  .venv-constraints/bin/python -m pip freeze --exclude-editable ) > $(CONSTRAINTS)
	rm -rf .venv-constraints

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
