/**
 * Server-side apply field managers: one per writer and status section.
 * Applies are never forced, so the API server rejects (409) any write to a
 * field another manager owns. See docs/ownership.md.
 */
export const FIELD_MANAGERS = {
  /** metadata.labels and spec, written once at creation. */
  gateway: "gateway",
  /** status.deduplication */
  deduplication: "gateway-deduplication",
  /** status.stormAggregation */
  storm: "gateway-storm",
  /** status.overallPhase and the other lifecycle fields. */
  orchestrator: "remediation-orchestrator",
} as const;

export type FieldManager = (typeof FIELD_MANAGERS)[keyof typeof FIELD_MANAGERS];
