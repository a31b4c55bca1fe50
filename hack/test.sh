#!/usr/bin/env bash
# Runs jest (all tiers by default; pass --selectProjects unit|integration|e2e).
# Installs what it lacks first: npm dependencies here, the control plane in
# jest's global setup (hack/controlplane.sh up).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_node_modules
cd "$REPO_DIR"
# ts-jest runs our TypeScript as ES modules (client-node is ESM-only).
exec node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js "$@"
