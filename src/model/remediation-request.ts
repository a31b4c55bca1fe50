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
  /** spec.signalSource: prometheus or kubernetes-events. */
  signalSource: "kubernaut.ai/signal-source",
  severity: "kubernaut.ai/severity",
  fingerprintStrategy: "kubernaut.ai/fingerprint-strategy",
  managedBy: "app.kubernetes.io/managed-by",
  /** kubernaut's gateway sets it to "remediation". */
  component: "app.kubernetes.io/component",
} as const;

export const ANNOTATIONS = {
  /** Name of the terminal RR this one succeeds, if any. */
  predecessor: "kubernaut.ai/predecessor",
  /** When the gateway created the RR (RFC 3339), as kubernaut's gateway records it. */
  createdAt: "kubernaut.ai/created-at",
  /**
   * Set by the gateway on a terminal RR (RFC 3339) just before it creates the
   * RR's successor, when the RR is old enough to be deleted: the admission
   * webhook then refuses its deletion for a while (src/dedup/chain-safety.ts).
   */
  successorClaimedAt: "kubernaut.ai/successor-claimed-at",
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
  kind: string;
  name: string;
  /** Absent for cluster-scoped kinds. */
  namespace?: string;
  apiVersion?: string;
}

/** Target clouds kubernaut's CRD allows in spec.targetType; the gateway always writes "kubernetes". */
export const TARGET_TYPES = ["kubernetes", "aws", "azure", "gcp", "datadog"] as const;

/** spec: kubernaut's RemediationRequestSpec, field for field. */
export interface RemediationRequestSpec {
  signalFingerprint: string;
  signalName: string;
  /** 1 to 50 characters in kubernaut's CRD. */
  severity: string;
  signalType: string;
  /** At most 63 characters in kubernaut's CRD. */
  signalSource?: string;
  targetType: (typeof TARGET_TYPES)[number];
  targetResource: TargetResource;
  clusterID?: string;
  firingTime: string;
  receivedTime: string;
  signalLabels?: Record<string, string>;
  signalAnnotations?: Record<string, string>;
  /** JSON text: source-specific data (kubernaut's gateway writes {namespace, labels}). */
  providerData?: string;
  /** The signal as received, as JSON text (RRs written before v0.2 hold base64: see readOriginalPayload). */
  originalPayload?: string;
}

export interface DeduplicationStatus {
  occurrenceCount?: number;
  firstSeenAt?: string;
  lastSeenAt?: string;
  /** rr-gateway's addition (src/model/kubernaut-additions.ts). */
  resolvedCount?: number;
  /** rr-gateway's addition (src/model/kubernaut-additions.ts). */
  lastResolvedAt?: string;
  /**
   * rr-gateway's addition. Set (rarely) when this RR was found active next to
   * an older active RR of the same problem: the name of that RR, which keeps
   * receiving the counts. See docs/exactly-once.md.
   */
  duplicateOf?: string;
  /**
   * rr-gateway's addition: the watermark of the built-in event source. Per
   * Kubernetes Event object counted on this RR (or its predecessors), the
   * occurrences of it already counted, so a relist, a restart or a new leader
   * adds only what is new (src/dedup/event-watermarks.ts, docs/events.md).
   */
  countedEvents?: CountedEvent[];
}

/** One Event object's occurrences counted so far (status.deduplication.countedEvents). */
export interface CountedEvent {
  /** The Event's metadata.uid. */
  uid: string;
  /** Its occurrences counted: count, or series.count (a new event is 1). */
  count: number;
  /** When they were last counted (entries are dropped a day after, long after the Event's TTL). */
  countedAt: string;
}

/** rr-gateway's addition (src/model/kubernaut-additions.ts). */
export interface StormAggregationStatus {
  aggregatedCount?: number;
  isPartOfStorm?: boolean;
  stormDetectedAt?: string;
}

/** metav1.Condition: every field but observedGeneration is required by kubernaut's CRD. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  /** CamelCase, [A-Za-z][A-Za-z0-9_,:]*, at least one character. */
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface ObjectReference {
  apiVersion?: string;
  fieldPath?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
}

export interface PhaseProgress {
  processingStartTime?: string;
  analyzingStartTime?: string;
  executingStartTime?: string;
  verificationDeadline?: string;
  signalProcessingRef?: ObjectReference;
  remediationProcessingRef?: ObjectReference;
  aiAnalysisRef?: ObjectReference;
  workflowExecutionRef?: ObjectReference;
  effectivenessAssessmentRef?: ObjectReference;
  currentProcessingRef?: ObjectReference;
}

export const SKIP_REASONS = ["RecentlyRemediated", "ResourceBusy", "ExhaustedRetries", "PreviousExecutionFailed"] as const;
export const BLOCK_REASONS = ["ConsecutiveFailures", "DuplicateInProgress", "ResourceBusy", "RecentlyRemediated", "ExponentialBackoff", "UnmanagedResource", "IneffectiveChain"] as const;
export const FAILURE_PHASES = ["Configuration", "SignalProcessing", "AIAnalysis", "Approval", "WorkflowExecution", "Blocked", "Deduplicated"] as const;
export const OUTCOMES = ["Remediated", "NoActionRequired", "ManualReviewRequired", "VerificationTimedOut", "Inconclusive", "DryRun"] as const;
export const NOTIFICATION_STATUSES = ["Pending", "InProgress", "Sent", "Failed", "Cancelled"] as const;

export type BlockReason = (typeof BLOCK_REASONS)[number];
export type FailurePhase = (typeof FAILURE_PHASES)[number];
export type Outcome = (typeof OUTCOMES)[number];

export interface RoutingStatus {
  skipReason?: (typeof SKIP_REASONS)[number];
  skipMessage?: string;
  blockingWorkflowExecution?: string;
  duplicateOf?: string;
  duplicateCount?: number;
  duplicateRefs?: string[];
  deduplicatedByWE?: string;
  blockReason?: BlockReason;
  blockMessage?: string;
  blockedUntil?: string;
  /** While in the future, a terminal RR still takes its problem's repeats (kubernaut's gateway rule). */
  nextAllowedExecution?: string;
  consecutiveFailureCount?: number;
}

export interface CompletionStatus {
  failurePhase?: FailurePhase;
  failureReason?: string;
  requiresManualReview?: boolean;
  /** ManualReviewRequired: the RR takes its problem's repeats for good (kubernaut's gateway rule). */
  outcome?: Outcome;
  timeoutPhase?: string;
  timeoutTime?: string;
  notificationRequestRefs?: ObjectReference[];
  notificationStatus?: (typeof NOTIFICATION_STATUSES)[number];
  approvalNotificationSent?: boolean;
}

export interface OperatorAudit {
  lastModifiedBy?: string;
  lastModifiedAt?: string;
  preRemediationSpecHash?: string;
}

export interface WorkflowSelection {
  selectedWorkflowRef?: { workflowId: string; version: string; executionBundle: string; executionBundleDigest?: string };
  executionRef?: ObjectReference;
  remediationTarget?: TargetResource;
  targetDisplay?: string;
  confidence?: string;
  workflowDisplayName?: string;
  signalTargetDisplay?: string;
}

/** kubernaut's TimeoutConfig: Go durations ("1h0m0s"). */
export interface TimeoutConfig {
  global?: string;
  processing?: string;
  analyzing?: string;
  executing?: string;
}

/** The status fields the orchestrator owns (kubernaut's RO writes the same ones). */
export interface LifecycleStatus {
  overallPhase?: string;
  startTime?: string;
  completedAt?: string;
  message?: string;
  observedGeneration?: number;
  phaseProgress?: PhaseProgress;
  routingStatus?: RoutingStatus;
  completionStatus?: CompletionStatus;
  operatorAudit?: OperatorAudit;
  workflowSelection?: WorkflowSelection;
  retentionExpiryTime?: string;
  timeoutConfig?: TimeoutConfig;
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
