#!/usr/bin/env bash
# Makes sure a real Prometheus Alertmanager is installed: the Debian package
# prometheus-alertmanager (apt-get; never a downloaded binary). Prints the
# binary's path. Used by `npm run demo` and the e2e tests.
#
# The package's own service is not started: the tests and the demo run
# Alertmanager themselves, on loopback only, with their own data directory
# and clustering off. If the system has no /usr/sbin/policy-rc.d (containers
# usually do), one that refuses service starts is put in place for the
# install and removed afterwards.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ALERTMANAGER_BIN="${ALERTMANAGER_BIN:-$(command -v prometheus-alertmanager || true)}"
if [[ -n "$ALERTMANAGER_BIN" && -x "$ALERTMANAGER_BIN" ]]; then
  echo "$ALERTMANAGER_BIN"
  exit 0
fi

command -v apt-get >/dev/null || die "prometheus-alertmanager is not installed and there is no apt-get: install Prometheus Alertmanager and set ALERTMANAGER_BIN"
apt_install_without_service prometheus-alertmanager
command -v prometheus-alertmanager >/dev/null || die "prometheus-alertmanager still missing after apt-get install"
command -v prometheus-alertmanager
