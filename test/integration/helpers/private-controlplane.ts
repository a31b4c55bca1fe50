import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Identity, KUBE_SECURE_PORT, REPO_DIR } from "./controlplane";

const ETCD_CLIENT_PORT = Number(process.env.ETCD_CLIENT_PORT ?? 12379);

/**
 * A control plane of a test's own (its own etcd, kube-apiserver, ports and
 * state), for tests that stop and restart components: the shared one keeps
 * serving every other test file meanwhile. Start-up takes a few seconds.
 */
export class PrivateControlPlane {
  readonly runDir: string;
  readonly env: Record<string, string>;

  /**
   * @param slot 1..50: picks ports slot*10 above the shared control plane's
   * (KUBE_SECURE_PORT, default 16443; ETCD_CLIENT_PORT, default 12379).
   * @param options.emulatedVersion makes kube-apiserver behave as that older
   * release ("1.31"; at most three minor releases back).
   */
  constructor(name: string, slot: number, options: { emulatedVersion?: string } = {}) {
    this.runDir = path.join(REPO_DIR, ".local", `controlplane-${name}`);
    this.env = {
      RRGW_RUN_DIR: this.runDir,
      KUBE_SECURE_PORT: String(KUBE_SECURE_PORT + slot * 10),
      ETCD_CLIENT_PORT: String(ETCD_CLIENT_PORT + slot * 10),
      ETCD_PEER_PORT: String(ETCD_CLIENT_PORT + 1 + slot * 10),
      ...(options.emulatedVersion ? { KUBE_APISERVER_EMULATED_VERSION: options.emulatedVersion } : {}),
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

  /**
   * Kills a component at once (SIGKILL: no graceful shutdown, requests in
   * flight are cut off) and waits until it is gone; its state stays. Start it
   * again with startApiserver() or startEtcd().
   */
  kill(component: "kube-apiserver" | "etcd"): void {
    const pid = Number(readFileSync(path.join(this.runDir, `${component}.pid`), "utf8").trim());
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      return; // already gone
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    throw new Error(`${component} (pid ${pid}) did not die after SIGKILL`);
  }

  /** etcd's client URL (its JSON gateway answers under /v3/). */
  get etcdUrl(): string {
    return `http://127.0.0.1:${this.env.ETCD_CLIENT_PORT}`;
  }

  kubeconfig(identity: Identity): string {
    return path.join(this.runDir, `kubeconfig-${identity}`);
  }

  get server(): string {
    return `https://127.0.0.1:${this.env.KUBE_SECURE_PORT}`;
  }
}
