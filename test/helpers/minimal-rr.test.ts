import { minimalRR, minimalSpec } from "./minimal-rr";

describe("minimalSpec", () => {
  it("fills every field kubernaut's CRD requires, with a valid fingerprint", () => {
    const spec = minimalSpec();
    for (const field of ["signalFingerprint", "signalName", "severity", "signalType", "targetType", "targetResource", "firingTime", "receivedTime"] as const) expect(spec[field]).toBeDefined();
    expect(spec.signalFingerprint).toMatch(/^[a-f0-9]{64}$/);
  });

  it("keeps the overrides", () => {
    expect(minimalSpec({ signalName: "DiskFull", severity: "critical" })).toMatchObject({ signalName: "DiskFull", severity: "critical" });
  });
});

describe("minimalRR", () => {
  it("wraps the spec with identity and the given status", () => {
    const rr = minimalRR({ metadata: { name: "a" }, status: { overallPhase: "Failed" } });
    expect(rr).toMatchObject({ apiVersion: "kubernaut.ai/v1alpha1", kind: "RemediationRequest", metadata: { name: "a" }, status: { overallPhase: "Failed" } });
  });
});
