#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from their published Go modules and
# caches them outside git. Reuses the cached binaries when they exist.
# No prebuilt binary is downloaded: only Go modules from the module proxy.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v go >/dev/null || die "Go is required to build the control plane (apt-get install golang, or install Go 1.24+)."

export CGO_ENABLED=0 GOFLAGS=-mod=mod

build_kube() {
  if [[ -x "$KUBE_BIN_DIR/kube-apiserver" && -x "$KUBE_BIN_DIR/kubectl" ]]; then
    log "kube-apiserver and kubectl $KUBE_VERSION: cached in $KUBE_BIN_DIR"
    return
  fi
  log "building kube-apiserver and kubectl $KUBE_VERSION (first run only: several minutes on 2 cores)..."
  local minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
  local pkg=k8s.io/component-base/version
  local ldflags="-s -w -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  mkdir -p "$KUBE_BIN_DIR.tmp"
  (cd "$HACK_DIR/build/kube" && go build -trimpath -ldflags "$ldflags" -o "$KUBE_BIN_DIR.tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl)
  rm -rf "$KUBE_BIN_DIR" && mv "$KUBE_BIN_DIR.tmp" "$KUBE_BIN_DIR"
  log "built $("$KUBE_BIN_DIR/kube-apiserver" --version)"
}

build_etcd() {
  if [[ -x "$ETCD_BIN_DIR/etcd" ]]; then
    log "etcd $ETCD_VERSION: cached in $ETCD_BIN_DIR"
    return
  fi
  log "building etcd $ETCD_VERSION (first run only)..."
  mkdir -p "$ETCD_BIN_DIR.tmp"
  (cd "$HACK_DIR/build/etcd" && go build -trimpath -ldflags "-s -w" -o "$ETCD_BIN_DIR.tmp/etcd" go.etcd.io/etcd/server/v3)
  rm -rf "$ETCD_BIN_DIR" && mv "$ETCD_BIN_DIR.tmp" "$ETCD_BIN_DIR"
  log "built $("$ETCD_BIN_DIR/etcd" --version | head -1)"
}

build_etcd
build_kube
