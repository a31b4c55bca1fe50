import { KubeApiError } from "../k8s/errors";
import type { KubeClient } from "../k8s/kube-client";
import type { EventObject } from "./occurrences";

/**
 * Warning events of the whole cluster, as one list+watch of core/v1 Events
 * (fieldSelector type=Warning, filtered by the API server). Core v1 is served
 * by every Kubernetes version and shows every Event, whichever API wrote it
 * (events.k8s.io/v1 is another view of the same objects), so one stream sees
 * each event once, in the format POST /api/v1/signals/kubernetes-event takes.
 */
export const WARNING_EVENTS_PATH = "/api/v1/events";
const WARNING_ONLY = "type=Warning";
const PAGE_SIZE = "500";

export interface EventWatchHandlers {
  /** An event as listed, added or modified. */
  onEvent: (event: EventObject) => void;
  /** An event gone (TTL): its uid can be forgotten. */
  onDeleted?: (event: EventObject) => void;
  /** A full list is in: the uids of every Warning event that exists now (the first list, and each relist after 410 Gone). */
  onList?: (uids: ReadonlySet<string>) => void;
  /** A list or watch failure; the watch restarts by itself. */
  onError?: (err: unknown) => void;
}

export interface EventWatchOptions {
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** How long one watch request lasts before it is renewed (default 5 to 10 min). */
  watchSeconds?: () => number;
}

interface EventList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: EventObject[];
}
interface WatchEvent {
  type?: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object?: EventObject & { code?: number; message?: string };
}

/** The watch's resourceVersion is too old (410 Gone): only a fresh list can go on. */
class WatchExpired extends Error {}

export class EventWatch {
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  /** Full lists done (the first and each relist). */
  lists = 0;

  constructor(
    private readonly kube: KubeClient,
    private readonly handlers: EventWatchHandlers,
    private readonly options: EventWatchOptions = {},
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  /** Ends the watch; a request in flight is aborted and its result dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.running;
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
        this.handlers.onError?.(err);
        const first = this.options.restartDelayMs ?? 1_000;
        await this.pause(Math.min(first * 2 ** failures++, this.options.maxRestartDelayMs ?? 30_000));
      }
    }
  }

  /** A full list, page by page; each event is handed on; returns the resourceVersion to watch from. */
  private async list(): Promise<string> {
    const uids = new Set<string>();
    let resourceVersion = "";
    let next: string | undefined;
    do {
      const page = await this.kube.request<EventList>({
        method: "GET",
        path: WARNING_EVENTS_PATH,
        query: { fieldSelector: WARNING_ONLY, limit: PAGE_SIZE, continue: next },
        what: "list Warning events",
      });
      if (this.stopped) return "";
      for (const item of page.items ?? []) {
        if (item.metadata?.uid) uids.add(item.metadata.uid);
        this.handlers.onEvent(item);
      }
      resourceVersion ||= page.metadata?.resourceVersion ?? "";
      next = page.metadata?.continue || undefined;
    } while (next);
    this.lists++;
    this.handlers.onList?.(uids);
    return resourceVersion;
  }

  /** Watches from resourceVersion until the API server ends the watch; returns where to go on from. */
  private async watch(resourceVersion: string): Promise<string> {
    const seconds = this.options.watchSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    let latest = resourceVersion;
    try {
      await this.kube.stream(
        {
          path: WARNING_EVENTS_PATH,
          query: { watch: "true", fieldSelector: WARNING_ONLY, resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: String(seconds) },
          what: "watch Warning events",
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

  /** Hands one watch event on; returns the resourceVersion it carries. */
  private apply(event: WatchEvent): string | undefined {
    const object = event.object ?? {};
    if (event.type === "ERROR") {
      if (object.code === 410) throw new WatchExpired(object.message ?? "resourceVersion too old");
      throw new KubeApiError(`watch Warning events: ${object.message ?? "error event"}`, object.code ?? 500);
    }
    if (this.stopped) return undefined;
    if (event.type === "ADDED" || event.type === "MODIFIED") this.handlers.onEvent(object);
    if (event.type === "DELETED") this.handlers.onDeleted?.(object);
    return object.metadata?.resourceVersion;
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
