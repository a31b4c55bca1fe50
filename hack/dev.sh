#!/usr/bin/env bash
# npm run dev: the whole system on this machine, against a real API server.
#
#   hack/dev.sh           control plane + CRD, then the Pepr module (gateway + mock orchestrator)
#   hack/dev.sh --demo    the same, plus a real Alertmanager that fires a few alerts (npm run demo)
#
# What it does:
#   1. installs npm dependencies if needed; starts (or reuses) the local
#      control plane (hack/controlplane.sh up: etcd + kube-apiserver, CRD, RBAC);
#   2. runs the module the way `pepr dev` does, as one process with
#      PEPR_MODE=dev (Pepr's runtime + both capabilities), straight from the
#      TypeScript sources (tsx), as a service account bound to the module's
#      RBAC, with Pepr's admission server on PEPR_PORT and a validating
#      webhook for the dev namespace pointing at it (docs/deploy.md says why
#      not `pepr dev` itself);
#   3. prints where the gateway listens, a curl that sends an alert, a
#      kubectl create of a Warning event (the built-in event source turns it
#      into an RR), the kubectl line that shows the result, and how to stop;
#      then follows the logs.
# Ctrl-C, SIGTERM or SIGHUP stops everything it started (and the control
# plane too, if this run started it, unless RRGW_KEEP_CONTROLPLANE=1), also
# when its output goes through a pipe whose reader is gone (`npm run dev |
# tee log`, Ctrl-C): the module gets SIGTERM and its shutdown budget
# (TERMINATION_GRACE_PERIOD_SECONDS, 20 s here), then SIGKILL.
#
# Settings (environment): GATEWAY_PORT (8080), PEPR_PORT (3000),
# RRGW_DEV_NAMESPACE (kubernaut-system), ALERTMANAGER_PORT (9093), any
# GATEWAY_* or ORCHESTRATOR_* variable (README's configuration reference).
# The gateway filters by kubernaut's scope label, as deployed
# (GATEWAY_SCOPE=managed-label): the namespace the example alerts target
# ("shop") is created and labelled kubernaut.ai/managed=true.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

demo=0
for arg in "$@"; do
  case "$arg" in
    --demo) demo=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $arg (use --demo or --help)" ;;
  esac
done

GATEWAY_PORT="${GATEWAY_PORT:-8080}"
PEPR_PORT="${PEPR_PORT:-3000}"
ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-9093}"
DEV_NAMESPACE="${RRGW_DEV_NAMESPACE:-kubernaut-system}"
# Where the printed curl's and the demo's alerts point (their targets' namespace, not the RRs').
TARGET_NAMESPACE="shop"
DEV_DIR="${RRGW_DEV_DIR:-$REPO_DIR/.local/dev}"
MODULE_LOG="$DEV_DIR/module.log"
WEBHOOK_NAME="rr-gateway-dev"
KUBECTL="$KUBE_BIN_DIR/kubectl"
started=$SECONDS

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
kubectl_admin() { "$KUBECTL" --kubeconfig "$(admin_kubeconfig)" "$@"; }

for p in "$GATEWAY_PORT" "$PEPR_PORT" $( ((demo)) && echo "$ALERTMANAGER_PORT"); do
  port_free "$p" || die "port $p on 127.0.0.1 is in use (another npm run dev?): free it or choose another with GATEWAY_PORT / PEPR_PORT / ALERTMANAGER_PORT"
done

ensure_node_modules
controlplane_was_running=0
kube_ready && controlplane_was_running=1
"$HACK_DIR/controlplane.sh" up

# The module's shutdown budget (src/module/shutdown-budget.ts); cleanup waits that long before SIGKILL.
TERMINATION_GRACE_PERIOD_SECONDS="${TERMINATION_GRACE_PERIOD_SECONDS:-20}"
module_pid="" tail_pid="" am_pid=""
stop_requested=0
cleanup() {
  local code=$?
  ((stop_requested)) && code=0
  # Clean up whatever stopped us: further stop signals wait until this is done, and neither a write to
  # a pipe whose reader is gone (SIGPIPE, a failed write) nor errexit may cut it short.
  trap '' INT TERM HUP PIPE
  trap - EXIT
  set +e
  # Our output and our children's to stderr; if that is gone too, to a file.
  exec 1>&2
  { echo; } 2>/dev/null || { mkdir -p "$DEV_DIR" && exec >>"$DEV_DIR/stop.log" 2>&1; }
  log "stopping..."
  for pid in "$am_pid" "$module_pid"; do [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null; done
  for pid in "$am_pid" "$module_pid"; do
    [[ -n $pid ]] || continue
    for _ in $(seq $((TERMINATION_GRACE_PERIOD_SECONDS * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  [[ -n $tail_pid ]] && kill "$tail_pid" 2>/dev/null || true
  kubectl_admin delete validatingwebhookconfiguration "$WEBHOOK_NAME" --ignore-not-found >/dev/null 2>&1 || true
  if ((!controlplane_was_running)) && [[ -z ${RRGW_KEEP_CONTROLPLANE:-} ]]; then
    "$HACK_DIR/controlplane.sh" down
  else
    log "the local control plane keeps running (npm run controlplane:down stops it)"
  fi
  exit "$code"
}
trap cleanup EXIT
# Ctrl-C, TERM or HUP (the terminal closed) is the normal way to stop: exit 0.
trap 'stop_requested=1; exit 0' INT TERM HUP

mkdir -p "$DEV_DIR"

# --- the module's identity: a service account with the module's RBAC ---------
kubectl_admin apply --server-side --force-conflicts -f "$HACK_DIR/peprstore-crd.yaml" -f "$HACK_DIR/dev-module.yaml" >/dev/null
wait_established "$KUBECTL" "$(admin_kubeconfig)" peprstores.pepr.dev
for ns in "$DEV_NAMESPACE" "$TARGET_NAMESPACE"; do
  kubectl_admin get namespace "$ns" >/dev/null 2>&1 || kubectl_admin create namespace "$ns" >/dev/null
done
# In scope for kubernaut's rule (GATEWAY_SCOPE=managed-label): signals about it create RRs.
kubectl_admin label namespace "$TARGET_NAMESPACE" kubernaut.ai/managed=true --overwrite >/dev/null
token="$(kubectl_admin create token rr-dev-module -n pepr-system --duration=24h)"
umask 077
cat >"$DEV_DIR/kubeconfig-module" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: { server: "https://127.0.0.1:$KUBE_SECURE_PORT", certificate-authority: "$RRGW_RUN_DIR/pki/ca.crt" }
users:
- name: rr-dev-module
  user: { token: "$token" }
contexts:
- name: module@local
  context: { cluster: local, user: rr-dev-module, namespace: $DEV_NAMESPACE }
current-context: module@local
KUBECONFIG
# Senders authenticate with a bearer token the gateway checks by TokenReview: the local "alertmanager" identity's.
awk '/token:/{print $2}' "$RRGW_RUN_DIR/kubeconfig-alertmanager" >"$DEV_DIR/sender-token"
umask 022

# --- TLS for Pepr's admission server and the webhook that calls it -------------
pki="$DEV_DIR/pki"
if [[ ! -f $pki/tls.crt ]]; then
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=rr-gateway-dev-ca" -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$pki/tls.key" -out "$pki/tls.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$pki/san.ext"
  openssl x509 -req -in "$pki/tls.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 3650 -extfile "$pki/san.ext" -out "$pki/tls.crt" 2>/dev/null
fi
api_path="$(openssl rand -hex 32)"

if ((demo)); then
  # Slower phases, and one scripted failure, so the demo shows a whole lifecycle of each kind.
  : "${ORCHESTRATOR_PHASE_DURATION:=5s}"
  cat >"$DEV_DIR/demo-outcomes.yaml" <<'RULES'
rules:
  - name: inventory-rollback-fails
    match:
      signalName: KubeMemoryHigh
      labels: { matchLabels: { deployment: inventory } }
    outcome: { result: fail, phase: Executing, reason: "demo: the rollback step failed" }
RULES
  : "${ORCHESTRATOR_CONFIG_FILE:=$DEV_DIR/demo-outcomes.yaml}"
  export ORCHESTRATOR_CONFIG_FILE
  # A clean slate (RRs of earlier runs would muddle the story); namespaces cannot be deleted locally.
  kubectl_admin delete rr --all -n "$DEV_NAMESPACE" --wait=false >/dev/null 2>&1 || true
fi

# --- the module --------------------------------------------------------------
log "starting the Pepr module (gateway on 127.0.0.1:$GATEWAY_PORT, Pepr admission on :$PEPR_PORT; log: $MODULE_LOG)"
: >"$MODULE_LOG"
(
  cd "$REPO_DIR"
  export PEPR_MODE=dev PEPR_API_PATH="$api_path" PEPR_PORT PEPR_PRETTY_LOGS=false PINO_TIME_STAMP=iso \
    SSL_KEY_PATH="$pki/tls.key" SSL_CERT_PATH="$pki/tls.crt" \
    KUBECONFIG="$DEV_DIR/kubeconfig-module" \
    GATEWAY_HOST=127.0.0.1 GATEWAY_PORT GATEWAY_NAMESPACE="$DEV_NAMESPACE" GATEWAY_AUTH="${GATEWAY_AUTH:-kubernetes}" \
    GATEWAY_SCOPE="${GATEWAY_SCOPE:-managed-label}" \
    ORCHESTRATOR_NAMESPACE="$DEV_NAMESPACE" ORCHESTRATOR_PHASE_DURATION="${ORCHESTRATOR_PHASE_DURATION:-3s}" \
    TERMINATION_GRACE_PERIOD_SECONDS PRESTOP_SLEEP_SECONDS=0 \
    LOG_LEVEL="${LOG_LEVEL:-info}"
  exec node --import tsx pepr.ts
) >>"$MODULE_LOG" 2>&1 &
module_pid=$!

deadline=$((SECONDS + 90))
until curl -sf --max-time 1 "http://127.0.0.1:$GATEWAY_PORT/readyz" >/dev/null 2>&1; do
  if ! kill -0 "$module_pid" 2>/dev/null; then
    tail -n 30 "$MODULE_LOG" >&2
    module_pid=""
    die "the module exited; its log is above (and in $MODULE_LOG)"
  fi
  ((SECONDS < deadline)) || die "the gateway was not ready after 90 s; see $MODULE_LOG"
  sleep 0.3
done

# The API server calls the module's Validate binding for RRs in the dev
# namespace only, and ignores it when the module is down (failurePolicy Ignore),
# so a leftover registration cannot block anything on the shared control plane.
kubectl_admin apply --server-side --force-conflicts -f - >/dev/null <<WEBHOOK
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: $WEBHOOK_NAME
webhooks:
  - name: $WEBHOOK_NAME.pepr.dev
    admissionReviewVersions: [v1]
    clientConfig:
      url: https://127.0.0.1:$PEPR_PORT/validate/$api_path
      caBundle: $(base64 -w0 "$pki/ca.crt")
    failurePolicy: Ignore
    sideEffects: None
    timeoutSeconds: 5
    namespaceSelector:
      matchExpressions:
        - { key: kubernetes.io/metadata.name, operator: In, values: [$DEV_NAMESPACE] }
    rules:
      - apiGroups: [kubernaut.ai]
        apiVersions: [v1alpha1]
        operations: [CREATE, UPDATE, DELETE]
        resources: [remediationrequests]
WEBHOOK

gw="http://127.0.0.1:$GATEWAY_PORT"
cat <<MSG

──────────────────────────────────────────────────────────────────────────────
 rr-gateway is running (ready in $((SECONDS - started)) s)
   gateway          $gw   (POST /api/v1/signals/prometheus, /api/v1/signals/kubernetes-event;
                    GET /healthz /readyz /metrics)
   mock orchestrator   drives RRs in namespace $DEV_NAMESPACE (${ORCHESTRATOR_PHASE_DURATION:-3s} per phase)
   API server       https://127.0.0.1:$KUBE_SECURE_PORT

 Send an alert (Alertmanager webhook payload; run it twice to see it deduplicated; its
 namespace $TARGET_NAMESPACE is labelled kubernaut.ai/managed=true: with another one it is answered 200 "rejected"):

curl -sS -X POST $gw/api/v1/signals/prometheus \\
  -H "Authorization: Bearer \$(cat $DEV_DIR/sender-token)" \\
  -H 'Content-Type: application/json' \\
  -d '{"version":"4","status":"firing","receiver":"rr-gateway","groupKey":"{}:{alertname=\"KubePodCrashLooping\"}","alerts":[{"status":"firing","labels":{"alertname":"KubePodCrashLooping","severity":"critical","namespace":"$TARGET_NAMESPACE","pod":"checkout-7d9f8-x2x4k"},"annotations":{"summary":"checkout is crash looping"},"startsAt":"2026-01-01T00:00:00Z"}]}'

 Or let the built-in event source see a Warning event (no kubelet runs here, so create one;
 paste it again for another occurrence; docs/events.md):

$KUBECTL --kubeconfig $(admin_kubeconfig) create -f - <<'EVENT'
apiVersion: v1
kind: Event
metadata: { generateName: cart-5c7b9-k2m8q., namespace: $TARGET_NAMESPACE }
involvedObject: { apiVersion: v1, kind: Pod, name: cart-5c7b9-k2m8q, namespace: $TARGET_NAMESPACE }
type: Warning
reason: BackOff
message: Back-off restarting failed container cart in pod cart-5c7b9-k2m8q
count: 1
source: { component: kubelet }
EVENT

 See the RemediationRequests (add -w to watch them move through their phases):

$KUBECTL --kubeconfig $(admin_kubeconfig) get rr -n $DEV_NAMESPACE

 Stop: Ctrl-C (stops the module$( ((demo)) && echo " and Alertmanager")$( ((controlplane_was_running)) || echo " and the control plane this run started")).
 Logs: $MODULE_LOG (followed below)
──────────────────────────────────────────────────────────────────────────────

MSG

if ((demo)); then
  # The demo narrates; its module log stays in the file.
  source "$HACK_DIR/demo.sh"
  run_demo
else
  # Readable on a terminal (pino-pretty), JSON lines into a pipe: hack/log-view.sh.
  tail -n +1 --pid="$module_pid" -f "$MODULE_LOG" | "$HACK_DIR/log-view.sh" &
  tail_pid=$!
fi
wait "$module_pid" || true
((stop_requested)) && exit 0
module_pid=""
log "the module exited; see $MODULE_LOG"
exit 1
