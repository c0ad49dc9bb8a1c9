# Peerpress: `make site` then `make test` on a fresh machine (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: site test serve clean bench screenshots lint check docs

site: $(STAMP)
	$(PY) -m generator build
	@echo ""
	@echo "The sample blog is in site/. Preview it with 'make serve', then open http://127.0.0.1:8000/"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	@touch $@

test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadgroup

check: $(STAMP)
	$(PY) -m generator check --strict

docs: $(STAMP)
	$(PY) -m generator.docs > docs/configuration.md

serve: $(STAMP)
	$(PY) -m generator serve --drafts

lint: $(STAMP)
	$(PY) -m ruff check generator tests bench

bench: $(STAMP)
	$(PY) bench/run.py

screenshots: $(STAMP)
	$(PY) -m tests.browser.screenshots

clean:
	rm -rf site .peerpress-cache .pytest_cache build *.egg-info
