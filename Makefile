# Momentum: `make run` serves the site, `make test` runs the whole suite.
# Both create .venv/, install requirements.txt, and start an embedded
# PostgreSQL and Redis under instance/ unless DATABASE_URL / REDIS_URL are set.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test unit lint chromium clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m webapp.embedded run

test: $(STAMP) chromium
	$(PY) -m webapp.embedded test $(PYTEST_ARGS)

# Style, correctness and types (settings in pyproject.toml); CI runs it before the tests.
lint: $(STAMP)
	$(PY) -m ruff check webapp worker tests
	$(PY) -m mypy

# Unit tests only: no servers needed.
unit: $(STAMP)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium; Playwright's own browser download
# does not work offline, so install the distribution package when missing.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			echo "Installing Chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing and cannot be installed here: browser tests will be skipped"; \
		fi; \
	fi

clean:
	rm -rf $(VENV)
