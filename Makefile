# Everything a fresh Debian machine needs, from nothing: `make demo` and `make test`.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEV     := $(VENV)/.installed-dev
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_DB := instance/demo.db
HOST    ?= 127.0.0.1
PORT    ?= 5000
# The virtualenv's own installer, brought up to date before anything is installed with it.
PIP_VERSIONS := pip==26.3 setuptools==84.2.1
COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
           --no-emit-index-url --no-emit-find-links

.PHONY: demo test bench chromium pdflibs lock clean

# Debian's own python3 leaves venv support (ensurepip) to the python3-venv package.
# requirements.txt and requirements-dev.txt are lock files (every package, exact version, hashes).
$(STAMP): requirements.txt pyproject.toml
	@python3 -c 'import ensurepip' 2>/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; }
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade $(PIP_VERSIONS)
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Test and development tools, on top of the runtime packages.
$(DEV): $(STAMP) requirements-dev.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $(DEV)

# After changing requirements.in or requirements-dev.in: pin every package again, with hashes.
lock: $(DEV)
	$(COMPILE) -o requirements.txt requirements.in
	$(COMPILE) -o requirements-dev.txt requirements-dev.in

# Debian's Chromium for the browser tests; Playwright drives it, never downloads its own.
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# The libraries WeasyPrint (the yearly report as PDF) loads at run time, and a font for it.
pdflibs:
	@/sbin/ldconfig -p | grep -q 'libpangoft2-1.0.so.0' && /sbin/ldconfig -p | grep -q 'libharfbuzz-subset.so.0' && \
	  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
	  libharfbuzz-subset0 fonts-dejavu-core; }

demo: $(STAMP) pdflibs
	$(BIN)/smajobs --db $(DEMO_DB) demo --serve --host $(HOST) --port $(PORT)

test: $(DEV) chromium pdflibs
	$(BIN)/pytest -n 2 tests

bench: $(STAMP)
	$(BIN)/python -m bench.matcher_bench
	$(BIN)/python -m bench.index_bench

clean:
	rm -rf $(VENV) instance
