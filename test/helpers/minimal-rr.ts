import { RR_API_VERSION, RR_KIND, RemediationRequest, RemediationRequestSpec, RemediationRequestStatus, ObjectMeta } from "../../src/model/remediation-request";
import { testSpec } from "./rr-spec";

/** The fingerprint of minimalRR's spec unless a test gives its own. */
export const MINIMAL_RR_FINGERPRINT = "a".repeat(64);

/**
 * A whole RR object, as read from the API server, around testSpec (every
 * field kubernaut's CRD requires), for pure-function tests of code that reads
 * RRs (the orchestrator's lifecycle, blocking, reconciler). Override what a
 * test is about; the rest stays valid.
 */
export function minimalRR(options: { metadata?: ObjectMeta; spec?: Partial<RemediationRequestSpec>; status?: RemediationRequestStatus } = {}): RemediationRequest {
  return {
    apiVersion: RR_API_VERSION,
    kind: RR_KIND,
    metadata: { name: "rr-test", namespace: "default", creationTimestamp: "2025-01-01T00:00:00Z", ...options.metadata },
    spec: testSpec(options.spec?.signalFingerprint ?? MINIMAL_RR_FINGERPRINT, options.spec),
    ...(options.status ? { status: options.status } : {}),
  };
}
