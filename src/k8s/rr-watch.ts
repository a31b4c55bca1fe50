import { makeInformer, type Informer, type KubernetesListObject, type KubernetesObject, type ObjectCache } from "@kubernetes/client-node";
import type { RemediationRequest } from "../model/remediation-request";
import { RemediationRequestClient } from "./rr-client";

export interface RemediationRequestHandlers {
  /** Called for every add and update, also for replays after a relist: handlers must be idempotent. */
  onUpsert?: (rr: RemediationRequest) => void;
  onDelete?: (rr: RemediationRequest) => void;
  /** A watch failure; the watch restarts by itself after restartDelayMs. */
  onError?: (err: unknown) => void;
  /** Told of every full list: the first one, and each relist after the watch's resourceVersion expired (410 Gone). */
  onList?: (items: number) => void;
}

/**
 * A list-then-watch of the RemediationRequests in one namespace, on
 * client-node's informer (which relists on 410 Gone). Unlike the bare
 * informer, it restarts itself after any other failure (API server down,
 * connection reset), so callers never have to.
 */
export class RemediationRequestWatch {
  // client-node types metadata timestamps as Date; on the wire (and in our model) they are strings.
  private readonly informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  private stopped = false;
  private synced = false;
  private markSynced!: () => void;
  private readonly firstSync = new Promise<void>(resolve => (this.markSynced = resolve));
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rrs: RemediationRequestClient,
    private readonly handlers: RemediationRequestHandlers,
    private readonly restartDelayMs = 1_000,
  ) {
    this.informer = makeInformer<KubernetesObject>(rrs.kube.kubeConfig, rrs.collectionPath(), async () => {
      const list = await rrs.list();
      handlers.onList?.(list.items.length);
      if (!this.synced) {
        // The informer hands these items to the handlers as soon as this promise settles, in
        // microtasks, which all run before this setImmediate callback: then the list is delivered.
        setImmediate(() => {
          this.synced = true;
          this.markSynced();
        });
      }
      return list as unknown as KubernetesListObject<KubernetesObject>;
    });
    const { onUpsert, onDelete } = handlers;
    if (onUpsert) {
      this.informer.on("add", obj => onUpsert(obj as unknown as RemediationRequest));
      this.informer.on("update", obj => onUpsert(obj as unknown as RemediationRequest));
    }
    if (onDelete) this.informer.on("delete", obj => onDelete(obj as unknown as RemediationRequest));
    this.informer.on("error", err => this.restartLater(err));
  }

  /**
   * Resolves once the first list has been delivered to the handlers. If the
   * API server cannot be reached, the watch keeps retrying and this waits
   * (stop() releases it).
   */
  async start(): Promise<void> {
    this.stopped = false;
    // A failed list is reported to the "error" handlers (and so restarted); a failed watch call rejects.
    this.informer.start().catch(err => this.restartLater(err));
    await this.firstSync;
  }

  /** True once the first list has been delivered. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** The informer's view of every RR (possibly behind the API server). */
  list(): readonly RemediationRequest[] {
    return this.informer.list(this.rrs.namespace) as unknown as readonly RemediationRequest[];
  }

  private restartLater(err: unknown): void {
    this.handlers.onError?.(err);
    if (this.stopped || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.informer.start().catch(e => this.restartLater(e));
    }, this.restartDelayMs);
    this.restartTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.markSynced();
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }
}
