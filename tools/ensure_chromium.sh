#!/usr/bin/env bash
# Make sure a headless Chromium is on PATH for the report tests (tests/integration/report).
# Uses Debian's `chromium` package (no browser download from elsewhere). Idempotent; prints the binary.
set -euo pipefail

find_chromium() {
  local name
  for name in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
    if [ -n "$name" ] && command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

if find_chromium; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_chromium: no chromium on PATH and no apt-get: install Chromium and set CHROMIUM=/path/to/it" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
find_chromium
