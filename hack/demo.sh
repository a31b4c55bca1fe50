#!/usr/bin/env bash
# npm run demo: `npm run dev` plus a real Prometheus Alertmanager that fires a
# few alerts, narrated, so you see RemediationRequests created, deduplicated
# and walked through their lifecycle.
#
# Run directly it starts hack/dev.sh --demo; hack/dev.sh sources it for run_demo.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  exec bash "$(dirname "$0")/dev.sh" --demo "$@"
fi

# Runs inside hack/dev.sh once the module is ready (uses its variables).
run_demo() {
  local am_bin am_dir="$DEV_DIR/alertmanager" am="http://127.0.0.1:$ALERTMANAGER_PORT"
  am_bin="$("$HACK_DIR/ensure-alertmanager.sh")"
  mkdir -p "$am_dir/data"
  # README's receiver block, in plain HTTP as npm run dev serves (no tls_config); groups flush 2 s after their first alert, repeats every 6 s.
  "$HACK_DIR/alertmanager-config.sh" "http://127.0.0.1:$GATEWAY_PORT/api/v1/signals/prometheus" "$DEV_DIR/sender-token" "" 2s 3s 6s >"$am_dir/alertmanager.yml"
  log "starting Alertmanager on $am (config: $am_dir/alertmanager.yml, log: $am_dir/alertmanager.log)"
  "$am_bin" --config.file="$am_dir/alertmanager.yml" --storage.path="$am_dir/data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address= --log.level=info \
    >"$am_dir/alertmanager.log" 2>&1 &
  am_pid=$!
  local deadline=$((SECONDS + 30))
  until curl -sf --max-time 1 "$am/-/ready" >/dev/null 2>&1; do
    kill -0 "$am_pid" 2>/dev/null || { cat "$am_dir/alertmanager.log" >&2; am_pid=""; die "Alertmanager exited"; }
    ((SECONDS < deadline)) || die "Alertmanager not ready after 30 s; see $am_dir/alertmanager.log"
    sleep 0.3
  done

  local rr=("$KUBECTL" --kubeconfig "$(admin_kubeconfig)" get rr -n "$DEV_NAMESPACE")
  say() { printf '\n\033[1m▶ %s\033[0m\n' "$*"; }
  show() { sleep "$1"; printf '\n$ kubectl get rr -n %s   (%s)\n' "$DEV_NAMESPACE" "$(date +%T)"; "${rr[@]}" 2>&1 | sed 's/^/  /'; }
  fire() { # fire ALERTNAME LABEL=VALUE... ; sends one alert to Alertmanager's API
    local name="$1" labels="" kv
    shift
    for kv in "$@"; do labels+=",\"${kv%%=*}\":\"${kv#*=}\""; done
    curl -sf -X POST "$am/api/v2/alerts" -H 'Content-Type: application/json' \
      -d "[{\"labels\":{\"alertname\":\"$name\",\"severity\":\"critical\"$labels},\"annotations\":{\"summary\":\"$name (demo)\"},\"generatorURL\":\"http://prometheus.local/graph\"}]" >/dev/null
  }
  resolve() { # resolve ALERTNAME LABEL=VALUE... ; the same alert with endsAt now
    local name="$1" labels="" kv now
    shift
    for kv in "$@"; do labels+=",\"${kv%%=*}\":\"${kv#*=}\""; done
    now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    curl -sf -X POST "$am/api/v2/alerts" -H 'Content-Type: application/json' \
      -d "[{\"labels\":{\"alertname\":\"$name\",\"severity\":\"critical\"$labels},\"annotations\":{\"summary\":\"$name (demo)\"},\"endsAt\":\"$now\"}]" >/dev/null
  }

  say "Alertmanager fires three alerts: a crash-looping pod, and high memory on two Deployments"
  fire KubePodCrashLooping namespace="$TARGET_NAMESPACE" pod=checkout-7d9f8-x2x4k
  fire KubeMemoryHigh namespace="$TARGET_NAMESPACE" deployment=payments
  fire KubeMemoryHigh namespace="$TARGET_NAMESPACE" deployment=inventory
  echo "  (after group_wait, 2 s, Alertmanager posts them to the gateway: one RR per problem, 201 Created)"
  show 5
  say "Alertmanager repeats still-firing alerts (repeat_interval 6 s): each repeat is counted on the same RR (202)"
  echo "  (meanwhile the mock orchestrator walks each RR Pending → Processing → Analyzing → …, ${ORCHESTRATOR_PHASE_DURATION:-5s} a phase)"
  show 12
  say "The checkout pod recovers and its alert resolves: recorded on its RR, never turned into a new one (200)"
  resolve KubePodCrashLooping namespace="$TARGET_NAMESPACE" pod=checkout-7d9f8-x2x4k
  sleep 5
  local crash
  crash="$("${rr[@]}" -o jsonpath='{.items[?(@.spec.signalName=="KubePodCrashLooping")].metadata.name}' 2>/dev/null | awk '{print $1}')"
  if [[ -n $crash ]]; then
    printf '$ kubectl get rr -n %s %s -o jsonpath={.status.deduplication}\n  ' "$DEV_NAMESPACE" "$crash"
    "${rr[@]}" "$crash" -o jsonpath='{.status.deduplication}' 2>&1
    echo
  fi
  say "Lifecycles end: Completed (outcome Remediated), or Failed (a scripted failure for inventory)"
  show 14
  say "The memory alerts still fire: their next repeat after an RR ended opens a new RR for the same problem"
  show 8
  local fp
  fp="$("${rr[@]}" -o jsonpath='{.items[?(@.spec.signalName=="KubeMemoryHigh")].spec.signalFingerprint}' 2>/dev/null | awk '{print $1}')"
  if [[ -n $fp ]]; then
    say "All RRs of one problem, by fingerprint (field selector on spec.signalFingerprint):"
    printf '$ kubectl get rr -n %s --field-selector spec.signalFingerprint=%s\n' "$DEV_NAMESPACE" "$fp"
    "${rr[@]}" --field-selector "spec.signalFingerprint=$fp" | sed 's/^/  /'
  fi
  cat <<MSG

▶ The demo keeps running: Alertmanager at $am (its UI too), the gateway at http://127.0.0.1:$GATEWAY_PORT.
  Watch:  ${rr[*]} -w
  Who owns which field:  ${rr[*]} -o yaml --show-managed-fields
  Module log: $MODULE_LOG     Ctrl-C stops everything.
MSG
}
