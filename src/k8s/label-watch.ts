import { ForbiddenError, KubeApiError } from "./errors";
import type { KubeClient } from "./kube-client";

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

export interface LabelWatchOptions {
  /** The first pause after a failure; it doubles with each failure in a row, up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** How long one watch request lasts before the API server ends it and it is renewed (client-go: 5 to 10 min). */
  watchSeconds?: () => number;
}

/** Metadata only: the API server sends names and labels, not specs or statuses. */
const METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
const METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
const PAGE_SIZE = "500";

interface ObjectMeta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
}
interface MetadataList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: ObjectMeta[];
}
interface WatchEvent {
  type?: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object?: ObjectMeta & { code?: number; message?: string };
}

/** The watch's resourceVersion is too old (410 Gone): only a fresh list can go on. */
class WatchExpired extends Error {}

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
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  /** Woken on every sync and every failure, so waiters can look again. */
  private waiters = new Set<() => void>();
  /** The last failure, cleared by a successful list. */
  lastError: unknown;

  constructor(
    private readonly kube: KubeClient,
    readonly collection: WatchedCollection,
    private readonly label: string,
    private readonly handlers: LabelWatchHandlers = {},
    private readonly options: LabelWatchOptions = {},
  ) {}

  /** Starts listing and watching in the background (once); see waitForSync. */
  start(): void {
    this.running ??= this.run();
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

  /** Ends the watch at once; a list in flight is not awaited (closing the client ends it, and its result is dropped). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.wakeWaiters();
  }

  private async run(): Promise<void> {
    let resourceVersion: string | undefined;
    let failures = 0;
    while (!this.stopped) {
      try {
        resourceVersion ??= await this.list();
        failures = 0;
        if (this.stopped) return;
        resourceVersion = await this.watch(resourceVersion);
        failures = 0;
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof WatchExpired) {
          resourceVersion = undefined; // relist at once
          continue;
        }
        this.lastError = err;
        this.handlers.onError?.(this.collection.kind, err);
        this.wakeWaiters();
        // A missing permission (403) is not fixed in a second: back off, so the API server is not hammered.
        const first = this.options.restartDelayMs ?? 1_000;
        await this.pause(Math.min(first * 2 ** failures++, this.options.maxRestartDelayMs ?? 30_000));
      }
    }
  }

  /** A fresh list (page by page) replaces every value; returns the resourceVersion to watch from. */
  private async list(): Promise<string> {
    const fresh = new Map<string, string>();
    let resourceVersion = "";
    let next: string | undefined;
    do {
      const page = await this.kube.request<MetadataList>({
        method: "GET",
        path: this.collection.path,
        query: { labelSelector: this.label, limit: PAGE_SIZE, continue: next },
        accept: METADATA_LIST,
        what: `list ${this.collection.kind} objects labelled ${this.label}`,
      });
      for (const item of page.items ?? []) this.put(fresh, item);
      resourceVersion ||= page.metadata?.resourceVersion ?? "";
      next = page.metadata?.continue || undefined;
    } while (next);
    this.values = fresh;
    this.lastError = undefined;
    this.synced = true;
    this.handlers.onList?.(this.collection.kind, fresh.size);
    this.wakeWaiters();
    return resourceVersion;
  }

  /** Watches from resourceVersion until the API server ends the watch; returns where to go on from. */
  private async watch(resourceVersion: string): Promise<string> {
    const seconds = this.options.watchSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    let latest = resourceVersion;
    try {
      await this.kube.stream(
        {
          path: this.collection.path,
          query: { watch: "true", labelSelector: this.label, resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: String(seconds) },
          accept: METADATA,
          what: `watch ${this.collection.kind} objects labelled ${this.label}`,
          idleTimeoutMs: (seconds + 30) * 1000,
          stop: this.stopping.signal,
        },
        line => (latest = this.apply(JSON.parse(line) as WatchEvent) ?? latest),
      );
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 410) throw new WatchExpired(err.message);
      throw err;
    }
    return latest;
  }

  /** Applies one watch event; returns the resourceVersion it carries. */
  private apply(event: WatchEvent): string | undefined {
    const object = event.object ?? {};
    if (event.type === "ERROR") {
      if (object.code === 410) throw new WatchExpired(object.message ?? "resourceVersion too old");
      throw new KubeApiError(`watch ${this.collection.kind}: ${object.message ?? "error event"}`, object.code ?? 500);
    }
    if (event.type === "ADDED" || event.type === "MODIFIED") this.put(this.values, object);
    if (event.type === "DELETED") this.values.delete(this.keyOf(object));
    return object.metadata?.resourceVersion;
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

  private pause(ms: number): Promise<void> {
    const stop = this.stopping.signal;
    return new Promise(resolve => {
      const done = (): void => {
        clearTimeout(timer);
        stop.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      stop.addEventListener("abort", done, { once: true });
    });
  }
}
