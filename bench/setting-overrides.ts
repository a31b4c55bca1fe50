import { GATEWAY_ENV } from "../src/gateway/config";

/**
 * Settings the bench's gateways get whatever the environment says:
 * startGatewayProcess (test/integration/helpers/gateway-process.ts) sets the
 * address, namespace, auth, event source and API server, Gateways.start
 * (bench/gateways.ts) the log level and shutdown grace.
 */
const SET_BY_THE_BENCH = new Set([
  "GATEWAY_HOST",
  "GATEWAY_PORT",
  "GATEWAY_NAMESPACE",
  "GATEWAY_AUTH",
  "EVENT_SOURCE_ENABLED",
  "KUBECONFIG",
  "LOG_LEVEL",
  "GATEWAY_SHUTDOWN_GRACE_SECONDS",
]);

/**
 * The gateway settings in the bench's environment that its gateway processes
 * inherit (for example GATEWAY_GROUP_COMMIT_LINGER_MS=5 npm run bench): the
 * results file records them, so a run with a changed setting is never read as
 * one with the defaults.
 */
export function settingOverrides(env: NodeJS.ProcessEnv): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const name of Object.keys(GATEWAY_ENV).sort()) {
    const value = env[name];
    if (value !== undefined && !SET_BY_THE_BENCH.has(name)) overrides[name] = value;
  }
  return overrides;
}

/** How the bench's gateways ran, for the results file: "other" says whether anything differed from the defaults. */
export function gatewaySettings(env: NodeJS.ProcessEnv) {
  const overrides = settingOverrides(env);
  const common = { auth: "none", logLevel: "warn", processes: "node --import tsx src/gateway/main.ts" };
  return Object.keys(overrides).length === 0 ? { ...common, other: "defaults" } : { ...common, other: "defaults except overrides", overrides };
}
