/** The RemediationRequest custom resource (crds/remediationrequest.yaml). */

export const RR_GROUP = "kubernaut.ai";
export const RR_VERSION = "v1alpha1";
export const RR_API_VERSION = `${RR_GROUP}/${RR_VERSION}`;
export const RR_KIND = "RemediationRequest";
export const RR_PLURAL = "remediationrequests";

/** Labels the gateway sets at creation. Label values hold at most 63 characters. */
export const LABELS = {
  /** The first 63 of the fingerprint's 64 hex digits (see fingerprintLabelValue). */
  fingerprint: "kubernaut.ai/signal-fingerprint",
  signalType: "kubernaut.ai/signal-type",
  severity: "kubernaut.ai/severity",
  fingerprintStrategy: "kubernaut.ai/fingerprint-strategy",
  managedBy: "app.kubernetes.io/managed-by",
} as const;

export const ANNOTATIONS = {
  /** Name of the terminal RR this one succeeds, if any. */
  predecessor: "kubernaut.ai/predecessor",
} as const;

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: ManagedFieldsEntry[];
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}

export interface TargetResource {
  kind?: string;
  name?: string;
  namespace?: string;
  apiVersion?: string;
}

export interface RemediationRequestSpec {
  signalFingerprint: string;
  signalName: string;
  severity?: string;
  signalType?: string;
  signalSource?: string;
  targetType?: string;
  targetResource?: TargetResource;
  firingTime?: string;
  receivedTime?: string;
  signalLabels?: Record<string, string>;
  signalAnnotations?: Record<string, string>;
  /** base64 of the signal as received. */
  originalPayload?: string;
}

export interface DeduplicationStatus {
  occurrenceCount?: number;
  firstSeenAt?: string;
  lastSeenAt?: string;
  resolvedCount?: number;
  lastResolvedAt?: string;
  /**
   * Set (rarely) when this RR was found active next to an older active RR of
   * the same problem: the name of that RR, which keeps receiving the counts.
   * See docs/exactly-once.md.
   */
  duplicateOf?: string;
}

export interface StormAggregationStatus {
  aggregatedCount?: number;
  isPartOfStorm?: boolean;
  stormDetectedAt?: string;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** The status fields the orchestrator owns. */
export interface LifecycleStatus {
  overallPhase?: string;
  startTime?: string;
  completedAt?: string;
  processingStartTime?: string;
  analyzingStartTime?: string;
  executingStartTime?: string;
  verifyingStartTime?: string;
  blockedAt?: string;
  message?: string;
  observedGeneration?: number;
  routingStatus?: {
    blockReason?: string;
    blockMessage?: string;
    blockedUntil?: string;
    consecutiveFailureCount?: number;
  };
  completionStatus?: {
    outcome?: string;
    failurePhase?: string;
    failureReason?: string;
  };
  conditions?: Condition[];
}

export interface RemediationRequestStatus extends LifecycleStatus {
  deduplication?: DeduplicationStatus;
  stormAggregation?: StormAggregationStatus;
}

export interface RemediationRequest {
  apiVersion: typeof RR_API_VERSION;
  kind: typeof RR_KIND;
  metadata: ObjectMeta;
  spec: RemediationRequestSpec;
  status?: RemediationRequestStatus;
}

/** What a creator sends: identity, labels and spec (the API server drops status on create). */
export interface NewRemediationRequest {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: RemediationRequestSpec;
}

/** The status sections, each written by exactly one field manager. */
export type StatusSection = Partial<RemediationRequestStatus>;
