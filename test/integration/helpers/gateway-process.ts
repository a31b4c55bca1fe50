import { ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { request } from "undici";
import { kubeconfigPath, REPO_DIR } from "./controlplane";
import { waitFor } from "./wait";

export interface GatewayProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote (pino JSON lines and stderr). */
  output(): string;
  /** Sends a signal (SIGTERM: graceful drain; SIGKILL: crash) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
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

/**
 * Starts the gateway as a separate process (`node --import tsx
 * src/gateway/main.ts`), the way a replica runs, and waits for /readyz.
 * nodeArgs go to node itself (e.g. --cpu-prof, which NODE_OPTIONS does not take).
 */
export async function startGatewayProcess(namespace: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/gateway/main.ts"], {
    cwd: REPO_DIR,
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      GATEWAY_HOST: "127.0.0.1",
      GATEWAY_PORT: String(port),
      GATEWAY_NAMESPACE: namespace,
      GATEWAY_AUTH: "none",
      KUBECONFIG: kubeconfigPath("gateway"),
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", chunk => (output += chunk));
  child.stderr!.on("data", chunk => (output += chunk));
  const exited = new Promise<number | null>(resolve => child.once("exit", code => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `gateway process on port ${port} to be ready`,
    async () => {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${output}`);
      return (await request(`${url}/readyz`)).statusCode === 200;
    },
    30_000,
  );
  return {
    url,
    port,
    child,
    output: () => output,
    async kill(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
