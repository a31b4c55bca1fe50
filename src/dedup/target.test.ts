import { targetFromLabels } from "./target";

describe("targetFromLabels", () => {
  it.each([
    [{ pod: "p", deployment: "d", namespace: "n" }, { kind: "Pod", name: "p", namespace: "n", apiVersion: "v1" }],
    [{ deployment: "d", replicaset: "r", namespace: "n" }, { kind: "Deployment", name: "d", namespace: "n", apiVersion: "apps/v1" }],
    [{ statefulset: "s", namespace: "n" }, { kind: "StatefulSet", name: "s", namespace: "n", apiVersion: "apps/v1" }],
    [{ daemonset: "ds", namespace: "n" }, { kind: "DaemonSet", name: "ds", namespace: "n", apiVersion: "apps/v1" }],
    [{ job: "j", cronjob: "c", namespace: "n" }, { kind: "Job", name: "j", namespace: "n", apiVersion: "batch/v1" }],
    [{ cronjob: "c", namespace: "n" }, { kind: "CronJob", name: "c", namespace: "n", apiVersion: "batch/v1" }],
    [{ node: "w1", service: "s", namespace: "n" }, { kind: "Node", name: "w1", namespace: "", apiVersion: "v1" }],
    [{ service: "s", namespace: "n" }, { kind: "Service", name: "s", namespace: "n", apiVersion: "v1" }],
    [{ persistentvolumeclaim: "data", namespace: "n" }, { kind: "PersistentVolumeClaim", name: "data", namespace: "n", apiVersion: "v1" }],
  ])("%o → %o", (labels, target) => {
    expect(targetFromLabels(labels)).toEqual(target);
  });

  it("says which labels it accepts when none is present", () => {
    expect(() => targetFromLabels({ alertname: "X" })).toThrow("labels: no target resource label: expected one of pod, deployment, statefulset, daemonset, replicaset, job, cronjob, node, service, persistentvolumeclaim");
  });

  it("requires a namespace for a namespaced kind", () => {
    expect(() => targetFromLabels({ deployment: "d" })).toThrow('labels.namespace: required with label "deployment" (a Deployment is namespaced)');
  });

  it("refuses a name or namespace longer than Kubernetes allows, instead of letting the API server refuse the RR", () => {
    expect(() => targetFromLabels({ pod: "p".repeat(254), namespace: "n" })).toThrow("labels.pod: is 254 characters long, more than the 253 a Kubernetes object name may have");
    expect(() => targetFromLabels({ pod: "p", namespace: "n".repeat(64) })).toThrow("labels.namespace: is 64 characters long, more than the 63 a namespace name may have");
    expect(targetFromLabels({ pod: "p".repeat(253), namespace: "n".repeat(63) }).name).toHaveLength(253);
  });
});
