import { featuresOf } from "../../src/model/schema-features";
import { kubernautCrd, ourCrd } from "./kubernaut-schema";

describe("kubernaut's schema, derived as our CRD minus our additions", () => {
  const schema = kubernautCrd().spec.versions[0];
  const status = (schema.schema.openAPIV3Schema.properties as Record<string, { properties: Record<string, { properties?: Record<string, unknown> }> }>).status;

  it("has none of our optional fields, so every optional feature is off under it", () => {
    expect(Object.keys(status.properties)).not.toContain("stormAggregation");
    expect(Object.keys(status.properties.deduplication.properties!).sort()).toEqual(["firstSeenAt", "lastSeenAt", "occurrenceCount"]);
    expect(featuresOf(schema.schema.openAPIV3Schema)).toEqual({ stormAggregation: false, resolvedCounts: false, duplicateMarking: false, eventWatermarks: false });
  });

  it("keeps kubernaut's printer columns and selectable fields, and only those", () => {
    expect(schema.additionalPrinterColumns!.map(c => c.name)).toEqual(["Phase", "Outcome", "Alert", "RCA Target", "Workflow", "Confidence", "Age", "Cluster", "Source", "Signal NS", "Signal Target", "RCA NS"]);
    expect(schema.selectableFields!.map(f => f.jsonPath)).toEqual([".spec.signalFingerprint", ".spec.signalType", ".spec.severity", ".spec.clusterID"]);
  });

  it("leaves our CRD as it is", () => {
    expect(JSON.stringify(ourCrd())).toContain("stormAggregation");
  });
});
