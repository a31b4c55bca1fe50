import { ANNOTATIONS, LABELS, type NewRemediationRequest, type RemediationRequestSpec } from "../model/remediation-request";
import { fingerprintLabelValue, type FingerprintStrategy } from "./fingerprint";
import { MAX_CLUSTER_ID_LENGTH, MAX_SEVERITY_LENGTH, MAX_SIGNAL_SOURCE_LENGTH } from "../signal/limits";
import { SIGNAL_SOURCES, SIGNAL_TYPE, type Signal } from "../signal/signal";
import { clip } from "../signal/text";

/** Signals larger than this are not copied into spec.originalPayload (kept well under etcd's object size limit). */
export const MAX_ORIGINAL_PAYLOAD_BYTES = 65_536;

/** The label kubernaut's gateway reads the cluster from (its ClusterLabelKey). */
export const CLUSTER_LABEL = "cluster";

/** Label values: at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric. */
function labelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/**
 * kubernaut's CRD wants a severity of 1 to 50 characters: an empty one is
 * "unknown" (kubernaut's fallback), a longer one is cut.
 */
export function kubernautSeverity(severity: string): string {
  return clip(severity, MAX_SEVERITY_LENGTH) || "unknown";
}

/** The RR a signal's first occurrence creates: labels, annotations and spec (status follows by apply). */
export function newRemediationRequest(args: {
  name: string;
  signal: Signal;
  fingerprint: string;
  strategy: FingerprintStrategy;
  predecessorName?: string;
  receivedAt: string;
  /** spec.clusterID when the signal has no `cluster` label (a gateway setting). */
  clusterId?: string;
}): NewRemediationRequest {
  const { signal } = args;
  const annotations: Record<string, string> = { [ANNOTATIONS.createdAt]: args.receivedAt };
  if (args.predecessorName) annotations[ANNOTATIONS.predecessor] = args.predecessorName;
  const signalSource = clip(SIGNAL_SOURCES[signal.source], MAX_SIGNAL_SOURCE_LENGTH);
  return {
    metadata: {
      name: args.name,
      labels: {
        [LABELS.fingerprint]: fingerprintLabelValue(args.fingerprint),
        [LABELS.signalSource]: signalSource,
        [LABELS.severity]: labelValue(signal.severity),
        [LABELS.fingerprintStrategy]: args.strategy,
        [LABELS.managedBy]: "rr-gateway",
        [LABELS.component]: "remediation",
      },
      annotations,
    },
    spec: remediationRequestSpec(args.fingerprint, signal, args.receivedAt, args.clusterId, signalSource),
  };
}

function remediationRequestSpec(fingerprint: string, signal: Signal, receivedAt: string, clusterIdSetting: string | undefined, signalSource: string): RemediationRequestSpec {
  const { kind, name, namespace, apiVersion } = signal.target;
  const clusterId = clip(signal.labels[CLUSTER_LABEL] || clusterIdSetting || "", MAX_CLUSTER_ID_LENGTH);
  const original = JSON.stringify(signal.original) ?? "null";
  return {
    signalFingerprint: fingerprint,
    signalName: signal.name,
    severity: kubernautSeverity(signal.severity),
    signalType: SIGNAL_TYPE,
    signalSource,
    targetType: "kubernetes",
    targetResource: { kind, name, ...(namespace ? { namespace } : {}), ...(apiVersion ? { apiVersion } : {}) },
    ...(clusterId ? { clusterID: clusterId } : {}),
    // kubernaut requires firingTime: a source that gave none fired when it was received.
    firingTime: signal.firingTime ?? receivedAt,
    receivedTime: receivedAt,
    signalLabels: signal.labels,
    signalAnnotations: signal.annotations,
    providerData: JSON.stringify({ namespace: namespace ?? "", labels: signal.labels, origin: signal.origin }),
    originalPayload: Buffer.byteLength(original) <= MAX_ORIGINAL_PAYLOAD_BYTES ? original : undefined,
  };
}
