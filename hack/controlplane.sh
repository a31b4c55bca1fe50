#!/usr/bin/env bash
# Starts and stops a real local control plane (etcd + kube-apiserver) on loopback.
#
#   hack/controlplane.sh up      build if needed, start, wait for /readyz, install CRDs and RBAC
#   hack/controlplane.sh down    stop what "up" started and remove its state
#   hack/controlplane.sh status  print whether it is running
#   hack/controlplane.sh env     print the KUBECONFIG export for the admin identity
#   hack/controlplane.sh stop-apiserver|start-apiserver|stop-etcd|start-etcd
#                                fault injection: stop or restart one component
#
# Several control planes can run side by side: give each its own RRGW_RUN_DIR
# and ports (KUBE_SECURE_PORT, ETCD_CLIENT_PORT, ETCD_PEER_PORT).
# KUBE_APISERVER_EMULATED_VERSION (e.g. 1.31) makes kube-apiserver behave as
# that older release (--emulated-version: its APIs and feature-gate defaults;
# at most three minor releases back): how the tests check the documented
# minimum Kubernetes version.
#
# Identities (static tokens), each with a kubeconfig in $RRGW_RUN_DIR:
#   admin        system:masters
#   gateway      rr-gateway ClusterRole (create RRs, write status, TokenReview)
#   orchestrator rr-orchestrator ClusterRole (read RRs, write status, Leases)
#   alertmanager may send signals (create on remediationrequests/signals)
#   nobody       no permissions
#
# Without a controller manager, scheduler or kubelet: namespace deletion never
# finishes, there is no garbage collection and no default service account, and
# no pod runs. Tests therefore use a fresh namespace each and never delete and
# reuse one.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

IDENTITIES=(admin gateway orchestrator alertmanager nobody)

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

make_certs() {
  local pki="$RRGW_RUN_DIR/pki"
  [[ -f "$pki/apiserver.crt" ]] && return
  command -v openssl >/dev/null || die "openssl is required (apt-get install openssl)"
  mkdir -p "$pki"
  log "generating certificates and service-account key in $pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=rr-gateway-local-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n' >"$pki/san.ext"
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -extfile "$pki/san.ext" -out "$pki/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
}

make_tokens() {
  local file="$RRGW_RUN_DIR/tokens.csv"
  [[ -f "$file" ]] && return
  : >"$file"
  local id token
  for id in "${IDENTITIES[@]}"; do
    token="$(openssl rand -hex 24)"
    case "$id" in
      admin) echo "$token,admin,uid-admin,\"system:masters\"" >>"$file" ;;
      *) echo "$token,$id,uid-$id,\"rr-gateway:$id\"" >>"$file" ;;
    esac
    write_kubeconfig "$id" "$token"
  done
}

write_kubeconfig() {
  local id="$1" token="$2" file="$RRGW_RUN_DIR/kubeconfig-$1"
  cat >"$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$KUBE_SECURE_PORT
    certificate-authority: $RRGW_RUN_DIR/pki/ca.crt
users:
- name: $id
  user:
    token: $token
contexts:
- name: $id@local
  context: { cluster: local, user: $id, namespace: default }
current-context: $id@local
KUBECONFIG
  chmod 600 "$file"
}

start_etcd() {
  pid_alive "$RRGW_RUN_DIR/etcd.pid" && return
  mkdir -p "$RRGW_RUN_DIR/etcd-data"
  log "starting etcd on 127.0.0.1:$ETCD_CLIENT_PORT (log: $RRGW_RUN_DIR/etcd.log)"
  setsid "$ETCD_BIN_DIR/etcd" \
    --name local --data-dir "$RRGW_RUN_DIR/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --quota-backend-bytes 4294967296 \
    >"$RRGW_RUN_DIR/etcd.log" 2>&1 </dev/null &
  echo $! >"$RRGW_RUN_DIR/etcd.pid"
}

start_apiserver() {
  pid_alive "$RRGW_RUN_DIR/kube-apiserver.pid" && return
  local pki="$RRGW_RUN_DIR/pki"
  log "starting kube-apiserver on https://127.0.0.1:$KUBE_SECURE_PORT (log: $RRGW_RUN_DIR/kube-apiserver.log)"
  setsid "$KUBE_BIN_DIR/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$KUBE_SECURE_PORT" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --authorization-mode RBAC --token-auth-file "$RRGW_RUN_DIR/tokens.csv" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$pki/sa.key" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 --allow-privileged \
    --disable-admission-plugins ServiceAccount \
    --max-requests-inflight 1000 --max-mutating-requests-inflight 500 \
    ${KUBE_APISERVER_EMULATED_VERSION:+--emulated-version "$KUBE_APISERVER_EMULATED_VERSION"} \
    >"$RRGW_RUN_DIR/kube-apiserver.log" 2>&1 </dev/null &
  echo $! >"$RRGW_RUN_DIR/kube-apiserver.pid"
}

wait_ready() {
  local deadline=$((SECONDS + 90))
  until kube_ready; do
    pid_alive "$RRGW_RUN_DIR/kube-apiserver.pid" || die "kube-apiserver exited; see $RRGW_RUN_DIR/kube-apiserver.log"
    ((SECONDS < deadline)) || die "kube-apiserver not ready after 90s; see $RRGW_RUN_DIR/kube-apiserver.log"
    sleep 0.5
  done
}

kubectl_admin() { "$KUBE_BIN_DIR/kubectl" --kubeconfig "$(admin_kubeconfig)" "$@"; }

install_manifests() {
  log "installing the RemediationRequest CRD and RBAC"
  kubectl_admin apply --server-side --force-conflicts -f "$REPO_DIR/crds/" >/dev/null
  wait_established "$KUBE_BIN_DIR/kubectl" "$(admin_kubeconfig)" remediationrequests.kubernaut.ai
  kubectl_admin apply --server-side --force-conflicts -f "$REPO_DIR/deploy/rbac.yaml" -f "$HACK_DIR/local-identities.yaml" >/dev/null
}

up() {
  "$HACK_DIR/build-controlplane.sh"
  mkdir -p "$RRGW_RUN_DIR"
  if kube_ready && pid_alive "$RRGW_RUN_DIR/kube-apiserver.pid"; then
    log "control plane already running"
  else
    if kube_ready; then
      die "port $KUBE_SECURE_PORT already serves another API server (not the one in $RRGW_RUN_DIR): stop it, or pick other ports with KUBE_SECURE_PORT, ETCD_CLIENT_PORT and ETCD_PEER_PORT"
    fi
    make_certs
    make_tokens
    start_etcd
    start_apiserver
    wait_ready
    log "kube-apiserver ready"
  fi
  install_manifests
  log "ready: export KUBECONFIG=$(admin_kubeconfig)"
}

stop_pid() {
  local f="$RRGW_RUN_DIR/$1.pid"
  if pid_alive "$f"; then
    kill "$(cat "$f")" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$(cat "$f")" 2>/dev/null || true
  fi
  rm -f "$f"
}

down() {
  stop_pid kube-apiserver
  stop_pid etcd
  rm -rf "$RRGW_RUN_DIR"
  log "control plane stopped and its state removed"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  # Fault injection for tests: stop or start one component, keeping all state.
  stop-apiserver) stop_pid kube-apiserver ;;
  start-apiserver) start_apiserver && wait_ready ;;
  stop-etcd) stop_pid etcd ;;
  start-etcd) start_etcd ;;
  status) if kube_ready; then echo "running: https://127.0.0.1:$KUBE_SECURE_PORT"; else echo "not running"; exit 1; fi ;;
  env) echo "export KUBECONFIG=$(admin_kubeconfig)" ;;
  *) echo "usage: $0 up|down|status|env|stop-apiserver|start-apiserver|stop-etcd|start-etcd" >&2; exit 2 ;;
esac
