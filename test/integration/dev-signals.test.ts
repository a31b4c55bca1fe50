import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { KUBE_SECURE_PORT, REPO_DIR } from "./helpers/controlplane";
import { freePort } from "./helpers/gateway-process";
import { waitFor } from "./helpers/wait";

/**
 * `npm run dev` (hack/dev.sh) stops everything it started whatever stops it:
 * Ctrl-C while its output goes through a pipe whose reader dies with it
 * (`npm run dev | tee log`: the terminal's SIGINT reaches the whole process
 * group, tee included, and dev.sh's cleanup then writes into a broken pipe),
 * SIGTERM, and SIGHUP. Each case starts dev.sh with its output through a pipe,
 * on a control plane of its own that dev.sh starts, signals it, and checks
 * that the module, the control plane and every process of its group are gone.
 */

const ETCD_CLIENT_PORT = Number(process.env.ETCD_CLIENT_PORT ?? 12379);
/** Slot 7 of the private control planes' ports (private-controlplane.ts). */
const SLOT = 7;
const RUN_DIR = path.join(REPO_DIR, ".local", "controlplane-dev-signals");
const DEV_DIR = path.join(REPO_DIR, ".local", "dev-signals");
const TIMEOUT_MS = 420_000;

interface DevRun {
  child: ChildProcess;
  gatewayPort: number;
  /** kube-apiserver's and etcd's, from the pid files of the control plane dev.sh started. */
  controlPlanePids: number[];
  output(): string;
  exited: Promise<number | null>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Processes still in a process group (dev.sh, the module, tail...). */
function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** Starts dev.sh in a process group of its own (as a terminal's job), its stdout and stderr through pipes, and waits until it says it is running. */
async function startDev(): Promise<DevRun> {
  const gatewayPort = await freePort();
  const child = spawn("bash", [path.join(REPO_DIR, "hack/dev.sh")], {
    cwd: REPO_DIR,
    detached: true,
    env: {
      ...process.env,
      RRGW_RUN_DIR: RUN_DIR,
      RRGW_DEV_DIR: DEV_DIR,
      KUBE_SECURE_PORT: String(KUBE_SECURE_PORT + SLOT * 10),
      ETCD_CLIENT_PORT: String(ETCD_CLIENT_PORT + SLOT * 10),
      ETCD_PEER_PORT: String(ETCD_CLIENT_PORT + 1 + SLOT * 10),
      GATEWAY_PORT: String(gatewayPort),
      PEPR_PORT: String(await freePort()),
      RRGW_KEEP_CONTROLPLANE: "",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", chunk => (output += chunk));
  child.stderr!.on("data", chunk => (output += chunk));
  const exited = new Promise<number | null>(resolve => child.once("exit", code => resolve(code)));
  await waitFor(
    "npm run dev to say it is running",
    () => {
      if (child.exitCode !== null) throw new Error(`dev.sh exited with ${child.exitCode}:\n${output}`);
      return output.includes("rr-gateway is running");
    },
    300_000,
    500,
  );
  const controlPlanePids = ["kube-apiserver", "etcd"].map(c => Number(readFileSync(path.join(RUN_DIR, `${c}.pid`), "utf8").trim()));
  expect(controlPlanePids.every(alive)).toBe(true);
  return { child, gatewayPort, controlPlanePids, output: () => output, exited };
}

/** Waits for dev.sh to exit and checks nothing it started is left. */
async function expectAllGone(run: DevRun): Promise<void> {
  const code = await Promise.race([run.exited, new Promise<string>(r => setTimeout(() => r("still running after 90 s"), 90_000))]);
  expect(code).toBe(0);
  expect(run.output()).toMatch(/control plane stopped and its state removed/);
  for (const pid of run.controlPlanePids) expect(alive(pid)).toBe(false);
  expect(existsSync(RUN_DIR)).toBe(false);
  await waitFor("every process of dev.sh's group to be gone", () => groupMembers(run.child.pid!).length === 0, 30_000, 200);
  await expect(fetch(`http://127.0.0.1:${run.gatewayPort}/healthz`)).rejects.toThrow();
}

afterEach(() => {
  // Should a case fail, leave no control plane behind.
  spawn("bash", [path.join(REPO_DIR, "hack/controlplane.sh"), "down"], {
    env: { ...process.env, RRGW_RUN_DIR: RUN_DIR, KUBE_SECURE_PORT: String(KUBE_SECURE_PORT + SLOT * 10), ETCD_CLIENT_PORT: String(ETCD_CLIENT_PORT + SLOT * 10) },
    stdio: "ignore",
  });
  rmSync(DEV_DIR, { recursive: true, force: true });
});

it(
  "Ctrl-C with its output through a pipe whose reader dies too (npm run dev | tee log): stops the module and the control plane",
  async () => {
    const run = await startDev();
    // The reader goes first (tee dies of the same SIGINT), then the terminal's SIGINT reaches the whole group.
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    process.kill(-run.child.pid!, "SIGINT");
    await expectAllGone({ ...run, output: () => readFileSync(path.join(DEV_DIR, "stop.log"), "utf8") });
  },
  TIMEOUT_MS,
);

it.each(["SIGTERM", "SIGHUP"] as const)(
  "%s to dev.sh alone: stops the module and the control plane",
  async signal => {
    const run = await startDev();
    run.child.kill(signal);
    await expectAllGone(run);
  },
  TIMEOUT_MS,
);
