# hpc.coldfront_ecs: one entry point for the venv, the tests, the demo and the benchmarks.
# `make demo` runs the main job on the embedded default; `make test` runs every test.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
COLLECTION_LINK := .build/collections/ansible_collections/hpc/coldfront_ecs
PYTEST := $(BIN)/pytest
# Two workers (the machines have 2 cores); a test file stays on one worker (its fixtures are shared).
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: venv link test sanity release-gates units integration faults postgres-tests demo bench docs clean help

help:
	@echo "make demo   - run setup, provision and sync on a local ColdFront (SQLite) and the ECS simulator"
	@echo "make test   - everything: ansible-test sanity, unit, integration and faults (SQLite), ColdFront tests on PostgreSQL"
	@echo "make venv   - create .venv with every dependency (idempotent)"
	@echo "make bench  - the speed benchmarks (tests/bench)"
	@echo "make release-gates - galaxy-importer, ansible-lint, antsibull-docs/-changelog and the installed tarball (part of test)"
	@echo "make docs   - regenerate the docsite pages (from docs/*.md) and the role READMEs (from argument specs)"

venv: $(VENV)/.installed link

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Playbooks, pytest and the inventory find the collection through ansible.cfg's collections_path.
link:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn $(CURDIR) $(COLLECTION_LINK)

test: venv sanity release-gates units integration faults postgres-tests

sanity: venv
	tools/ansible_test.sh sanity --venv --python 3.11 --color no

# What a Galaxy / Automation Hub reviewer runs, on the built tarball (tools/release_gates.sh lists each gate and its
# time, about 5 minutes in all): role READMEs, antsibull-changelog lint, antsibull-docs lint, ansible-lint
# (production profile, .ansible-lint), galaxy-importer (Galaxy and Automation Hub settings), and the tarball installed
# into a fresh venv running the demo. The tools live in .build/release (tools/ensure_release_tools.sh), not .venv.
release-gates: venv
	tools/release_gates.sh

# The generated docs: the docsite pages from the guides in docs/ and the role READMEs from their argument specs.
docs: venv
	tools/ensure_release_tools.sh >/dev/null
	.build/release/bin/python tools/docsite_guides.py
	$(BIN)/python tools/role_readmes.py

units: venv
	$(PYTEST) tests/unit $(PYTEST_ARGS)

# The report tests render in headless Chromium and check the metrics with promtool (Debian's chromium and prometheus
# packages, installed when missing).
integration: venv
	tools/ensure_chromium.sh >/dev/null
	tools/ensure_promtool.sh >/dev/null
	tools/ensure_rulebook.sh >/dev/null
	$(PYTEST) tests/integration $(PYTEST_ARGS)

# Fault injection, bad input and secrets (tests/faults).
faults: venv
	$(PYTEST) tests/faults $(PYTEST_ARGS)

# The ColdFront-backed tests whose outcome can depend on the database run again on PostgreSQL (tools/postgres.sh
# installs and starts it): the ColdFront access layer and modules (reads, transactional writes, history, schema,
# query counts, least privilege), the inventory, ownership claims and their locks, every playbook end to end with its
# faults, the benchmark's row counts, and secrets in a database URL. Input validation, rendering, AWX, EDA and role logic run on SQLite only.
POSTGRES_TESTS := tests/unit/plugins tests/integration/coldfront tests/integration/inventory \
	tests/integration/roles/test_ownership.py tests/integration/roles/test_provision.py \
	tests/integration/roles/test_adopt.py tests/integration/roles/test_sync.py tests/integration/roles/test_setup.py \
	tests/integration/roles/test_setup_access.py tests/integration/report/test_report_coldfront.py \
	tests/faults/test_sync_faults.py tests/faults/test_provision_faults.py tests/faults/test_concurrency.py \
	tests/faults/test_secrets.py tests/faults/test_secret_masking_db_url.py tests/faults/test_logout_and_latin1.py \
	tests/integration/bench

postgres-tests: venv
	tools/postgres.sh start
	COLDFRONT_TEST_DB=postgresql $(PYTEST) -m coldfront $(POSTGRES_TESTS) $(PYTEST_ARGS); \
	  status=$$?; tools/postgres.sh stop; exit $$status

demo: venv
	$(BIN)/python tools/demo.py

bench: venv
	$(BIN)/python tests/bench/run.py $(BENCH_ARGS)

clean:
	rm -rf .build tests/output .pytest_cache
