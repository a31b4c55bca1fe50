import type { RemediationRequestSpec } from "../../src/model/remediation-request";

/**
 * A spec that kubernaut's CRD accepts (every required field set), for tests
 * that care about one or two of its fields: pass those as overrides.
 */
export function testSpec(signalFingerprint: string, overrides: Partial<RemediationRequestSpec> = {}): RemediationRequestSpec {
  return {
    signalFingerprint,
    signalName: "TestAlert",
    severity: "warning",
    signalType: "alert",
    signalSource: "prometheus",
    targetType: "kubernetes",
    targetResource: { kind: "Pod", name: "web-0", namespace: "default", apiVersion: "v1" },
    firingTime: "2026-12-01T10:00:00Z",
    receivedTime: "2026-12-01T10:00:01Z",
    ...overrides,
  };
}
