import pino, { type Logger } from "pino";
import { loadGatewayConfig, type GatewayConfig } from "../../../src/gateway/config";
import { startGateway, type GatewayOptions, type RunningGateway } from "../../../src/gateway/index";
import { kubeconfigPath } from "./controlplane";
import { waitFor } from "./wait";

export interface TestGateway {
  url: string;
  gateway: RunningGateway;
  config: GatewayConfig;
  stop(): Promise<void>;
}

/**
 * Starts a gateway in this process on a free port, as the "gateway"
 * identity, for RRs in the given namespace, and waits until it is ready.
 * env overrides the GATEWAY_* variables (auth is off unless set); options.logger
 * replaces the silent default (to capture the log). With TLS configured, url is https.
 */
export async function startTestGateway(namespace: string, env: Record<string, string> = {}, options: { logger?: Logger } & GatewayOptions = {}): Promise<TestGateway> {
  const config = loadGatewayConfig({
    GATEWAY_HOST: "127.0.0.1",
    GATEWAY_PORT: "0",
    GATEWAY_NAMESPACE: namespace,
    GATEWAY_AUTH: "none",
    // Off unless a test turns it on: every gateway of a test run shares the control plane's events.
    EVENT_SOURCE_ENABLED: "false",
    GATEWAY_SHUTDOWN_GRACE_SECONDS: "2",
    KUBECONFIG: kubeconfigPath("gateway"),
    ...env,
  });
  const gateway = await startGateway(config, options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }), undefined, options);
  const url = `${config.tls ? "https" : "http"}://127.0.0.1:${gateway.port}`;
  await waitFor("gateway ready", () => gateway.informer.hasSynced);
  // GATEWAY_SCOPE=managed-label: also wait for the namespace labels (what /readyz waits for).
  if (config.scope === "managed-label") await waitFor("gateway ready (scope labels listed)", () => gateway.isReady());
  return { url, gateway, config, stop: () => gateway.stop() };
}
