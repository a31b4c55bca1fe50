import type { TargetRef } from "./signal";
import {
  ALERT_SPECIFIC_RULES,
  EXPORTED_PREFIX,
  NODE_EXPORTER_JOB,
  TARGET_RULES,
  UNKNOWN_KIND,
  UNKNOWN_NAME,
  type TargetRule,
} from "./target-rules";

/** A Kubernetes object name (DNS-1123 subdomain): what a label must hold to name one. */
const OBJECT_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A namespace name (DNS-1123 label). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Labels a namespace-wide alert may carry besides its namespace: Prometheus' external labels. */
const NAMESPACE_ONLY_LABELS = new Set(["alertname", "severity", "namespace", "cluster", "prometheus", "prometheus_replica"]);

/**
 * Which object an alert is about, from its labels (rules: target-rules.ts).
 * Never fails: an alert that names no resource gets the namespace it is in
 * (when that is all it names) or an Unknown target, and is still recorded.
 */
export function targetFromLabels(labels: Record<string, string>): TargetRef {
  const subject = subjectLabels(labels);
  const namespace = NAMESPACE_NAME.test(subject.namespace ?? "") ? subject.namespace : "";
  const specific = ALERT_SPECIFIC_RULES[labels.alertname ?? ""];
  for (const rule of specific ? [specific, ...TARGET_RULES] : TARGET_RULES) {
    const name = subject[rule.label];
    if (!name || !OBJECT_NAME.test(name) || !applies(rule, subject)) continue;
    if (rule.clusterScoped) return { kind: rule.kind, name, namespace: "", apiVersion: rule.apiVersion };
    // A namespaced name without its namespace does not identify an object: look further.
    if (namespace) return { kind: rule.kind, name, namespace, apiVersion: rule.apiVersion };
  }
  if (namespace && Object.keys(subject).every(label => NAMESPACE_ONLY_LABELS.has(label))) {
    return { kind: "Namespace", name: namespace, namespace: "", apiVersion: "v1" };
  }
  return { kind: UNKNOWN_KIND, name: UNKNOWN_NAME, namespace };
}

/**
 * The labels that describe the alert's subject: a series' own labels
 * (`exported_*`, when honorLabels is off) replace the scrape target's, and a
 * node exporter's own pod and namespace are set aside for the node it
 * reports on.
 */
export function subjectLabels(labels: Record<string, string>): Record<string, string> {
  const subject: Record<string, string> = {};
  for (const [label, value] of Object.entries(labels)) if (!label.startsWith(EXPORTED_PREFIX)) subject[label] = value;
  for (const [label, value] of Object.entries(labels)) if (label.startsWith(EXPORTED_PREFIX) && value) subject[label.slice(EXPORTED_PREFIX.length)] = value;
  if (NODE_EXPORTER_JOB.test(subject.job ?? "")) {
    if (!("exported_pod" in labels)) delete subject.pod;
    if (!("exported_namespace" in labels)) delete subject.namespace;
    const host = subject.instance ?? "";
    if (!subject.node && OBJECT_NAME.test(host) && !IPV4.test(host)) subject.node = host;
  }
  return subject;
}

/** A rule's extra condition: `service` names the subject only when the alert is about the scrape target as a whole. */
function applies(rule: TargetRule, subject: Record<string, string>): boolean {
  return rule.label !== "service" || (!subject.pod && !subject.instance);
}
