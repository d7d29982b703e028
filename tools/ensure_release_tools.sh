#!/usr/bin/env bash
# Make sure the release gates' tools are installed (tools/release_gates.sh, `make release-gates`): ansible-lint,
# galaxy-importer, antsibull-docs and antsibull-changelog, with the ansible-core they need, Sphinx with the Ansible
# theme (the docsite that antsibull-docs sphinx-init sets up) and pandoc (pypandoc-binary ships it; it turns the
# Markdown guides into the docsite's RST, tools/docsite_guides.py), in a venv of their own, .build/release. Never in .venv: these tools pin other versions of ansible-core, jsonschema and friends, and extra
# packages in .venv would change what the tests run on (Django's database driver, python-ecsclient's pins).
# Idempotent; prints the venv's bin directory.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
release_venv=${RELEASE_VENV:-$repo/.build/release}
python=${PYTHON:-python3}
# Bump the stamp when the list changes, so an old venv is brought up to date.
stamp="$release_venv/.installed-v2"
if [ ! -f "$stamp" ]; then
  test -x "$release_venv/bin/python" || "$python" -m venv "$release_venv"
  "$release_venv/bin/python" -m pip install --quiet --upgrade pip >&2
  "$release_venv/bin/python" -m pip install --quiet \
    'ansible-core>=2.19,<2.20' \
    'ansible-lint>=25' \
    'galaxy-importer>=0.4.29' \
    'antsibull-docs>=2.16' \
    'antsibull-changelog>=0.29' \
    'sphinx>=8' \
    'sphinx-ansible-theme>=0.10' \
    'ansible-pygments' \
    'pypandoc-binary==1.17' >&2
  touch "$stamp"
fi
echo "$release_venv/bin"
