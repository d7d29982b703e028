#!/usr/bin/env bash
# Print the path of the first of BINARIES found on PATH; when none is, install the Debian PACKAGES with apt-get
# (through `sudo -n` when not root) and print it. Idempotent.
# Usage: tools/ensure_debian_tool.sh "BINARY [BINARY...]" PACKAGE [PACKAGE...]
set -euo pipefail

binaries=$1
shift

find_tool() {
  local name
  for name in $binaries; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

if find_tool; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_debian_tool: none of ($binaries) on PATH and no apt-get: install $* and put it on PATH" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "$@" >&2
find_tool
