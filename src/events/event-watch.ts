import type { KubeClient } from "../k8s/kube-client";
import { ListWatch, type ListReceiver, type ListWatchOptions } from "../k8s/list-watch";
import type { EventObject } from "./occurrences";

/**
 * Warning events of the whole cluster, as one list+watch of core/v1 Events
 * (fieldSelector type=Warning, filtered by the API server). Core v1 is served
 * by every Kubernetes version and shows every Event, whichever API wrote it
 * (events.k8s.io/v1 is another view of the same objects), so one stream sees
 * each event once, in the format POST /api/v1/signals/kubernetes-event takes.
 */
export const WARNING_EVENTS_PATH = "/api/v1/events";

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

/** Restart pauses and watch length: see ListWatchOptions. */
export type EventWatchOptions = ListWatchOptions;

/** Hands each Warning event on as it is listed or watched (src/k8s/list-watch.ts does the listing and watching). */
export class EventWatch {
  private readonly watch: ListWatch<EventObject>;
  /** Full lists done (the first and each relist). */
  lists = 0;

  constructor(
    kube: KubeClient,
    private readonly handlers: EventWatchHandlers,
    options: EventWatchOptions = {},
  ) {
    this.watch = new ListWatch<EventObject>(
      kube,
      { path: WARNING_EVENTS_PATH, selector: { fieldSelector: "type=Warning" }, what: "Warning events" },
      {
        onList: () => this.receiveList(),
        onChanged: event => handlers.onEvent(event),
        onDeleted: event => handlers.onDeleted?.(event),
        onError: err => handlers.onError?.(err),
      },
      options,
    );
  }

  start(): void {
    this.watch.start();
  }

  /** Ends the watch; a request in flight is aborted and its result dropped. */
  async stop(): Promise<void> {
    await this.watch.stop();
  }

  /** Each listed event is handed on at once; the uids of all of them once the list is complete. */
  private receiveList(): ListReceiver<EventObject> {
    const uids = new Set<string>();
    return {
      add: event => {
        if (event.metadata?.uid) uids.add(event.metadata.uid);
        this.handlers.onEvent(event);
      },
      end: () => {
        this.lists++;
        this.handlers.onList?.(uids);
      },
    };
  }
}
