import { execFileSync } from "node:child_process";
import path from "node:path";
import { controlPlane, isRunning, kubeconfigPath, REPO_DIR, type Identity } from "../test/integration/helpers/controlplane";
import { PrivateControlPlane } from "../test/integration/helpers/private-controlplane";

/**
 * Which control plane the bench measures against.
 *
 * "bench" (the default) is one of its own, started by hack/controlplane.sh up
 * with its own state directory and ports (.local/controlplane-bench,
 * https://127.0.0.1:16943): the API server's request counters have no
 * namespace or user label, so write counts are only the bench's own when
 * nothing else talks to that API server, and latencies are not disturbed by
 * other test runs. "shared" is the one the integration tests use
 * (.local/controlplane, or $RRGW_RUN_DIR): numbers there include whatever
 * else runs on it.
 */
export type ControlPlaneChoice = "bench" | "shared";

export interface BenchControlPlane {
  choice: ControlPlaneChoice;
  kubeconfig(identity: Identity): string;
  /** True when this run started it (and so stops it at the end, unless kept). */
  startedByUs: boolean;
  down(): void;
}

/** Slot 50 of PrivateControlPlane: ports 16943 (API server), 12879/12880 (etcd). */
const BENCH_SLOT = 50;

export function ensureControlPlane(choice: ControlPlaneChoice): BenchControlPlane {
  if (choice === "shared") {
    const wasRunning = isRunning();
    controlPlane("up");
    return { choice, kubeconfig: kubeconfigPath, startedByUs: !wasRunning, down: () => controlPlane("down") };
  }
  const plane = new PrivateControlPlane("bench", BENCH_SLOT);
  const wasRunning = statusOk(plane.env);
  process.stderr.write(`${wasRunning ? "using the running" : "starting a"} bench control plane at ${plane.server} (${path.relative(REPO_DIR, plane.runDir)})\n`);
  plane.up();
  return { choice, kubeconfig: id => plane.kubeconfig(id), startedByUs: !wasRunning, down: () => plane.down() };
}

function statusOk(env: Record<string, string>): boolean {
  try {
    execFileSync("bash", [path.join(REPO_DIR, "hack/controlplane.sh"), "status"], { stdio: "ignore", env: { ...process.env, ...env } });
    return true;
  } catch {
    return false;
  }
}
