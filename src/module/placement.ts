/**
 * Where the gateway runs inside the Pepr module.
 *
 * Deployed, Pepr runs the module in two Deployments: the admission pods
 * (PEPR_WATCH_MODE=false, 2+ replicas behind a Service, present because the
 * gateway capability has a Validate binding) and the watcher pod
 * (PEPR_WATCH_MODE=true, one replica, no leader election). The gateway is
 * stateless and safe to replicate (the API server is its only shared state),
 * so it serves from the admission pods. `pepr dev` (PEPR_MODE=dev) runs both
 * roles in one process, so it serves there too. `pepr build` loads the module
 * with PEPR_MODE=build to read its bindings: nothing may start then.
 * GATEWAY_ENABLED=false turns it off anywhere.
 */
export function gatewayRunsHere(env: Record<string, string | undefined>): boolean {
  if (env.PEPR_MODE === "build") return false;
  const enabled = env.GATEWAY_ENABLED?.trim().toLowerCase();
  if (enabled !== undefined && ["false", "0", "no", "off"].includes(enabled)) return false;
  return env.PEPR_MODE === "dev" || env.PEPR_WATCH_MODE !== "true";
}

/**
 * The port Pepr's own HTTPS server (admission webhooks, its /healthz and
 * /metrics) listens on: 3000 as deployed; PEPR_PORT moves it for local runs,
 * where several processes share one machine.
 */
export function peprPort(env: Record<string, string | undefined>): number {
  const raw = env.PEPR_PORT?.trim();
  if (!raw) return 3000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) throw new Error(`PEPR_PORT=${JSON.stringify(raw)}: must be a port number from 1 to 65535`);
  return port;
}
