import { MAX_TARGET_NAME_LENGTH, MAX_TARGET_NAMESPACE_LENGTH } from "./limits";
import type { TargetRef } from "./signal";
import { SignalValidationError } from "./validation-error";

/**
 * Alert labels that name the affected resource, in priority order: the first
 * present wins (a pod alert also carries its deployment's label, and the pod is
 * the more precise target).
 */
export const TARGET_LABELS: readonly { label: string; kind: string; apiVersion: string; clusterScoped?: boolean }[] = [
  { label: "pod", kind: "Pod", apiVersion: "v1" },
  { label: "deployment", kind: "Deployment", apiVersion: "apps/v1" },
  { label: "statefulset", kind: "StatefulSet", apiVersion: "apps/v1" },
  { label: "daemonset", kind: "DaemonSet", apiVersion: "apps/v1" },
  { label: "replicaset", kind: "ReplicaSet", apiVersion: "apps/v1" },
  { label: "job", kind: "Job", apiVersion: "batch/v1" },
  { label: "cronjob", kind: "CronJob", apiVersion: "batch/v1" },
  { label: "node", kind: "Node", apiVersion: "v1", clusterScoped: true },
  { label: "service", kind: "Service", apiVersion: "v1" },
  { label: "persistentvolumeclaim", kind: "PersistentVolumeClaim", apiVersion: "v1" },
];

/** Finds the alert's target from its labels (see TARGET_LABELS), or says which labels are missing. */
export function targetFromLabels(labels: Record<string, string>, field = "labels"): TargetRef {
  const match = TARGET_LABELS.find(t => labels[t.label]);
  if (!match) {
    throw new SignalValidationError(field, `no target resource label: expected one of ${TARGET_LABELS.map(t => t.label).join(", ")}`);
  }
  const namespace = match.clusterScoped ? "" : (labels.namespace ?? "");
  if (!match.clusterScoped && !namespace) {
    throw new SignalValidationError(`${field}.namespace`, `required with label "${match.label}" (a ${match.kind} is namespaced)`);
  }
  const name = labels[match.label];
  if (name.length > MAX_TARGET_NAME_LENGTH) {
    throw new SignalValidationError(`${field}.${match.label}`, `is ${name.length} characters long, more than the ${MAX_TARGET_NAME_LENGTH} a Kubernetes object name may have`);
  }
  if (namespace.length > MAX_TARGET_NAMESPACE_LENGTH) {
    throw new SignalValidationError(`${field}.namespace`, `is ${namespace.length} characters long, more than the ${MAX_TARGET_NAMESPACE_LENGTH} a namespace name may have`);
  }
  return { kind: match.kind, name, namespace, apiVersion: match.apiVersion };
}
