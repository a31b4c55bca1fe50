import type { CountedEvent } from "../model/remediation-request";
import type { EventSeriesMark } from "../signal/signal";

/** A counted Event is forgotten this long after it was last counted: far beyond the API server's event TTL (1 h by default). */
export const COUNTED_EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;
/** At most this many Event objects are remembered per RR (the newest); the CRD's maxItems. */
export const MAX_COUNTED_EVENTS = 64;

/** What a batch brings: the occurrences each item adds, and the watermark after it. */
export interface NewOccurrences {
  /** Per item: occurrences to add (a signal without event marks is one occurrence). */
  added: number[];
  /** The watermark after the batch (unchanged when no item carries event marks). */
  next: CountedEvent[];
}

/**
 * The occurrences a batch adds on top of an RR's watermark. An item that
 * carries event marks (the built-in event source) adds, per Event object,
 * only what its cumulative count has beyond what is already counted: a relist,
 * a restart, a second watcher or a retry re-sends the same cumulative count
 * and adds 0. An item without marks (an HTTP signal) is one occurrence.
 * Items are taken in order, so two marks of one Event in a batch add its
 * occurrences once.
 */
export function newOccurrences(counted: readonly CountedEvent[] | undefined, items: readonly (readonly EventSeriesMark[] | undefined)[], now: string): NewOccurrences {
  const seen = new Map((counted ?? []).map(c => [c.uid, c]));
  let changed = false;
  const added = items.map(marks => {
    if (!marks) return 1;
    let sum = 0;
    for (const mark of marks) {
      const before = seen.get(mark.uid)?.count ?? 0;
      if (mark.count <= before) continue;
      sum += mark.count - before;
      seen.set(mark.uid, { uid: mark.uid, count: mark.count, countedAt: now });
      changed = true;
    }
    return sum;
  });
  return { added, next: changed ? prune([...seen.values()], now) : [...(counted ?? [])] };
}

/** True when every mark is already counted in the watermark: the batch has nothing new to record. */
export function allCounted(counted: readonly CountedEvent[] | undefined, marks: readonly EventSeriesMark[]): boolean {
  const seen = new Map((counted ?? []).map(c => [c.uid, c.count]));
  return marks.every(mark => mark.count <= (seen.get(mark.uid) ?? 0));
}

/** Drops entries counted longer ago than the retention, then keeps the newest MAX_COUNTED_EVENTS. */
export function prune(counted: readonly CountedEvent[], now: string): CountedEvent[] {
  const oldest = Date.parse(now) - COUNTED_EVENT_RETENTION_MS;
  return counted
    .filter(c => !(Date.parse(c.countedAt) < oldest))
    .sort((a, b) => (a.countedAt < b.countedAt ? 1 : a.countedAt > b.countedAt ? -1 : 0))
    .slice(0, MAX_COUNTED_EVENTS);
}
