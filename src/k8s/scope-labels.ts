import type { TargetRef } from "../signal/signal";
import type { KubeClient } from "./kube-client";
import { LabelWatch, type LabelWatchHandlers, type LabelWatchOptions, type WatchedCollection } from "./label-watch";

/**
 * The kinds whose own scope label is watched: kubernaut's list
 * (src/signal/scope.ts RESOURCE_LABEL_KINDS) but ConfigMap and Secret.
 * kubernaut's deployed RBAC grants its gateway neither, so its check of those
 * falls through to the namespace; we do the same without asking for read
 * access to every Secret in the cluster. Namespace is the namespace watch.
 */
export const WATCHED_KINDS: ReadonlyMap<string, WatchedCollection> = new Map(
  [
    { kind: "Pod", path: "/api/v1/pods", clusterScoped: false },
    { kind: "Service", path: "/api/v1/services", clusterScoped: false },
    { kind: "Node", path: "/api/v1/nodes", clusterScoped: true },
    { kind: "PersistentVolume", path: "/api/v1/persistentvolumes", clusterScoped: true },
    { kind: "Deployment", path: "/apis/apps/v1/deployments", clusterScoped: false },
    { kind: "ReplicaSet", path: "/apis/apps/v1/replicasets", clusterScoped: false },
    { kind: "StatefulSet", path: "/apis/apps/v1/statefulsets", clusterScoped: false },
    { kind: "DaemonSet", path: "/apis/apps/v1/daemonsets", clusterScoped: false },
    { kind: "Job", path: "/apis/batch/v1/jobs", clusterScoped: false },
    { kind: "CronJob", path: "/apis/batch/v1/cronjobs", clusterScoped: false },
  ].map(c => [c.kind, c]),
);

const NAMESPACES: WatchedCollection = { kind: "Namespace", path: "/api/v1/namespaces", clusterScoped: true };

/** The labels the scope rule reads for one target. */
export interface ScopeLabelValues {
  resourceLabel?: string;
  namespaceLabel?: string;
}

export interface ScopeLabelsOptions extends LabelWatchOptions {
  /** How long a signal may wait for the first list of its kind (the one request it may cost). */
  syncWaitMs?: number;
}

/**
 * Where the scope label's values come from: watches, never a request per
 * signal. Namespaces are watched from the start; each watched kind from the
 * first signal that targets it (that signal may wait for its first list; every
 * later one reads the cache). Only objects carrying the label are kept.
 */
export class ScopeLabels {
  private readonly namespaces: LabelWatch;
  private readonly kinds = new Map<string, LabelWatch>();

  constructor(
    private readonly kube: KubeClient,
    private readonly label: string,
    private readonly handlers: LabelWatchHandlers = {},
    private readonly options: ScopeLabelsOptions = {},
  ) {
    this.namespaces = new LabelWatch(kube, NAMESPACES, label, handlers, options);
  }

  start(): void {
    this.namespaces.start();
  }

  /** The namespace labels are in: until then no signal can be judged (nor rejected). */
  get hasSynced(): boolean {
    return this.namespaces.hasSynced;
  }

  /** Labelled objects held, by kind (the memory this costs). */
  sizes(): Record<string, number> {
    const sizes: Record<string, number> = { Namespace: this.namespaces.size };
    for (const [kind, watch] of this.kinds) sizes[kind] = watch.size;
    return sizes;
  }

  /**
   * The labels for target's scope, from the caches; undefined while they are
   * not known (namespaces not listed yet, or its kind's first list late).
   * A kind the gateway may not list (RBAC) counts as unlabelled, as kubernaut
   * falls back to the namespace when it cannot read the resource.
   */
  async labelsOf(target: TargetRef): Promise<ScopeLabelValues | undefined> {
    if (!this.namespaces.hasSynced) return undefined;
    const namespaceLabel = target.namespace ? this.namespaces.valueOf("", target.namespace) : undefined;
    if (target.kind === NAMESPACES.kind) return { resourceLabel: this.namespaces.valueOf("", target.name), namespaceLabel };
    const watch = this.watchOf(target.kind);
    if (!watch) return { namespaceLabel };
    if (!watch.hasSynced && !(await watch.waitForSync(this.options.syncWaitMs ?? 5_000)) && !watch.forbidden) return undefined;
    return { resourceLabel: watch.hasSynced ? watch.valueOf(target.namespace, target.name) : undefined, namespaceLabel };
  }

  /** The watch of kind's labels, started on first use; undefined for a kind not watched. */
  private watchOf(kind: string): LabelWatch | undefined {
    let watch = this.kinds.get(kind);
    const collection = WATCHED_KINDS.get(kind);
    if (!watch && collection) {
      watch = new LabelWatch(this.kube, collection, this.label, this.handlers, this.options);
      this.kinds.set(kind, watch);
      watch.start();
    }
    return watch;
  }

  async stop(): Promise<void> {
    await Promise.all([this.namespaces, ...this.kinds.values()].map(w => w.stop()));
  }
}
