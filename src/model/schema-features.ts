/**
 * rr-gateway's optional features and the status fields each one writes: the
 * fields src/model/kubernaut-additions.ts adds to kubernaut's schema. Under kubernaut's own
 * CRD these fields are not declared, the API server refuses an apply that
 * sets them, and the feature is off (reported at start, in /readyz and in
 * the rr_gateway_feature_enabled metric) instead of failing signal after signal.
 */
export const OPTIONAL_FEATURES = {
  stormAggregation: {
    name: "storm-aggregation",
    fields: ["status.stormAggregation.aggregatedCount", "status.stormAggregation.isPartOfStorm", "status.stormAggregation.stormDetectedAt"],
  },
  resolvedCounts: {
    name: "resolved-counts",
    fields: ["status.deduplication.resolvedCount", "status.deduplication.lastResolvedAt"],
  },
  duplicateMarking: {
    name: "duplicate-marking",
    fields: ["status.deduplication.duplicateOf"],
  },
  eventWatermarks: {
    name: "event-watermarks",
    fields: ["status.deduplication.countedEvents"],
  },
} as const;

export type Feature = keyof typeof OPTIONAL_FEATURES;
export type FeatureSet = Record<Feature, boolean>;

export const ALL_FEATURES_ON: FeatureSet = { stormAggregation: true, resolvedCounts: true, duplicateMarking: true, eventWatermarks: true };

/** The part of an OpenAPI v3 schema needed to tell whether a field is declared. */
export interface DeclaredSchema {
  properties?: Record<string, DeclaredSchema>;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

/** Whether a dotted path (status.deduplication.resolvedCount) is declared under a CRD's openAPIV3Schema. */
export function isDeclared(schema: DeclaredSchema, path: string): boolean {
  let node: DeclaredSchema | undefined = schema;
  for (const key of path.split(".")) {
    if (node["x-kubernetes-preserve-unknown-fields"]) return true;
    node = node.properties?.[key];
    if (!node) return false;
  }
  return true;
}

/** Which optional features an installed RemediationRequest schema has room for. */
export function featuresOf(schema: DeclaredSchema): FeatureSet {
  const set = { ...ALL_FEATURES_ON };
  for (const feature of Object.keys(OPTIONAL_FEATURES) as Feature[]) {
    set[feature] = OPTIONAL_FEATURES[feature].fields.every(field => isDeclared(schema, field));
  }
  return set;
}

/** The names of the features that are off, for logs and /readyz ("storm-aggregation", ...). */
export function featuresOff(set: FeatureSet): string[] {
  return (Object.keys(OPTIONAL_FEATURES) as Feature[]).filter(f => !set[f]).map(f => OPTIONAL_FEATURES[f].name);
}
