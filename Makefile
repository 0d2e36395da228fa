# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean system-deps

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

# Debian packages the tests use: Graphviz (kg diagram), Chromium (browser tests),
# Virtuoso (a second real SPARQL store for kg push and kg query --endpoint) and rapper
# (raptor2-utils: a second reader of the exports). Jena, where installed
# (make bench-deps), is a third engine and reader in the tests too.
SYSTEM_DEPS := graphviz chromium chromium-driver virtuoso-opensource raptor2-utils
system-deps:
	@missing=""; for p in $(SYSTEM_DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  case "$$missing" in *virtuoso-opensource*) \
	    echo "stopping and disabling the virtuoso-opensource-7 system service (it listens on all interfaces with the default dba password; the tests start their own)"; \
	    $$SUDO systemctl disable --now virtuoso-opensource-7 >/dev/null 2>&1 || $$SUDO service virtuoso-opensource-7 stop >/dev/null 2>&1 || true;; \
	  esac; \
	fi

# The whole test suite: integration tests start real Oxigraph and Virtuoso SPARQL
# servers (PyPI package oxigraph, Debian package virtuoso-opensource) and a
# headless Chromium on 127.0.0.1.
test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m benchmarks
bench-deps: ; @$(MAKE) --no-print-directory system-deps SYSTEM_DEPS="libapache-jena-java default-jre-headless"

clean:
	rm -rf $(VENV) build .pytest_cache
