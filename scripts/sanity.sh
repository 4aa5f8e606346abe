#!/usr/bin/env bash
# Run `ansible-test sanity` (Python 3.11 only) on the shipped collection.
#
# ansible-test wants the collection at .../ansible_collections/<ns>/<name>/
# and rejects a symlinked root, so the shipped content (git-known files minus
# galaxy.yml's build_ignore: no simulator, no tests/simulator, no
# tests/integration, no tooling) is copied to
# build/sanity/ansible_collections/keyfactor/command and tested there.
#
# Sanity tests that need their own tools (pylint, validate-modules, yamllint,
# ...) get virtual environments under ~/.ansible/test/venv, installed from
# PyPI; their pip bootstrap script is replaced by an offline stand-in (see
# scripts/ansible_test_get_pip.py).
#
# Extra arguments are passed to ansible-test, e.g. `--test pylint`.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
bin=$repo/.venv/bin
dest=$repo/build/sanity/ansible_collections/keyfactor/command

"$bin/python" scripts/stage_collection.py "$dest"
"$bin/python" scripts/ansible_test_get_pip.py

cd "$dest"
# The copy lies inside this repository's work tree, in an ignored directory:
# ansible-test would take the repository as its git root and find no files.
# A git repository of its own makes ansible-test list exactly the copied files
# (`git ls-files --cached --others --exclude-standard`).
git init --quiet .
printf '%s\n' tests/output/ __pycache__/ >> .git/info/exclude
export PATH="$bin:$PATH"
# Only the staged copy may provide keyfactor.command.
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS
exec "$bin/ansible-test" sanity --python 3.11 --color no "$@"
