# Everything a fresh Debian machine needs, from nothing: `make demo` and `make test`.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_DB := instance/demo.db
HOST    ?= 127.0.0.1
PORT    ?= 5000

.PHONY: demo test bench chromium clean

# Debian's own python3 leaves venv support (ensurepip) to the python3-venv package.
$(STAMP): requirements.txt pyproject.toml
	@python3 -c 'import ensurepip' 2>/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; }
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Debian's Chromium for the browser tests; Playwright drives it, never downloads its own.
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

demo: $(STAMP)
	$(BIN)/smajobs --db $(DEMO_DB) demo --serve --host $(HOST) --port $(PORT)

test: $(STAMP) chromium
	$(BIN)/pytest -n 2 tests

bench: $(STAMP)
	$(BIN)/python -m bench.matcher_bench

clean:
	rm -rf $(VENV) instance
