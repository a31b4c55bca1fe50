import { ANNOTATIONS, type RemediationRequest } from "../model/remediation-request";

/**
 * The two rules that keep the chain of RR names (src/dedup/naming.ts) from
 * handing out a name twice, so that a create can be decided without reading
 * the problem's RRs from the API server (docs/exactly-once.md, "Creating
 * without a read"). The module's admission webhook enforces the deletion side
 * (src/module/deletion-guard.ts); the gateway honours the creation side.
 */
export interface ChainSafety {
  /** No RR is deleted before it is this old (GATEWAY_RR_MIN_AGE_SECONDS). */
  minAgeMs: number;
  /** An RR whose successor was claimed is not deleted for this long after the claim (GATEWAY_SUCCESSOR_CLAIM_HOLD_SECONDS). */
  claimHoldMs: number;
}

export const DEFAULT_CHAIN_SAFETY: ChainSafety = { minAgeMs: 3_600_000, claimHoldMs: 300_000 };

/** Milliseconds since the RR was created (API server clock), or Infinity when it has no creationTimestamp. */
export function ageMs(rr: RemediationRequest, now: number): number {
  const created = Date.parse(rr.metadata.creationTimestamp ?? "");
  return Number.isNaN(created) ? Infinity : now - created;
}

/**
 * Whether the successor of `predecessor` must be claimed first (an
 * annotation written on the predecessor with its resourceVersion as
 * precondition): yes once the predecessor is half the minimum age old,
 * because from the minimum age on it may be deleted. A younger one cannot be
 * deleted before the create lands, so the create alone decides.
 */
export function needsSuccessionClaim(predecessor: RemediationRequest, now: number, safety: ChainSafety): boolean {
  return ageMs(predecessor, now) >= safety.minAgeMs / 2;
}

/**
 * Why deleting this RR now could let a name of its chain be handed out
 * twice, or undefined when it may go: it is younger than the minimum age, or
 * its successor was claimed less than the hold ago (an unreadable claim
 * counts as recent: fix or remove the annotation to delete).
 */
export function deletionRefusal(rr: RemediationRequest, now: number, safety: ChainSafety): string | undefined {
  const name = rr.metadata.name ?? "the RemediationRequest";
  const age = ageMs(rr, now);
  if (age < safety.minAgeMs) {
    return `${name} is ${seconds(age)} old: RemediationRequests are kept at least ${seconds(safety.minAgeMs)} (GATEWAY_RR_MIN_AGE_SECONDS), so that the gateway can create a problem's next RR without reading its history; delete it after ${new Date(now + safety.minAgeMs - age).toISOString()}`;
  }
  const claim = rr.metadata.annotations?.[ANNOTATIONS.successorClaimedAt];
  if (claim === undefined) return undefined;
  const claimedAt = Date.parse(claim);
  if (Number.isNaN(claimedAt)) return `${name} has an unreadable ${ANNOTATIONS.successorClaimedAt} annotation (${JSON.stringify(claim)}): remove it to delete the RR`;
  if (now - claimedAt < safety.claimHoldMs) {
    return `the gateway is creating the successor of ${name} (claimed at ${claim}): it can be deleted after ${new Date(claimedAt + safety.claimHoldMs).toISOString()}`;
  }
  return undefined;
}

function seconds(ms: number): string {
  return Number.isFinite(ms) ? `${Math.max(0, Math.floor(ms / 1000))} s` : "of unknown age";
}
