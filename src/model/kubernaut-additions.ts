/**
 * rr-gateway's additions to kubernaut's RemediationRequest v1alpha1 schema
 * (crds/remediationrequest.yaml). Removing these from our CRD gives
 * kubernaut's schema: test/helpers/kubernaut-schema.ts does exactly that, and
 * docs/kubernaut.md explains each one. Everything else in our CRD is
 * kubernaut's, field for field.
 */
export const KUBERNAUT_ADDITIONS = {
  /** Dotted paths under openAPIV3Schema's properties. */
  fields: ["status.deduplication.resolvedCount", "status.deduplication.lastResolvedAt", "status.deduplication.duplicateOf", "status.deduplication.countedEvents", "status.stormAggregation"],
  /** additionalPrinterColumns, by name. */
  printerColumns: ["Occurrences", "Storm"],
  /** selectableFields, by jsonPath. */
  selectableFields: [] as string[],
} as const;
