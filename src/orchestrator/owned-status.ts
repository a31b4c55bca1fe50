import type { LifecycleStatus, RemediationRequestStatus } from "../model/remediation-request";

/**
 * The status fields the orchestrator owns under its field manager: kubernaut's
 * own RO fields, nothing of rr-gateway's additions (src/model/kubernaut-additions.ts), so it
 * works unchanged under kubernaut's CRD. An allowlist, so status.deduplication
 * and status.stormAggregation (the gateway's) can never end up in one of its
 * applies.
 *
 * Server-side apply rule: every apply sends the whole owned section, because
 * a field left out of an apply is released by this manager and deleted.
 * (kubernaut's RO also writes operatorAudit, workflowSelection,
 * retentionExpiryTime and timeoutConfig; the mock has nothing to say there.)
 */
export const OWNED_FIELDS = [
  "overallPhase",
  "startTime",
  "completedAt",
  "message",
  "observedGeneration",
  "phaseProgress",
  "routingStatus",
  "completionStatus",
  "conditions",
] as const satisfies readonly (keyof LifecycleStatus)[];

/** A deep copy of the orchestrator's fields of a status, and nothing else. */
export function ownedStatus(status: RemediationRequestStatus | undefined): LifecycleStatus {
  const owned: Record<string, unknown> = {};
  for (const key of OWNED_FIELDS) {
    if (status?.[key] !== undefined) owned[key] = structuredClone(status[key]);
  }
  return owned as LifecycleStatus;
}

/** True when two owned sections hold the same values (key order and undefined fields do not matter). */
export function sameStatus(a: LifecycleStatus, b: LifecycleStatus): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  });
}
