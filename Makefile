# Everything runs in a local virtual environment (.venv) made from pyproject.toml; only Python 3.11+
# and pip are needed on the machine.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= packs/exampleshire

.PHONY: pack run test lint bench mutate clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Build the example council's consultation evidence pack into $(OUT)
pack: $(STAMP)
	$(BIN)/feemodel pack --out $(OUT) --force

## Compute the example council's tables only (no notebooks)
run: $(STAMP)
	$(BIN)/feemodel run --out output/exampleshire --force

## Lint, check notebooks are committed clean, run the whole test suite
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check feemodel tests bench
	$(BIN)/python -m feemodel.apps.hygiene

bench: $(STAMP)
	$(BIN)/python -m bench

## Mutation testing of the money core (issue 19): mutmut with the fast unit tests, then the counts and score.
## MUTANTS narrows the run, e.g. make mutate MUTANTS='feemodel.money*' (mutants/ keeps earlier results).
MUTANTS ?=
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[mutate]'
	$(BIN)/mutmut run --max-children 2 $(MUTANTS)
	$(BIN)/python -m bench.mutation_report

clean:
	rm -rf $(VENV) output packs .pytest_cache
