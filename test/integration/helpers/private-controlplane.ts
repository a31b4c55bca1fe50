import { execFileSync } from "node:child_process";
import path from "node:path";
import { Identity, REPO_DIR } from "./controlplane";

/**
 * A control plane of a test's own (its own etcd, kube-apiserver, ports and
 * state), for tests that stop and restart components: the shared one keeps
 * serving every other test file meanwhile. Start-up takes a few seconds.
 */
export class PrivateControlPlane {
  readonly runDir: string;
  readonly env: Record<string, string>;

  /** @param slot 1..50: picks ports 16443+slot*10 (apiserver) and 12379+slot*10 (etcd). */
  constructor(name: string, slot: number) {
    this.runDir = path.join(REPO_DIR, ".local", `controlplane-${name}`);
    this.env = {
      RRGW_RUN_DIR: this.runDir,
      KUBE_SECURE_PORT: String(16443 + slot * 10),
      ETCD_CLIENT_PORT: String(12379 + slot * 10),
      ETCD_PEER_PORT: String(12380 + slot * 10),
    };
  }

  private run(command: string): void {
    execFileSync("bash", [path.join(REPO_DIR, "hack/controlplane.sh"), command], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...this.env } });
  }

  up(): void {
    this.run("up");
  }
  down(): void {
    this.run("down");
  }
  stopApiserver(): void {
    this.run("stop-apiserver");
  }
  startApiserver(): void {
    this.run("start-apiserver");
  }
  stopEtcd(): void {
    this.run("stop-etcd");
  }
  startEtcd(): void {
    this.run("start-etcd");
  }

  kubeconfig(identity: Identity): string {
    return path.join(this.runDir, `kubeconfig-${identity}`);
  }

  get server(): string {
    return `https://127.0.0.1:${this.env.KUBE_SECURE_PORT}`;
  }
}
