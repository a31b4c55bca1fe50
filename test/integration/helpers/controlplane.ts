import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Where hack/controlplane.sh keeps its state; mirrors hack/lib.sh. */
/** npm scripts run jest from the repository root. */
export const REPO_DIR = process.env.RRGW_REPO_DIR ?? process.cwd();
export const RUN_DIR = process.env.RRGW_RUN_DIR ?? path.join(REPO_DIR, ".local/controlplane");
export const KUBE_SECURE_PORT = Number(process.env.KUBE_SECURE_PORT ?? 16443);

export type Identity = "admin" | "gateway" | "orchestrator" | "alertmanager" | "nobody";

export function kubeconfigPath(identity: Identity): string {
  return path.join(RUN_DIR, `kubeconfig-${identity}`);
}

/** The bearer token of a local identity (from its kubeconfig). */
export function tokenOf(identity: Identity): string {
  const match = /token: (\S+)/.exec(readFileSync(kubeconfigPath(identity), "utf8"));
  if (!match) throw new Error(`no token in ${kubeconfigPath(identity)}`);
  return match[1];
}

export function controlPlane(command: "up" | "down" | "status" | "stop-apiserver" | "start-apiserver" | "stop-etcd" | "start-etcd"): void {
  execFileSync("bash", [path.join(REPO_DIR, "hack/controlplane.sh"), command], { stdio: "inherit" });
}

export function isRunning(): boolean {
  try {
    execFileSync("bash", [path.join(REPO_DIR, "hack/controlplane.sh"), "status"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Runs the kubectl built with the control plane, as the given identity. Returns stdout. */
export function kubectl(identity: Identity, args: string[], input?: string): string {
  return execFileSync(kubectlBinary(), ["--kubeconfig", kubeconfigPath(identity), ...args], {
    encoding: "utf8",
    input,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/**
 * Waits until the CRDs are Established. kubectl wait fails at once
 * ("status.conditions accessor error") when it reads a CRD before the API
 * server has set any condition on it, so that is retried.
 */
export function waitEstablished(crds: string[]): void {
  for (let attempt = 1; ; attempt++) {
    try {
      kubectl("admin", ["wait", "--for", "condition=Established", "--timeout=60s", ...crds.map(c => `crd/${c}`)]);
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      execFileSync("sleep", ["1"]);
    }
  }
}

export function kubectlBinary(): string {
  const out = execFileSync("bash", ["-c", `source ${path.join(REPO_DIR, "hack/lib.sh")} && echo "$KUBE_BIN_DIR/kubectl"`], { encoding: "utf8" }).trim();
  if (!existsSync(out)) throw new Error(`kubectl not built at ${out}: run hack/controlplane.sh up`);
  return out;
}
