/**
 * The rule table that says which Kubernetes object an alert is about, from its
 * labels (README "Alertmanager" → "Target resolution"; docs/kubernaut.md says
 * where it follows or differs from kubernaut's gateway).
 *
 * Every Prometheus series carries the labels of the target it was scraped
 * from (job, instance, and for Kubernetes service discovery namespace, pod,
 * service, endpoint, container of the EXPORTER). Those describe where a
 * number came from, not what it is about, so they are never read as the
 * subject, except where this table says so.
 */

/** How a label names a resource. `tier` orders candidates: lower wins; ties go to the kind's name (A before Z). */
export interface TargetRule {
  label: string;
  kind: string;
  apiVersion: string;
  clusterScoped?: boolean;
  tier: 1 | 2 | 3;
  /** Why the rule is there, for the docs. */
  note?: string;
}

/**
 * Labels that name the subject. Tiers as kubernaut's gateway ranks kinds
 * (BR-GATEWAY-184): workload controllers (1) beat other namespaced objects
 * (2), which beat pods and nodes (3), so a controller's alert is not taken
 * for the exporter pod that happens to be in its labels.
 */
export const TARGET_RULES: readonly TargetRule[] = [
  { label: "cronjob", kind: "CronJob", apiVersion: "batch/v1", tier: 1 },
  { label: "daemonset", kind: "DaemonSet", apiVersion: "apps/v1", tier: 1 },
  { label: "deployment", kind: "Deployment", apiVersion: "apps/v1", tier: 1 },
  { label: "deploymentconfig", kind: "DeploymentConfig", apiVersion: "apps.openshift.io/v1", tier: 1 },
  { label: "statefulset", kind: "StatefulSet", apiVersion: "apps/v1", tier: 1 },
  { label: "horizontalpodautoscaler", kind: "HorizontalPodAutoscaler", apiVersion: "autoscaling/v2", tier: 2 },
  { label: "ingress", kind: "Ingress", apiVersion: "networking.k8s.io/v1", tier: 2 },
  { label: "job_name", kind: "Job", apiVersion: "batch/v1", tier: 2, note: "kube-state-metrics names a Job job_name: `job` is the scrape job" },
  { label: "persistentvolume", kind: "PersistentVolume", apiVersion: "v1", clusterScoped: true, tier: 2 },
  { label: "persistentvolumeclaim", kind: "PersistentVolumeClaim", apiVersion: "v1", tier: 2 },
  { label: "poddisruptionbudget", kind: "PodDisruptionBudget", apiVersion: "policy/v1", tier: 2 },
  { label: "replicaset", kind: "ReplicaSet", apiVersion: "apps/v1", tier: 2 },
  { label: "resourcequota", kind: "ResourceQuota", apiVersion: "v1", tier: 2 },
  {
    label: "service",
    kind: "Service",
    apiVersion: "v1",
    tier: 2,
    note: "only when the alert is about the scrape target itself (aggregated by service: no pod, no instance), e.g. TargetDown",
  },
  { label: "node", kind: "Node", apiVersion: "v1", clusterScoped: true, tier: 3 },
  { label: "pod", kind: "Pod", apiVersion: "v1", tier: 3 },
];

/**
 * Labels Prometheus or its Kubernetes service discovery attach to every
 * series of a scrape target: never the subject (except `service`, above).
 * `prometheus` is the external label prometheus-operator adds (namespace/name
 * of the Prometheus), `metrics_path` the kubelet's endpoint.
 */
export const SCRAPE_LABELS: readonly string[] = ["job", "instance", "endpoint", "container", "service", "prometheus", "prometheus_replica", "metrics_path"];

/**
 * With honorLabels off, a series' own label that collides with a scrape
 * label is renamed `exported_<label>`: then `exported_<label>` is the one
 * that describes the subject, and `<label>` is the scrape target's.
 */
export const EXPORTED_PREFIX = "exported_";

/**
 * node-exporter describes the host it runs on, not its own pod:
 * kube-prometheus relabels its `instance` to the node's name. A job whose
 * name ends in "node-exporter" (node-exporter, prometheus-node-exporter) is
 * one; its pod, namespace, service and container are the exporter's.
 */
export const NODE_EXPORTER_JOB = /(^|[-_/])node-exporter$/;

/**
 * Alerts whose subject is in a label no general rule can read. The
 * aggregation layer's alerts name the APIService in `name`.
 */
export const ALERT_SPECIFIC_RULES: Readonly<Record<string, TargetRule>> = {
  KubeAggregatedAPIErrors: { label: "name", kind: "APIService", apiVersion: "apiregistration.k8s.io/v1", clusterScoped: true, tier: 2 },
  KubeAggregatedAPIDown: { label: "name", kind: "APIService", apiVersion: "apiregistration.k8s.io/v1", clusterScoped: true, tier: 2 },
};

/**
 * The target of an alert whose labels name no resource (kubernaut's word for
 * it): its namespace is the alert's, if any. Its fingerprint includes the
 * alert's labels, so different problems stay apart (fingerprint.ts).
 */
export const UNKNOWN_KIND = "Unknown";
export const UNKNOWN_NAME = "unknown";

/**
 * Labels that never tell two problems apart (what they say is the same
 * problem seen differently): left out of an unknown target's fingerprint.
 */
export const NON_IDENTIFYING_LABELS: readonly string[] = ["alertname", "severity", "namespace", "prometheus_replica"];
