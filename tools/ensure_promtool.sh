#!/usr/bin/env bash
# Make sure promtool is on PATH for the metrics tests (tests/integration/report/test_report_metrics.py) and print it.
# Uses Debian's `prometheus` package (about 19 MB download, 96 MB installed; no binary from elsewhere); PROMTOOL may
# name another binary. Only promtool is used: on a host running systemd the package also enables a Prometheus server
# (port 9090), which containers (CI) do not start.
set -euo pipefail
exec "$(dirname "$0")/ensure_debian_tool.sh" "${PROMTOOL:-} promtool" prometheus
