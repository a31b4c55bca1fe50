import { ForbiddenError } from "./errors";
import type { KubeClient } from "./kube-client";
import { ListWatch, type ListReceiver, type ListWatchOptions } from "./list-watch";

/** One collection to watch, cluster-wide: where it is, and whether its objects are named without a namespace. */
export interface WatchedCollection {
  kind: string;
  /** e.g. /api/v1/pods, /apis/apps/v1/deployments */
  path: string;
  clusterScoped: boolean;
}

export interface LabelWatchHandlers {
  /** Every full list: the first one, and each relist after the watch expired (410 Gone). */
  onList?: (kind: string, objects: number) => void;
  /** A list or watch failure; the watch restarts by itself after restartDelayMs. */
  onError?: (kind: string, err: unknown) => void;
}

/** Restart pauses and watch length: see ListWatchOptions. */
export type LabelWatchOptions = ListWatchOptions;

/** Metadata only: the API server sends names and labels, not specs or statuses. */
const METADATA = {
  list: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json",
  watch: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json",
};

interface ObjectMeta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
}

/**
 * One label's value on every object of one collection that carries it, kept
 * current by a list+watch of the API server: `name → value` (or
 * `namespace/name → value`), nothing else.
 *
 * The list and the watch ask for objects that carry the label
 * (labelSelector=<label>) as metadata only, so what the API server sends and
 * what this process keeps grow with the labelled objects, not with the
 * cluster. An object that loses the label leaves the selector: the watch says
 * DELETED and it is forgotten. Relists on 410 Gone, restarts after any other
 * failure (API server down, broken stream); the values stay readable meanwhile.
 */
export class LabelWatch {
  private values = new Map<string, string>();
  private synced = false;
  private stopped = false;
  private readonly watch: ListWatch<ObjectMeta>;
  /** Woken on every sync and every failure, so waiters can look again. */
  private waiters = new Set<() => void>();
  /** The last failure, cleared by a successful list. */
  lastError: unknown;

  constructor(
    kube: KubeClient,
    readonly collection: WatchedCollection,
    private readonly label: string,
    private readonly handlers: LabelWatchHandlers = {},
    options: LabelWatchOptions = {},
  ) {
    this.watch = new ListWatch<ObjectMeta>(
      kube,
      { path: collection.path, selector: { labelSelector: label }, accept: METADATA, what: `${collection.kind} objects labelled ${label}` },
      {
        onList: () => this.receiveList(),
        onChanged: object => this.put(this.values, object),
        onDeleted: object => this.values.delete(this.keyOf(object)),
        onError: err => this.failed(err),
      },
      options,
    );
  }

  /** Starts listing and watching in the background (once); see waitForSync. */
  start(): void {
    this.watch.start();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** True while the gateway may not list this collection (RBAC): callers fall back as if the label were unknown. */
  get forbidden(): boolean {
    return this.lastError instanceof ForbiddenError;
  }

  /** Objects carrying the label (the memory this watch holds). */
  get size(): number {
    return this.values.size;
  }

  /** The label's value on an object, or undefined if it has none (or does not exist). */
  valueOf(namespace: string, name: string): string | undefined {
    return this.values.get(this.collection.clusterScoped ? name : `${namespace}/${name}`);
  }

  /**
   * Waits until the first list is in, the collection turns out forbidden, or
   * timeoutMs passes. Returns whether the values are known.
   */
  async waitForSync(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.synced && !this.forbidden && !this.stopped && Date.now() < deadline) {
      await new Promise<void>(resolve => {
        const timer = setTimeout(wake, deadline - Date.now());
        function wake(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(wake);
      });
    }
    return this.synced;
  }

  /** Ends the watch at once; a list in flight is aborted, not awaited, and its result dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    void this.watch.stop();
    this.wakeWaiters();
  }

  /** A fresh list replaces every value once it is complete. */
  private receiveList(): ListReceiver<ObjectMeta> {
    const fresh = new Map<string, string>();
    return {
      add: object => this.put(fresh, object),
      end: () => {
        this.values = fresh;
        this.lastError = undefined;
        this.synced = true;
        this.handlers.onList?.(this.collection.kind, fresh.size);
        this.wakeWaiters();
      },
    };
  }

  /** A list or watch failure: said to waiters (a 403 ends their wait) and to onError; ListWatch backs off and retries. */
  private failed(err: unknown): void {
    this.lastError = err;
    this.handlers.onError?.(this.collection.kind, err);
    this.wakeWaiters();
  }

  private put(values: Map<string, string>, object: ObjectMeta): void {
    const value = object.metadata?.labels?.[this.label];
    const key = this.keyOf(object);
    if (value === undefined) values.delete(key);
    else values.set(key, value);
  }

  private keyOf(object: ObjectMeta): string {
    const name = object.metadata?.name ?? "";
    return this.collection.clusterScoped ? name : `${object.metadata?.namespace ?? ""}/${name}`;
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }
}
