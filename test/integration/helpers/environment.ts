import { randomBytes } from "node:crypto";
import { KubeClient, loadKubeConfig } from "../../../src/k8s/kube-client";
import { RemediationRequestClient } from "../../../src/k8s/rr-client";
import { Identity, kubeconfigPath } from "./controlplane";

/**
 * Per-test access to the local control plane. Each test file gets fresh
 * namespaces (namespace deletion never finishes without a controller manager,
 * so names are random and never reused) and one client per identity.
 */
export class TestEnvironment {
  private readonly clients = new Map<Identity, KubeClient>();

  /** @param kubeconfigOf where each identity's kubeconfig is (default: the shared control plane's). */
  constructor(private readonly kubeconfigOf: (identity: Identity) => string = kubeconfigPath) {}

  async kube(identity: Identity): Promise<KubeClient> {
    let client = this.clients.get(identity);
    if (!client) {
      client = await KubeClient.create(loadKubeConfig(this.kubeconfigOf(identity)));
      this.clients.set(identity, client);
    }
    return client;
  }

  async rrClient(identity: Identity, namespace: string): Promise<RemediationRequestClient> {
    return new RemediationRequestClient(await this.kube(identity), namespace);
  }

  /** Creates a namespace with a random name (prefix-xxxxxx) as the admin. */
  async freshNamespace(prefix = "test"): Promise<string> {
    const name = `${prefix}-${randomBytes(4).toString("hex")}`;
    const admin = await this.kube("admin");
    await admin.request({ method: "POST", path: "/api/v1/namespaces", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } }, what: `create namespace ${name}` });
    return name;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map(c => c.close()));
    this.clients.clear();
  }
}

/** A random valid fingerprint: 64 lowercase hex digits. */
export function randomFingerprint(): string {
  return randomBytes(32).toString("hex");
}
