#!/usr/bin/env bash
# Makes sure a helm CLI is available and prints its path. Used by the chart
# tests (helm lint, helm template) and by anyone who wants to try the chart
# locally.
#
# Order: $HELM_BIN if set, else the cached build in ~/.cache/rr-gateway, else
# it is built once from the published Go module helm.sh/helm/v3 (cmd/helm)
# through the Go module proxy, like the control plane (hack/build-controlplane.sh).
# No prebuilt binary is downloaded. A helm on PATH is not used, so every
# machine renders the chart with the same, pinned version.
#
# The first build takes a few minutes on 2 cores; progress goes to stderr.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [[ -n "${HELM_BIN:-}" ]]; then
  [[ -x "$HELM_BIN" ]] || die "HELM_BIN=$HELM_BIN is not an executable file"
  echo "$HELM_BIN"
  exit 0
fi

bin="$HELM_BIN_DIR/helm"
if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || die "Go is required to build helm (apt-get install golang, or install Go 1.24+), or set HELM_BIN to an existing helm 3"

# Two test workers may want helm at once: one builds, the other waits.
mkdir -p "$RRGW_CACHE_DIR"
exec 9>"$RRGW_CACHE_DIR/.helm-build.lock"
if ! flock -n 9; then
  log "another process is building helm $HELM_VERSION; waiting for it..."
  flock 9
fi
if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

export CGO_ENABLED=0 GOFLAGS=-mod=mod
log "building helm $HELM_VERSION from helm.sh/helm/v3 (first run only: a few minutes on 2 cores)..."
log "downloading its Go modules (about 100; none when the module cache has them)..."
(cd "$HACK_DIR/build/helm" && go mod download -x 2>&1 | grep --line-buffered -o 'https://[^ ]*\.zip$' | sed -u 's|^https://[^/]*/\(.*\)/@v/\(.*\)\.zip$|  downloaded \1 \2|' >&2 || true)
log "compiling helm (go build -v prints each package as it is compiled)..."
mkdir -p "$HELM_BIN_DIR.tmp"
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
(cd "$HACK_DIR/build/helm" && go build -v -trimpath -ldflags "$ldflags" -o "$HELM_BIN_DIR.tmp/helm" helm.sh/helm/v3/cmd/helm 2>&1 \
  | awk '{ n++; if (n % 25 == 0) { printf "  %d packages compiled (last: %s)\n", n, $0; fflush() } }' >&2)
[[ -x "$HELM_BIN_DIR.tmp/helm" ]] || die "go build of helm $HELM_VERSION produced no binary"
rm -rf "$HELM_BIN_DIR" && mv "$HELM_BIN_DIR.tmp" "$HELM_BIN_DIR"
log "built $("$bin" version --short)"
echo "$bin"
