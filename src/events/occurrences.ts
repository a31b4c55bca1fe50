/**
 * What one Kubernetes Event object says about its occurrences. Read from the
 * object as the core/v1 API serves it (the watch's format): events written
 * through events.k8s.io/v1 show there with `series` (and `count` 0 or absent),
 * events of the older recorders with `count`.
 */

export interface EventObject {
  metadata?: { uid?: string; namespace?: string; name?: string; resourceVersion?: string; creationTimestamp?: string };
  type?: string;
  reason?: string;
  count?: number;
  series?: { count?: number; lastObservedTime?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  involvedObject?: { kind?: string; namespace?: string; name?: string };
}

/**
 * How many times the event has occurred so far: its `count`, or its
 * `series.count` (a series starts at 2: the first occurrence is the Event
 * itself), and at least 1: an Event exists because it occurred.
 */
export function occurrencesOf(event: EventObject): number {
  const count = typeof event.count === "number" && Number.isFinite(event.count) ? event.count : 0;
  const series = typeof event.series?.count === "number" && Number.isFinite(event.series.count) ? event.series.count : 0;
  return Math.max(1, Math.floor(count), Math.floor(series));
}

/** When the event last occurred (ms since epoch): series.lastObservedTime, lastTimestamp, eventTime, or creation; NaN if none. */
export function lastOccurredAt(event: EventObject): number {
  for (const time of [event.series?.lastObservedTime, event.lastTimestamp, event.eventTime, event.firstTimestamp, event.metadata?.creationTimestamp]) {
    const ms = Date.parse(time ?? "");
    if (!Number.isNaN(ms)) return ms;
  }
  return Number.NaN;
}
