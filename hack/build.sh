#!/usr/bin/env bash
# npm run build: a complete install in dist/, from one command.
#
#   hack/build.sh              `pepr build`, then hack/fold-manifests.ts, into dist/
#   hack/build.sh --no-cache   the same, rebuilding even if the inputs have not changed
#   hack/build.sh --print-dir  build (or reuse) and print the build's directory; dist/ is not touched (tests)
#
# dist/pepr-module-<uuid>.yaml then holds everything: the CRD, namespaces,
# RBAC, the module, the gateway's Service and PodDisruptionBudget, the
# admission Deployment that serves the gateway, and the validating webhook;
# dist/<uuid>-chart is the same as a Helm chart.
#
# `pepr build` type-checks and lints the whole project and takes 20-40 s, so
# each result is kept in .local/build/<hash of the inputs>/ and reused while
# the inputs (sources, package.json, lockfile, CRDs, deploy/module, deploy/chart,
# deploy/monitoring, the fold scripts) are
# unchanged. A cached build keeps its generated TLS certificates and API path.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cache=1 print_dir=0
for arg in "$@"; do
  case "$arg" in
    --no-cache) cache=0 ;;
    --print-dir) print_dir=1 ;;
    *) die "usage: $0 [--no-cache] [--print-dir]" ;;
  esac
done

ensure_node_modules
cd "$REPO_DIR"
BUILD_CACHE_DIR="$REPO_DIR/.local/build"

inputs_hash() {
  local inputs=(pepr.ts package.json package-lock.json tsconfig.json capabilities src crds deploy/module deploy/chart hack/fold-manifests.ts hack/chart-settings.ts hack/chart-monitoring.ts hack/build.sh)
  [[ -d deploy/monitoring ]] && inputs+=(deploy/monitoring)
  find "${inputs[@]}" -type f ! -name '*.test.ts' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
}

hash="$(inputs_hash)"
dir="$BUILD_CACHE_DIR/$hash"
if [[ $cache == 1 && -f "$dir/.complete" ]]; then
  log "reusing the build of these inputs: $dir"
else
  mkdir -p "$BUILD_CACHE_DIR"
  tmp="$(mktemp -d "$BUILD_CACHE_DIR/.tmp-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  log "pepr build (type check, lint, bundle, manifests; 20-40 s)..."
  if ! npx --no-install pepr build -o "$tmp" >"$tmp.log" 2>&1; then
    cat "$tmp.log" >&2
    rm -f "$tmp.log"
    die "pepr build failed"
  fi
  mv "$tmp.log" "$tmp/pepr-build.log"
  # What `npx pepr deploy` would apply, kept for the test of hack/deploy-extras.sh.
  uuid="$(node -p 'require("./package.json").pepr.uuid')"
  cp "$tmp/pepr-module-$uuid.yaml" "$tmp/.pepr-module-unfolded.yaml"
  node --import tsx hack/fold-manifests.ts "$tmp" >&2
  touch "$tmp/.complete"
  rm -rf "$dir"
  # Another build of the same inputs may have finished meanwhile: either result will do.
  mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
  trap - EXIT
  # Keep the three newest builds.
  ls -1dt "$BUILD_CACHE_DIR"/*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
fi

if [[ $print_dir == 1 ]]; then
  echo "$dir"
  exit 0
fi

uuid="$(node -p 'require("./package.json").pepr.uuid')"
rm -rf dist
mkdir -p dist
cp -r "$dir/." dist/
rm -f dist/.complete dist/.pepr-module-unfolded.yaml
log "complete install: dist/pepr-module-$uuid.yaml (kubectl apply --server-side -f), Helm chart: dist/$uuid-chart"
