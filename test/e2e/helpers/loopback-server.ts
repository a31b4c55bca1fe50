import { ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { request } from "undici";
import { freePort } from "../../integration/helpers/gateway-process";
import { waitFor } from "../../integration/helpers/wait";

/** A Prometheus-family server (Prometheus, Alertmanager) that a test runs on a loopback port. */
export interface LoopbackServer {
  url: string;
  /** Everything it wrote so far, for failure messages. */
  output(): string;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts binary with args plus `--web.listen-address` on a free loopback
 * port and waits for its `/-/ready`; dir (its config and data) is removed on
 * stop. A server that exits before it is ready fails the wait with its output.
 */
export async function startLoopbackServer(name: string, binary: string, args: string[], dir: string, readyTimeoutMs: number, readyIntervalMs?: number): Promise<LoopbackServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(binary, [...args, `--web.listen-address=127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", chunk => (output += chunk));
  child.stderr!.on("data", chunk => (output += chunk));
  const exited = new Promise<void>(resolve => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `${name} to be ready`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
      return (await request(`${url}/-/ready`)).statusCode === 200;
    },
    readyTimeoutMs,
    readyIntervalMs,
  );
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
