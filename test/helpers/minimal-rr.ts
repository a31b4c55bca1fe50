import { createHash } from "node:crypto";
import { RR_API_VERSION, RR_KIND, RemediationRequest, RemediationRequestSpec, RemediationRequestStatus, ObjectMeta } from "../../src/model/remediation-request";

/**
 * The smallest spec kubernaut's CRD accepts (every required field: signalFingerprint,
 * signalName, severity, signalType, targetType, targetResource, firingTime,
 * receivedTime), for fixtures in unit and integration tests. Override what a
 * test is about; the rest stays valid.
 */
export function minimalSpec(overrides: Partial<RemediationRequestSpec> = {}): RemediationRequestSpec {
  const signalName = overrides.signalName ?? "TestAlert";
  return {
    signalFingerprint: createHash("sha256").update(`${signalName}:default:Pod:test-pod`).digest("hex"),
    signalName,
    severity: "warning",
    signalType: "prometheus-alert",
    targetType: "kubernetes",
    targetResource: { kind: "Pod", name: "test-pod", namespace: "default" },
    firingTime: "2025-01-01T00:00:00Z",
    receivedTime: "2025-01-01T00:00:00Z",
    ...overrides,
  };
}

/** A whole RR object (as read from the API server) around minimalSpec, for pure-function tests. */
export function minimalRR(options: { metadata?: ObjectMeta; spec?: Partial<RemediationRequestSpec>; status?: RemediationRequestStatus } = {}): RemediationRequest {
  return {
    apiVersion: RR_API_VERSION,
    kind: RR_KIND,
    metadata: { name: "rr-test", namespace: "default", creationTimestamp: "2025-01-01T00:00:00Z", ...options.metadata },
    spec: minimalSpec(options.spec),
    ...(options.status ? { status: options.status } : {}),
  };
}
