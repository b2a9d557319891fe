# The two commands of the README: `make html` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOX := $(BIN)/tox
STAMP := $(VENV)/.installed
TOX_ENVS ?= lint,py,docs,browser,libvirt,publish

.PHONY: html test publish doctest lint clean host-deps gettext

# The docs venv: sphinx and its extensions, pinned by requirements/constraints.txt, and relnotes
# without extras: building the site needs no libvirt binding (nor libvirt-dev to build one), so
# `make html` works on a fresh machine before `make test` installs the host's packages.
$(STAMP): requirements/docs.in requirements/constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/docs.in -c requirements/constraints.txt tox -c requirements/constraints.txt
	$(BIN)/python -m pip install -q -e . -c requirements/constraints.txt
	touch $@

## html: preview build into _build/preview (English) and _build/preview/ja (Japanese), badges as
## the current ledger has them; only `make publish` writes _build/html, the deployed site
html: $(STAMP)
	$(BIN)/relnotes build
	@echo "open _build/preview/index.html"

## gettext: refresh the translation catalogs of source/locale/ from the pages (sphinx-intl)
gettext: $(STAMP)
	$(BIN)/sphinx-build -q -c . -b gettext source _build/gettext
	$(BIN)/sphinx-intl update -p _build/gettext -d source/locale -w 100 \
	  $$($(BIN)/python -c 'from pathlib import Path; from relnotes.core.settings import load_settings; print(" ".join(f"-l {l}" for l in load_settings(Path(".")).languages[1:]))')

## host-deps: Debian packages the tests need (installs as root, else says what to install)
host-deps:
	bash tools/install-host-deps.sh

## test: the whole suite, as CI runs it
test: $(STAMP) host-deps
	$(TOX) -e $(TOX_ENVS)

## doctest: verify every snippet against the containerised libvirt, writing the ledger
doctest: $(STAMP) host-deps
	$(TOX) -e doctest

## publish: doctest, then the gated build that refuses unverified snippets
publish: $(STAMP) host-deps
	$(TOX) -e publish

lint: $(STAMP)
	$(TOX) -e lint

clean:
	rm -rf _build .tox $(VENV)
