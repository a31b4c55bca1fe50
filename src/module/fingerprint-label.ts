import { fingerprintLabelValue } from "../dedup/fingerprint";
import { LABELS } from "../model/remediation-request";

/** The parts of an RR the admission check reads. */
export interface LabelledRR {
  metadata?: { labels?: Record<string, string> };
  spec?: { signalFingerprint?: unknown };
}

/**
 * Why an RR must be refused, or undefined when it may be stored: its
 * fingerprint label (kubernaut.ai/signal-fingerprint, the first 63 of the 64
 * hex digits) must agree with spec.signalFingerprint, or label-based tools
 * would find the wrong problem's RRs. An RR without the label is accepted
 * (label-based tools simply do not see it); the CRD's schema checks the
 * fingerprint's own format.
 */
export function fingerprintLabelProblem(rr: LabelledRR): string | undefined {
  const label = rr.metadata?.labels?.[LABELS.fingerprint];
  if (label === undefined) return undefined;
  const fingerprint = rr.spec?.signalFingerprint;
  if (typeof fingerprint !== "string") return `label ${LABELS.fingerprint} is set but spec.signalFingerprint is missing`;
  const expected = fingerprintLabelValue(fingerprint);
  if (label !== expected) {
    return `label ${LABELS.fingerprint}=${JSON.stringify(label)} does not match spec.signalFingerprint: it must be ${JSON.stringify(expected)} (the fingerprint's first ${expected.length} characters)`;
  }
  return undefined;
}
