#!/usr/bin/env bash
# Make sure a headless Chromium is on PATH for the report tests (tests/integration/report) and print it.
# Uses Debian's `chromium` package (no browser download from elsewhere); CHROMIUM may name another binary.
set -euo pipefail
exec "$(dirname "$0")/ensure_debian_tool.sh" "${CHROMIUM:-} chromium chromium-browser google-chrome" chromium \
  fonts-dejavu-core
