import { ANNOTATIONS, LABELS, type NewRemediationRequest } from "../model/remediation-request";
import { fingerprintLabelValue, type FingerprintStrategy } from "./fingerprint";
import { MAX_SEVERITY_LENGTH, MAX_SIGNAL_SOURCE_LENGTH } from "./limits";
import { SIGNAL_TYPES, type Signal } from "./signal";
import { clip } from "./string-map";

/** Signals larger than this are not copied into spec.originalPayload (the CRD allows 64 KiB). */
export const MAX_ORIGINAL_PAYLOAD_BYTES = 65_536;

/** Label values: at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric. */
function labelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/** The RR a signal's first occurrence creates: labels and spec (status follows by apply). */
export function newRemediationRequest(args: {
  name: string;
  signal: Signal;
  fingerprint: string;
  strategy: FingerprintStrategy;
  predecessorName?: string;
  receivedAt: string;
}): NewRemediationRequest {
  const { signal } = args;
  const original = Buffer.from(JSON.stringify(signal.original) ?? "null");
  const annotations: Record<string, string> = {};
  if (args.predecessorName) annotations[ANNOTATIONS.predecessor] = args.predecessorName;
  return {
    metadata: {
      name: args.name,
      labels: {
        [LABELS.fingerprint]: fingerprintLabelValue(args.fingerprint),
        [LABELS.signalType]: SIGNAL_TYPES[signal.source],
        [LABELS.severity]: labelValue(signal.severity),
        [LABELS.fingerprintStrategy]: args.strategy,
        [LABELS.managedBy]: "rr-gateway",
      },
      annotations,
    },
    spec: {
      signalFingerprint: args.fingerprint,
      signalName: signal.name,
      severity: clip(signal.severity, MAX_SEVERITY_LENGTH),
      signalType: SIGNAL_TYPES[signal.source],
      signalSource: clip(signal.signalSource, MAX_SIGNAL_SOURCE_LENGTH),
      targetType: "kubernetes",
      targetResource: { ...signal.target, namespace: signal.target.namespace || undefined },
      firingTime: signal.firingTime,
      receivedTime: args.receivedAt,
      signalLabels: signal.labels,
      signalAnnotations: signal.annotations,
      originalPayload: original.length <= MAX_ORIGINAL_PAYLOAD_BYTES ? original.toString("base64") : undefined,
    },
  };
}
