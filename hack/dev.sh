#!/usr/bin/env bash
# The main job, locally: a real control plane with the CRD installed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_node_modules
"$HACK_DIR/controlplane.sh" up
cat <<MSG

Local control plane ready at https://127.0.0.1:$KUBE_SECURE_PORT
  export KUBECONFIG=$(admin_kubeconfig)
  export PATH=$KUBE_BIN_DIR:\$PATH
  kubectl get remediationrequests -A
Stop it with: npm run controlplane:down
MSG
