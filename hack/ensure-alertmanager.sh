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
sudo=""
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || die "installing prometheus-alertmanager needs root (or sudo)"
  sudo="sudo"
fi

policy=/usr/sbin/policy-rc.d
added_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# added by rr-gateway hack/ensure-alertmanager.sh for the install\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  added_policy=1
fi
cleanup() { if [[ $added_policy == 1 ]]; then $sudo rm -f "$policy"; fi; }
trap cleanup EXIT

log "installing prometheus-alertmanager (apt-get)..."
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus-alertmanager >&2
command -v prometheus-alertmanager >/dev/null || die "prometheus-alertmanager still missing after apt-get install"
command -v prometheus-alertmanager
