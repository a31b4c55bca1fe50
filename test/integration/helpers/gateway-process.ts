import { ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { type Dispatcher, request } from "undici";
import { kubeconfigPath, REPO_DIR } from "./controlplane";
import { waitFor } from "./wait";

export interface GatewayProcess {
  /** https://127.0.0.1:port when it serves TLS, else http://. */
  url: string;
  /** For requests to url: trusts the gateway's CA when it serves TLS (undefined: undici's default). */
  dispatcher?: Dispatcher;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote (pino JSON lines and stderr). */
  output(): string;
  /** Sends a signal (SIGTERM: graceful drain; SIGKILL: crash) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** When kill() first signalled it, and when it exited (ms since the epoch; undefined: not yet). */
  signalledAt(): number | undefined;
  exitedAt(): number | undefined;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A certificate to serve HTTPS with, and a dispatcher that trusts it (test/helpers/test-pki.ts's loopbackTls()). */
export interface GatewayTls {
  certFile: string;
  keyFile: string;
  dispatcher: Dispatcher;
}

export interface GatewayProcessOptions {
  /** Arguments to node itself (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
  /** Serve HTTPS (GATEWAY_TLS_CERT_FILE/GATEWAY_TLS_KEY_FILE), as the deployed install does. */
  tls?: GatewayTls;
}

/**
 * Starts the gateway as a separate process (`node --import tsx
 * src/gateway/main.ts`), the way a replica runs, and waits for /readyz.
 */
export async function startGatewayProcess(namespace: string, env: Record<string, string> = {}, { nodeArgs = [], tls }: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const tlsEnv: Record<string, string> = tls ? { GATEWAY_TLS_CERT_FILE: tls.certFile, GATEWAY_TLS_KEY_FILE: tls.keyFile } : {};
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/gateway/main.ts"], {
    cwd: REPO_DIR,
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      GATEWAY_HOST: "127.0.0.1",
      GATEWAY_PORT: String(port),
      GATEWAY_NAMESPACE: namespace,
      GATEWAY_AUTH: "none",
      // Off unless a test turns it on: every gateway of a test run shares the control plane's events.
      EVENT_SOURCE_ENABLED: "false",
      KUBECONFIG: kubeconfigPath("gateway"),
      LOG_LEVEL: "info",
      ...tlsEnv,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", chunk => (output += chunk));
  child.stderr!.on("data", chunk => (output += chunk));
  let signalledAt: number | undefined;
  let exitedAt: number | undefined;
  const exited = new Promise<number | null>(resolve =>
    child.once("exit", code => {
      exitedAt = Date.now();
      resolve(code);
    }),
  );
  const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  const dispatcher = tls?.dispatcher;
  await waitFor(
    `gateway process on port ${port} to be ready`,
    async () => {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${output}`);
      return (await request(`${url}/readyz`, { dispatcher })).statusCode === 200;
    },
    // Starting tsx and the gateway takes seconds; on a loaded two-core machine four at once took 87 s.
    120_000,
  );
  return {
    url,
    dispatcher,
    port,
    child,
    output: () => output,
    async kill(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) {
        signalledAt ??= Date.now();
        child.kill(signal);
      }
      return exited;
    },
    signalledAt: () => signalledAt,
    exitedAt: () => exitedAt,
  };
}
