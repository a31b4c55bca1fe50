import type { DeduplicationStatus } from "../model/remediation-request";
import type { SignalStatus } from "../signal/signal";

/** Each item's place in the count: firing items get the next occurrence numbers in arrival order. */
export interface CountedItem {
  status: SignalStatus;
  /** The RR's occurrenceCount after this item (for a resolved item: the count it saw). */
  count: number;
  /** Occurrences this item added (a firing signal 1; an event source signal what its events bring, maybe 0). */
  added: number;
}

export interface CountedBatch {
  next: DeduplicationStatus;
  items: CountedItem[];
}

/**
 * The deduplication section after recording a batch: firing signals add to
 * occurrenceCount (getting base+1..base+k), resolved ones to resolvedCount.
 * Always returns the whole section, since an apply that leaves a field out
 * gives it up.
 *
 * @param occurrences per item, the occurrences a firing item adds (default 1
 *   each; the event source's items add what their Event objects bring, see
 *   event-watermarks.ts).
 */
export function countBatch(current: DeduplicationStatus | undefined, statuses: readonly SignalStatus[], now: string, occurrences?: readonly number[]): CountedBatch {
  const base = current?.occurrenceCount ?? 0;
  let count = base;
  let resolved = current?.resolvedCount ?? 0;
  const items = statuses.map((status, i): CountedItem => {
    if (status === "firing") {
      const added = occurrences?.[i] ?? 1;
      count += added;
      return { status, count, added };
    }
    resolved++;
    return { status, count, added: 0 };
  });
  return { next: nextSection(current ?? {}, count, resolved, now), items };
}

/** The whole section after a batch took occurrenceCount to count and resolvedCount to resolved. */
function nextSection(current: DeduplicationStatus, count: number, resolved: number, now: string): DeduplicationStatus {
  const next: DeduplicationStatus = {
    occurrenceCount: count,
    firstSeenAt: current.firstSeenAt ?? now,
    lastSeenAt: count > (current.occurrenceCount ?? 0) ? now : (current.lastSeenAt ?? now),
  };
  if (resolved > 0) next.resolvedCount = resolved;
  const lastResolvedAt = resolved > (current.resolvedCount ?? 0) ? now : current.lastResolvedAt;
  if (lastResolvedAt) next.lastResolvedAt = lastResolvedAt;
  // Set by the duplicate detector under the same field manager: carried along, or the apply would give it up.
  if (current.duplicateOf) next.duplicateOf = current.duplicateOf;
  // The event source's watermark, same manager: carried along (the recorder sets the new one when events are counted).
  if (current.countedEvents?.length) next.countedEvents = current.countedEvents;
  return next;
}
