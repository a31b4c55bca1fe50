import { NotFoundError } from "../k8s/errors";
import type { KubeClient } from "../k8s/kube-client";
import type { TargetRef } from "../signal/signal";

const API_PATHS: Record<string, { prefix: string; plural: string }> = {
  Pod: { prefix: "/api/v1", plural: "pods" },
  ReplicaSet: { prefix: "/apis/apps/v1", plural: "replicasets" },
  Deployment: { prefix: "/apis/apps/v1", plural: "deployments" },
  StatefulSet: { prefix: "/apis/apps/v1", plural: "statefulsets" },
  DaemonSet: { prefix: "/apis/apps/v1", plural: "daemonsets" },
  Job: { prefix: "/apis/batch/v1", plural: "jobs" },
  CronJob: { prefix: "/apis/batch/v1", plural: "cronjobs" },
};

interface OwnerReference {
  kind: string;
  name: string;
  apiVersion?: string;
  controller?: boolean;
}

/**
 * Finds a target's top-level controller (Pod → ReplicaSet → Deployment, Job →
 * CronJob, ...) through the API server, caching answers for ttlMs. An object
 * that no longer exists is its own top-level owner.
 */
export class OwnerResolver {
  private readonly cache = new Map<string, { owner: TargetRef; expiresAt: number }>();

  constructor(
    private readonly kube: KubeClient,
    private readonly ttlMs = 300_000,
    private readonly maxEntries = 10_000,
  ) {}

  async topLevelOwner(target: TargetRef): Promise<TargetRef> {
    const key = `${target.namespace}/${target.kind}/${target.name}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.owner;
    let current = target;
    for (let depth = 0; depth < 5; depth++) {
      const next = await this.controllerOf(current);
      if (!next) break;
      current = next;
    }
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { owner: current, expiresAt: Date.now() + this.ttlMs });
    return current;
  }

  private async controllerOf(ref: TargetRef): Promise<TargetRef | undefined> {
    const api = API_PATHS[ref.kind];
    if (!api || !ref.namespace) return undefined;
    try {
      const obj = await this.kube.request<{ metadata?: { ownerReferences?: OwnerReference[] } }>({
        method: "GET",
        path: `${api.prefix}/namespaces/${encodeURIComponent(ref.namespace)}/${api.plural}/${encodeURIComponent(ref.name)}`,
        what: `get ${ref.kind} ${ref.namespace}/${ref.name} to find its owner`,
      });
      const owner = obj.metadata?.ownerReferences?.find(o => o.controller) ?? obj.metadata?.ownerReferences?.[0];
      return owner ? { kind: owner.kind, name: owner.name, namespace: ref.namespace, apiVersion: owner.apiVersion } : undefined;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }
}
