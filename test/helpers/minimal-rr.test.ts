import { minimalRR, MINIMAL_RR_FINGERPRINT } from "./minimal-rr";

describe("minimalRR", () => {
  it("wraps a spec with every field kubernaut's CRD requires, identity and the given status", () => {
    const rr = minimalRR({ metadata: { name: "a" }, status: { overallPhase: "Failed" } });
    expect(rr).toMatchObject({ apiVersion: "kubernaut.ai/v1alpha1", kind: "RemediationRequest", metadata: { name: "a", namespace: "default" }, status: { overallPhase: "Failed" } });
    for (const field of ["signalFingerprint", "signalName", "severity", "signalType", "targetType", "targetResource", "firingTime", "receivedTime"] as const) expect(rr.spec[field]).toBeDefined();
    expect(rr.spec.signalFingerprint).toBe(MINIMAL_RR_FINGERPRINT);
  });

  it("keeps spec overrides, the fingerprint included", () => {
    expect(minimalRR({ spec: { signalFingerprint: "b".repeat(64), signalName: "DiskFull" } }).spec).toMatchObject({ signalFingerprint: "b".repeat(64), signalName: "DiskFull" });
  });

  it("has no status unless given one", () => {
    expect(minimalRR().status).toBeUndefined();
  });
});
