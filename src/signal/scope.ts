import type { TargetRef } from "./signal";

/**
 * Scope filtering, as kubernaut decides it (pkg/shared/scope/manager.go,
 * pkg/gateway/scope.go): only resources opted in with the label
 * `kubernaut.ai/managed` are remediated.
 *
 *   1. the target's own label, for the kinds kubernaut reads it of;
 *   2. a cluster-scoped target (or one without a namespace) has nothing to
 *      fall back on: unmanaged;
 *   3. the label of the target's namespace;
 *   4. no label anywhere: unmanaged (the safe default).
 *
 * Only "true" and "false" count; any other value is as if unset. A target
 * that does not exist simply has no label (step 1 passes). Pure: the labels
 * come from the caller's watch caches.
 */

export const MANAGED_LABEL = "kubernaut.ai/managed";

/** GATEWAY_SCOPE: kubernaut's label rule, or every signal passes. */
export const SCOPE_MODES = ["managed-label", "all"] as const;
export type ScopeMode = (typeof SCOPE_MODES)[number];

/** Kinds whose own label kubernaut reads (its kindToGroup); for any other kind only the namespace counts. */
export const RESOURCE_LABEL_KINDS: ReadonlySet<string> = new Set([
  "Pod",
  "Node",
  "Service",
  "ConfigMap",
  "Secret",
  "Namespace",
  "PersistentVolume",
  "ReplicaSet",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
]);

/** Cluster-scoped kinds: no namespace label to fall back on (kubernaut's clusterScopedKinds). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Node",
  "PersistentVolume",
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "StorageClass",
  "CustomResourceDefinition",
  "ClusterOperator",
  "ClusterVersion",
  "IngressClass",
  "PriorityClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "RuntimeClass",
  "APIService",
  "CertificateSigningRequest",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "ClusterNetwork",
  "Infrastructure",
]);

/** What the label says: true, false, or nothing (absent, or any value but "true"/"false"). */
export function managedLabelValue(value: string | undefined): boolean | undefined {
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

export interface ScopeInput {
  target: TargetRef;
  /** The target's own kubernaut.ai/managed value; undefined when unlabelled, missing, or of a kind not read. */
  resourceLabel?: string;
  /** The target namespace's kubernaut.ai/managed value; undefined when unlabelled or missing. */
  namespaceLabel?: string;
}

/** Why a signal is (or is not) in scope: for logs. "all": GATEWAY_SCOPE=all lets everything through. */
export type ScopeReason = "resource-label" | "namespace-label" | "cluster-scoped-unlabelled" | "no-label" | "all";

export interface ScopeDecision {
  managed: boolean;
  reason: ScopeReason;
}

export function decideScope({ target, resourceLabel, namespaceLabel }: ScopeInput): ScopeDecision {
  const own = RESOURCE_LABEL_KINDS.has(target.kind) ? managedLabelValue(resourceLabel) : undefined;
  if (own !== undefined) return { managed: own, reason: "resource-label" };
  if (CLUSTER_SCOPED_KINDS.has(target.kind) || target.namespace === "") return { managed: false, reason: "cluster-scoped-unlabelled" };
  const inherited = managedLabelValue(namespaceLabel);
  if (inherited !== undefined) return { managed: inherited, reason: "namespace-label" };
  return { managed: false, reason: "no-label" };
}

/** kubernaut's `rejection` member of the answer to an unmanaged signal. */
export interface ScopeRejection {
  status: "rejected";
  reason: "unmanaged_resource";
  message: string;
  /** "namespace:Kind:name", or "Kind:name" without a namespace. */
  resource: string;
  /** The kubectl command that opts the resource in. */
  action: string;
}

/** The answer's message and rejection for an unmanaged target, word for word kubernaut's (NewRejectedResponse). */
export function scopeRejection(target: TargetRef): { message: string; rejection: ScopeRejection } {
  const resource = target.namespace ? `${target.namespace}:${target.kind}:${target.name}` : `${target.kind}:${target.name}`;
  const kubectlResource = target.kind ? target.kind.toLowerCase() : "resource";
  const where = target.namespace ? `-n ${target.namespace} ` : "";
  return {
    message: `Signal rejected: resource ${resource} is not managed by Kubernaut`,
    rejection: {
      status: "rejected",
      reason: "unmanaged_resource",
      message: `Resource ${resource} is not in Kubernaut's management scope`,
      resource,
      action: `To manage this resource, add the label: kubectl label ${where}${kubectlResource} ${target.name} ${MANAGED_LABEL}=true`,
    },
  };
}
