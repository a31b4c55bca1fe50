#!/usr/bin/env bash
# npm run deploy:extras: after `npx pepr deploy`, which applies only what Pepr
# generates, adds what the gateway needs to the cluster of the current kubectl
# context: the RemediationRequest CRD, the kubernaut-system namespace, the
# rr-gateway Service and PodDisruptionBudget, the rr-signal-sender
# ClusterRole, the gateway's TLS Secret rr-gateway-tls (a new certificate,
# only when the Secret does not exist yet: a rerun keeps the one in place,
# generated or one's own), and (strategic merge patch) the gateway's port,
# certificate, readiness probe on /readyz, replicas, graceful stop and
# resources on Pepr's admission Deployment. `npm run build` + `kubectl apply` installs the same in one step.
#
#   KUBECTL=kubectl hack/deploy-extras.sh [kubectl flags, e.g. --context x]
#
# A later `npx pepr deploy` conflicts with the patched fields: run it with
# --force, then this script again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
KUBECTL="${KUBECTL:-kubectl}"
cd "$REPO_DIR"
ensure_node_modules

node --import tsx hack/fold-manifests.ts --extras | "$KUBECTL" "$@" apply --server-side --force-conflicts --field-manager=rr-gateway-extras -f -
if ! "$KUBECTL" "$@" get secret rr-gateway-tls -n pepr-system >/dev/null 2>&1; then
  node --import tsx hack/fold-manifests.ts --extras tls-secret | "$KUBECTL" "$@" create -f -
fi
{ read -r deployment; read -r patch; } < <(node --import tsx hack/fold-manifests.ts --extras patch)
"$KUBECTL" "$@" patch deployment "$deployment" -n pepr-system --type strategic -p "$patch"
log "the gateway's extras are applied; the admission Deployment $deployment now serves it on port 8080 (HTTPS; CA: kubectl get secret rr-gateway-tls -n pepr-system -o jsonpath='{.data.ca\\.crt}' | base64 -d)"
