import { isTerminal } from "../model/phases";
import { ANNOTATIONS, type RemediationRequest } from "../model/remediation-request";
import { remediationRequestName } from "./naming";

/** What to do with a firing signal, given the RRs of its fingerprint. */
export type Decision =
  | { action: "duplicate"; rr: RemediationRequest }
  | { action: "create"; name: string; predecessor?: RemediationRequest };

export function isActive(rr: RemediationRequest): boolean {
  return !isTerminal(rr.status?.overallPhase);
}

/**
 * A terminal RR that kubernaut's RO holds: its outcome asks for a manual
 * review, or its routingStatus says not to run again before a time still to
 * come. kubernaut's gateway counts the problem's repeats on such an RR
 * instead of opening a new one (pkg/gateway/processing/phase_checker.go).
 */
export function isHeld(rr: RemediationRequest, now: number): boolean {
  if (rr.status?.completionStatus?.outcome === "ManualReviewRequired") return true;
  const nextAllowed = Date.parse(rr.status?.routingStatus?.nextAllowedExecution ?? "");
  return !Number.isNaN(nextAllowed) && nextAllowed > now;
}

/** Whether a signal of the RR's problem is counted on it (rather than opening a new RR). */
export function takesRepeats(rr: RemediationRequest, now: number): boolean {
  return isActive(rr) || isHeld(rr, now);
}

/** Oldest first: creationTimestamp, then name, so every replica orders alike. */
export function byAge(a: RemediationRequest, b: RemediationRequest): number {
  const ta = a.metadata.creationTimestamp ?? "";
  const tb = b.metadata.creationTimestamp ?? "";
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1;
}

/**
 * A signal for a problem with an active RR is a duplicate of it (the oldest,
 * should there ever be two); without one, of the newest RR the RO holds
 * (isHeld). Otherwise it creates the successor of the newest terminal RR at
 * the head of the chain (the one no other RR names as its predecessor), or
 * the problem's first RR.
 */
export function decide(fingerprint: string, rrs: readonly RemediationRequest[], now = Date.now()): Decision {
  const active = rrs.filter(isActive).sort(byAge);
  if (active.length > 0) return { action: "duplicate", rr: active[0] };
  const held = rrs.filter(rr => isHeld(rr, now)).sort(byAge);
  if (held.length > 0) return { action: "duplicate", rr: held.at(-1)! };
  const predecessors = new Set(rrs.map(rr => rr.metadata.annotations?.[ANNOTATIONS.predecessor]).filter(Boolean));
  const heads = rrs.filter(rr => !predecessors.has(rr.metadata.name)).sort(byAge);
  const head = heads.at(-1) ?? [...rrs].sort(byAge).at(-1);
  if (!head) return { action: "create", name: remediationRequestName(fingerprint) };
  return { action: "create", name: remediationRequestName(fingerprint, head.metadata.uid), predecessor: head };
}
