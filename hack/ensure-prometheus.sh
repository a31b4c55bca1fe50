#!/usr/bin/env bash
# Makes sure a real Prometheus is installed: the Debian package prometheus
# (apt-get; never a downloaded binary), which ships both `prometheus` and
# `promtool`. Prints the path of the binary asked for:
#
#   hack/ensure-prometheus.sh [prometheus|promtool]     (default: prometheus)
#
# Used by the monitoring tests (test/e2e/monitoring-*.test.ts): promtool
# checks and unit-tests deploy/monitoring/prometheusrule.yaml, and a real
# Prometheus scrapes a gateway and an orchestrator.
#
# The package's own service is not started: the tests run Prometheus
# themselves, on loopback only, with their own data directory. If the system
# has no /usr/sbin/policy-rc.d (containers usually do), one that refuses
# service starts is put in place for the install and removed afterwards.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

what="${1:-prometheus}"
case "$what" in
  prometheus) override="${PROMETHEUS_BIN:-}" ;;
  promtool) override="${PROMTOOL_BIN:-}" ;;
  *) die "usage: $0 [prometheus|promtool]" ;;
esac
if [[ -n "$override" ]]; then
  [[ -x "$override" ]] || die "$override (from the environment) is not an executable"
  echo "$override"
  exit 0
fi
if command -v "$what" >/dev/null; then
  command -v "$what"
  exit 0
fi

command -v apt-get >/dev/null || die "$what is not installed and there is no apt-get: install Prometheus (it ships promtool) and set PROMETHEUS_BIN and PROMTOOL_BIN"
apt_install_without_service prometheus
command -v "$what" >/dev/null || die "$what still missing after apt-get install prometheus"
command -v "$what"
