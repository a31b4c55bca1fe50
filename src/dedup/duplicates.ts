import type { RemediationRequest } from "../model/remediation-request";
import { byAge, isActive } from "./decision";

/** An active RR found next to an older active RR of the same problem. */
export interface Duplicate {
  rr: RemediationRequest;
  /** The RR every replica counts on (the oldest active one, as decide() picks it). */
  duplicateOf: string;
}

/**
 * The duplicates among one problem's RRs: every active RR but the oldest.
 * Empty when at most one is active, which deterministic naming guarantees
 * unless terminal RRs are deleted while signals arrive (docs/exactly-once.md).
 */
export function findDuplicates(rrs: readonly RemediationRequest[]): Duplicate[] {
  const active = rrs.filter(isActive).sort(byAge);
  if (active.length < 2) return [];
  const keeper = active[0].metadata.name!;
  return active.slice(1).map(rr => ({ rr, duplicateOf: keeper }));
}

/** The duplicates not yet recorded as such on their RR (status.deduplication.duplicateOf). */
export function unrecordedDuplicates(rrs: readonly RemediationRequest[]): Duplicate[] {
  return findDuplicates(rrs).filter(d => d.rr.status?.deduplication?.duplicateOf !== d.duplicateOf);
}
