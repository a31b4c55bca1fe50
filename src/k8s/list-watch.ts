import { errorFromResponse, KubeApiError } from "./errors";
import type { KubeClient } from "./kube-client";

/** What a listed or watched object must have: metadata, where its resourceVersion is. */
export interface ListedObject {
  metadata?: { resourceVersion?: string };
}

/** One collection to list and watch, cluster-wide, and how to ask for it. */
export interface ListWatchTarget {
  /** The collection, e.g. /api/v1/events, /apis/apps/v1/deployments. */
  path: string;
  /** Sent with the list and every watch: { fieldSelector: "type=Warning" }, { labelSelector: "kubernaut.ai/managed" }. */
  selector: Record<string, string>;
  /** Accept headers for the list and the watch, e.g. metadata only (PartialObjectMetadataList, PartialObjectMetadata); default application/json. */
  accept?: { list: string; watch: string };
  /** What is watched, for error messages: "Warning events" gives "list Warning events: ..." and "watch Warning events: ...". */
  what: string;
}

/**
 * Takes one full list, object by object, page after page; end() once the
 * last page is in. A list that fails or is stopped halfway never ends: its
 * receiver is dropped, and the next list gets a new one.
 */
export interface ListReceiver<T> {
  add(object: T): void;
  end(): void;
}

export interface ListWatchHandlers<T> {
  /** A full list begins: the first one, and each relist after the watch expired (410 Gone). */
  onList(): ListReceiver<T>;
  /** An object the watch saw added or modified. */
  onChanged(object: T): void;
  /** An object the watch saw deleted, or that left the selector. */
  onDeleted(object: T): void;
  /** A list or watch failure; the loop pauses, then starts over (see ListWatchOptions). */
  onError(err: unknown): void;
}

export interface ListWatchOptions {
  /** The first pause after a failure; it doubles with each failure in a row, up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** How long one watch request lasts before the API server ends it and it is renewed (client-go: 5 to 10 min). */
  watchSeconds?: () => number;
}

const PAGE_SIZE = "500";

interface ObjectList<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}
interface WatchEvent<T> {
  type?: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object?: T & { kind?: string; code?: number; message?: string };
}

/** The watch's resourceVersion is too old (410 Gone): only a fresh list can go on. */
class WatchExpired extends Error {}

/**
 * A list, then a watch from the list's resourceVersion, renewed from the last
 * resourceVersion seen, for as long as it runs (what client-go's reflector
 * does, without a store: the handlers keep what they need).
 *
 * The list is read page by page (limit/continue). Watches ask for bookmarks,
 * which only move the resourceVersion. On 410 Gone (the watch request's
 * answer, or an ERROR event with code 410) it relists at once; after any other
 * failure (API server down, 403, broken stream) it tells onError and pauses,
 * restartDelayMs doubling with each failure in a row up to maxRestartDelayMs,
 * so an API server in trouble is not hammered. Nothing is handed on after
 * stop().
 */
export class ListWatch<T extends ListedObject> {
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly kube: KubeClient,
    private readonly target: ListWatchTarget,
    private readonly handlers: ListWatchHandlers<T>,
    private readonly options: ListWatchOptions = {},
  ) {}

  /** Starts listing and watching in the background (once). */
  start(): void {
    this.running ??= this.run();
  }

  /** Ends the loop: a request in flight is aborted and its result dropped, a pause ends. Resolves once the loop is over. */
  stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    return this.running ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    let resourceVersion: string | undefined;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (resourceVersion === undefined) {
          resourceVersion = await this.list();
          failures = 0;
          if (this.stopped) return;
        }
        resourceVersion = await this.watch(resourceVersion);
        failures = 0;
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof WatchExpired) {
          resourceVersion = undefined; // relist at once
          continue;
        }
        this.handlers.onError(err);
        const first = this.options.restartDelayMs ?? 1_000;
        await this.pause(Math.min(first * 2 ** failures++, this.options.maxRestartDelayMs ?? 30_000));
      }
    }
  }

  /** A full list, page by page, handed to a new receiver; returns the resourceVersion to watch from. */
  private async list(): Promise<string> {
    const receiver = this.handlers.onList();
    let resourceVersion = "";
    let next: string | undefined;
    do {
      const page = await this.kube.request<ObjectList<T>>({
        method: "GET",
        path: this.target.path,
        query: { ...this.target.selector, limit: PAGE_SIZE, continue: next },
        accept: this.target.accept?.list,
        what: `list ${this.target.what}`,
        stop: this.stopping.signal,
      });
      if (this.stopped) return "";
      for (const item of page.items ?? []) receiver.add(item);
      // The first page's resourceVersion is the list's: later pages are read at it.
      resourceVersion ||= page.metadata?.resourceVersion ?? "";
      next = page.metadata?.continue || undefined;
    } while (next);
    receiver.end();
    return resourceVersion;
  }

  /** Watches from resourceVersion until the API server ends the watch; returns where to go on from. */
  private async watch(resourceVersion: string): Promise<string> {
    const seconds = this.options.watchSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    let latest = resourceVersion;
    try {
      await this.kube.stream(
        {
          path: this.target.path,
          query: { ...this.target.selector, watch: "true", resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: String(seconds) },
          accept: this.target.accept?.watch,
          what: `watch ${this.target.what}`,
          idleTimeoutMs: (seconds + 30) * 1000,
          stop: this.stopping.signal,
        },
        line => (latest = this.apply(JSON.parse(line) as WatchEvent<T>) ?? latest),
      );
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 410) throw new WatchExpired(err.message);
      throw err;
    }
    return latest;
  }

  /** Hands one watch event on; returns the resourceVersion it carries. */
  private apply(event: WatchEvent<T>): string | undefined {
    const object = event.object;
    if (event.type === "ERROR") {
      // The object is a Status: 410 means the resourceVersion is too old; anything else is a failure of its kind (403, 5xx).
      if (object?.code === 410) throw new WatchExpired(object.message ?? "resourceVersion too old");
      throw errorFromResponse(object?.code ?? 500, object, `watch ${this.target.what}`);
    }
    if (this.stopped || !object) return undefined;
    if (event.type === "ADDED" || event.type === "MODIFIED") this.handlers.onChanged(object);
    if (event.type === "DELETED") this.handlers.onDeleted(object);
    return object.metadata?.resourceVersion;
  }

  /** Waits ms, or less if stopped meanwhile. */
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
