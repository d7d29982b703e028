#!/usr/bin/env bash
# Make sure ansible-rulebook can run for the Event-Driven Ansible tests (tests/integration/eda, docs/eda.md):
# Java 17 or later (Debian's openjdk-17-jre-headless, installed when missing) and the ansible-rulebook package in its
# own venv, .build/rulebook (see below). Idempotent; prints JAVA_HOME.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$repo/.venv}

java_major() {
  # `java -version` prints e.g. openjdk version "17.0.15" 2025-04-15 (on stderr).
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

find_java_home() {
  local candidate java
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/*; do
    java="$candidate/bin/java"
    if [ -n "$candidate" ] && [ -x "$java" ] && [ "$(java_major "$java")" -ge 17 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  if command -v java >/dev/null 2>&1 && [ "$(java_major java)" -ge 17 ] 2>/dev/null; then
    dirname "$(dirname "$(readlink -f "$(command -v java)")")"
    return 0
  fi
  return 1
}

install_java() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_rulebook: no Java 17 and no apt-get: install a Java 17 runtime and set JAVA_HOME" >&2
    exit 1
  fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    sudo="sudo -n"
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >&2; then
    $sudo apt-get update -qq >&2
    $sudo apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >&2
  fi
}

java_home=$(find_java_home) || { install_java; java_home=$(find_java_home); }
# ansible-rulebook lives in a venv of its own (.build/rulebook): it brings psycopg 3 and jsonschema 4, which would
# switch Django's PostgreSQL driver and break python-ecsclient's pin in .venv. A .pth file lets its Python import
# ColdFront, Django and the collection's dependencies from .venv (its own packages first); the playbooks it starts
# are .venv's ansible-playbook.
rulebook_venv=${RULEBOOK_VENV:-$repo/.build/rulebook}
if [ ! -x "$rulebook_venv/bin/ansible-rulebook" ]; then
  "$venv/bin/python" -m venv "$rulebook_venv"
  "$rulebook_venv/bin/python" -m pip install --quiet ansible-rulebook >&2
fi
main_site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
own_site=$("$rulebook_venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$main_site" > "$own_site/zz-hpc-coldfront-ecs-venv.pth"
echo "$java_home"
