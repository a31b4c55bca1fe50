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
});
