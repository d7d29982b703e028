#!/usr/bin/env bash
# Make sure ansible-rulebook can run for the Event-Driven Ansible tests (tests/integration/eda, docs/eda.md):
# Java 17 or later (Debian's openjdk-17-jre-headless, installed when missing) and the ansible-rulebook package in
# .venv (not in requirements-dev.txt: it needs jsonschema 4, python-ecsclient pins jsonschema < 3, and resolved
# together pip falls back to an old ansible-rulebook). Idempotent; prints JAVA_HOME.
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
if [ ! -x "$venv/bin/ansible-rulebook" ]; then
  "$venv/bin/python" -m pip install --quiet ansible-rulebook >&2
fi
echo "$java_home"
