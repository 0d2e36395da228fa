# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Build the graph from the seed, validate it, answer every bundled question,
# and write the Turtle export to build/kg.ttl.
demo: $(STAMP)
	$(BIN)/kg build
	$(BIN)/kg validate
	@for f in queries/*.rq; do \
	  name=$$(basename $$f .rq); \
	  echo; echo "== $$name: $$(sed -n 's/^# question: //p' $$f)"; \
	  $(BIN)/kg query $$name || exit 1; \
	done
	$(BIN)/kg export -o build/kg.ttl

lint: $(STAMP)
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/ruff format --check kg tests benchmarks

# The whole test suite, integration tests against a real SPARQL server included.
test: $(STAMP) lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build .pytest_cache
