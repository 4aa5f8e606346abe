# Build and test tooling for the keyfactor.command collection.
# `make help` lists the targets; docs/development.md explains them.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
# Targets share .venv, build/ and loopback ports: never run them in parallel.
.NOTPARALLEL:

PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
VENV_STAMP := $(VENV)/.requirements-installed
REQUIREMENTS := requirements/runtime.txt requirements/test.txt

# ansible finds the collection through this tree, whose
# ansible_collections/keyfactor/command is a symlink to the repository root.
COLLECTIONS_DIR := $(CURDIR)/build/collections
COLLECTION_LINK := $(COLLECTIONS_DIR)/ansible_collections/keyfactor/command

# Environment of every tool run from the venv.
RUN := env PATH="$(BIN):$$PATH" \
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_DIR)" \
	PYTHONPATH="$(COLLECTIONS_DIR):$(CURDIR)/simulator"

# pytest exit status 5 ("no tests collected") is a failure like any other.
# While the suites are being written, `make ... ALLOW_MISSING_TESTS=1` skips a
# test directory that does not exist yet instead of failing.
ALLOW_MISSING_TESTS ?= 0
PYTEST_ARGS ?=
define pytest
	@if [ ! -d "$(1)" ]; then \
	  if [ "$(ALLOW_MISSING_TESTS)" = 1 ]; then echo "SKIPPED: $(1) does not exist (ALLOW_MISSING_TESTS=1)"; exit 0; fi; \
	  echo "ERROR: test directory $(1) does not exist" >&2; exit 1; \
	fi; \
	echo ">> pytest $(1)"; \
	$(RUN) "$(BIN)/python" -m pytest $(PYTEST_ARGS) "$(1)"
endef

SIM_PORT ?= 8443
SIM_ARGS ?=

.PHONY: help venv collection-link demo test lint changelog-lint sanity unit \
	test-simulator integration build simulator lock changelog-release clean distclean

help:
	@echo 'Targets:'
	@echo '  venv            create/refresh .venv from requirements/*.txt (stamp-based)'
	@echo '  test            everything CI runs: lint, sanity, build, unit, simulator and integration tests'
	@echo '  lint            ansible-lint --profile production and antsibull-changelog lint'
	@echo '  sanity          ansible-test sanity (Python 3.11) on a copy of the shipped content'
	@echo '  unit            pytest tests/unit'
	@echo '  test-simulator  pytest tests/simulator'
	@echo '  integration     pytest tests/integration'
	@echo '  build           ansible-galaxy collection build into build/ and list the tarball'
	@echo '  demo            run docs/examples/remove_from_stores.yml twice against the simulator'
	@echo '  simulator       run the Keyfactor API simulator in the foreground (SIM_PORT=$(SIM_PORT))'
	@echo '  changelog-release  antsibull-changelog release (fragments -> changelog.yaml, CHANGELOG.rst)'
	@echo '  lock            re-resolve requirements/*.in into requirements/*.txt (needs PyPI)'
	@echo '  clean           remove build output, caches and simulator state (keeps .venv)'
	@echo '  distclean       clean, and remove .venv'

## Environment ---------------------------------------------------------------

venv: $(VENV_STAMP)

# Rebuilt from scratch whenever a requirements file changes, so the venv holds
# exactly the pinned set. The stamp is written only after a successful install.
$(VENV_STAMP): $(REQUIREMENTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "$(PYTHON) is not Python 3.11")'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --disable-pip-version-check --no-input -r requirements/test.txt
	$(VENV)/bin/python -m pip check
	touch $@

collection-link:
	@mkdir -p "$(dir $(COLLECTION_LINK))"
	@ln -sfn "$(CURDIR)" "$(COLLECTION_LINK)"

lock:
	PYTHON=$(PYTHON) bash scripts/lock-requirements.sh

# Release step: moves changelogs/fragments/* into changelogs/changelog.yaml
# for the version in galaxy.yml and renders CHANGELOG.rst.
changelog-release: venv
	$(RUN) antsibull-changelog release

## Checks --------------------------------------------------------------------

test: venv lint sanity build unit test-simulator integration

# .ansible-lint sets offline mode: ansible-lint neither checks for updates nor
# refreshes schemas nor installs anything, and finds keyfactor.command through
# ANSIBLE_COLLECTIONS_PATH.
lint: venv collection-link changelog-lint
	$(RUN) ansible-lint --profile production

changelog-lint: venv
	$(RUN) antsibull-changelog lint

sanity: venv
	bash scripts/sanity.sh $(SANITY_ARGS)

unit: venv collection-link
	$(call pytest,tests/unit)

test-simulator: venv
	$(call pytest,tests/simulator)

integration: venv collection-link
	$(call pytest,tests/integration)

build: venv
	bash scripts/build.sh

## Running -------------------------------------------------------------------

demo: venv collection-link
	$(RUN) bash scripts/demo.sh

simulator: venv
	$(RUN) python -m kfsim serve --host 127.0.0.1 --port $(SIM_PORT) $(SIM_ARGS)

## Cleaning ------------------------------------------------------------------

clean:
	rm -rf build .pytest_cache tests/output .ansible simulator/.state keyfactor-command-*.tar.gz
	find . -path ./$(VENV) -prune -o -path ./.git -prune -o \
	  \( -name __pycache__ -o -name .pytest_cache \) -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
