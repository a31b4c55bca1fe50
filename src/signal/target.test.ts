import { subjectLabels, targetFromLabels } from "./target";
import { TARGET_RULES } from "./target-rules";

const pod = (name: string, namespace: string): object => ({ kind: "Pod", name, namespace, apiVersion: "v1" });
const node = (name: string): object => ({ kind: "Node", name, namespace: "", apiVersion: "v1" });
const unknown = (namespace: string): object => ({ kind: "Unknown", name: "unknown", namespace });

/** kube-state-metrics' scrape labels in kube-prometheus (labeldrop of pod/service/endpoint/namespace, honorLabels). */
const KSM = { job: "kube-state-metrics", instance: "10.0.4.7:8443", container: "kube-rbac-proxy-main", prometheus: "monitoring/k8s" };

describe("targetFromLabels: the alert's subject, never the scrape target's labels", () => {
  it.each([
    // The table (#18): real kube-prometheus label sets.
    ["KubeNodeNotReady", { alertname: "KubeNodeNotReady", node: "worker-3", condition: "Ready", status: "true", ...KSM }, node("worker-3")],
    ["KubeJobFailed", { alertname: "KubeJobFailed", job_name: "backup-28911", namespace: "batch", condition: "true", ...KSM }, { kind: "Job", name: "backup-28911", namespace: "batch", apiVersion: "batch/v1" }],
    [
      "KubeHpaMaxedOut",
      { alertname: "KubeHpaMaxedOut", horizontalpodautoscaler: "web", namespace: "shop", ...KSM },
      { kind: "HorizontalPodAutoscaler", name: "web", namespace: "shop", apiVersion: "autoscaling/v2" },
    ],
    [
      "NodeFilesystemSpaceFillingUp",
      {
        alertname: "NodeFilesystemSpaceFillingUp",
        instance: "worker-3",
        job: "node-exporter",
        namespace: "monitoring",
        pod: "node-exporter-x7k2p",
        service: "node-exporter",
        container: "kube-rbac-proxy",
        endpoint: "https",
        device: "/dev/sda1",
        mountpoint: "/",
        fstype: "ext4",
      },
      node("worker-3"),
    ],
    ["TargetDown", { alertname: "TargetDown", job: "payments", namespace: "shop", service: "payments" }, { kind: "Service", name: "payments", namespace: "shop", apiVersion: "v1" }],
  ])("%s", (_alert, labels, target) => {
    expect(targetFromLabels(labels)).toEqual(target);
  });

  it("never reads job, instance, endpoint, container, prometheus or metrics_path as the subject", () => {
    const scrape = { job: "api", instance: "10.0.0.1:8080", endpoint: "http", container: "api", prometheus: "monitoring/k8s", metrics_path: "/metrics" };
    expect(targetFromLabels({ alertname: "HighErrorRate", namespace: "shop", ...scrape })).toEqual(unknown("shop"));
  });

  it("reads service as the subject only when the alert is about the scraped service as a whole (no pod, no instance left)", () => {
    expect(targetFromLabels({ alertname: "AlertmanagerClusterDown", namespace: "monitoring", service: "alertmanager-main" })).toMatchObject({ kind: "Service", name: "alertmanager-main" });
    expect(targetFromLabels({ alertname: "KubeAPIInstanceUnreachable", namespace: "default", service: "kubernetes", instance: "10.0.0.1:6443", job: "apiserver" })).toEqual(unknown("default"));
    expect(targetFromLabels({ alertname: "PrometheusBadConfig", namespace: "monitoring", service: "prometheus-k8s", pod: "prometheus-k8s-0", instance: "10.0.1.3:9090" })).toEqual(pod("prometheus-k8s-0", "monitoring"));
  });

  it("lets workload controllers beat other objects, and those beat nodes and pods (a pod label may be the exporter's)", () => {
    // kube-prometheus-stack keeps kube-state-metrics' own pod label on its series.
    const ksmPod = { pod: "kube-state-metrics-6d4f9-abcde", service: "kube-state-metrics", namespace: "shop" };
    expect(targetFromLabels({ alertname: "KubeDeploymentReplicasMismatch", deployment: "web", ...ksmPod })).toMatchObject({ kind: "Deployment", name: "web" });
    expect(targetFromLabels({ alertname: "KubeJobFailed", job_name: "backup-1", ...ksmPod })).toMatchObject({ kind: "Job", name: "backup-1" });
    expect(targetFromLabels({ alertname: "KubeQuotaExceeded", resourcequota: "compute", ...ksmPod })).toMatchObject({ kind: "ResourceQuota", name: "compute" });
    expect(targetFromLabels({ alertname: "KubeNodeNotReady", node: "worker-1", ...ksmPod })).toEqual(node("worker-1"));
    expect(targetFromLabels({ alertname: "KubePersistentVolumeFillingUp", persistentvolumeclaim: "data", node: "worker-1", namespace: "db" })).toMatchObject({ kind: "PersistentVolumeClaim" });
  });

  it("orders the table by tier, then kind name (kubernaut's tie-break)", () => {
    const order = TARGET_RULES.map(r => `${r.tier}:${r.kind}`);
    expect(order).toEqual([...order].sort());
  });

  it("takes exported_* labels (honorLabels off) over the scrape target's", () => {
    const federated = { alertname: "KubePodCrashLooping", pod: "kube-state-metrics-0", namespace: "monitoring", exported_pod: "api-7f9c-x2", exported_namespace: "shop", job: "kube-state-metrics" };
    expect(targetFromLabels(federated)).toEqual(pod("api-7f9c-x2", "shop"));
    expect(targetFromLabels({ alertname: "NodeDown", job: "federate", instance: "prom-0:9090", exported_job: "node-exporter", exported_instance: "worker-9" })).toEqual(node("worker-9"));
    expect(subjectLabels({ job: "federate", exported_job: "api" }).job).toBe("api");
  });

  it("reads a node exporter's instance as a node only when it names one (an address is not a node name)", () => {
    const exporter = { job: "node-exporter", namespace: "monitoring", pod: "node-exporter-x7k2p", service: "node-exporter" };
    expect(targetFromLabels({ alertname: "NodeClockSkewDetected", ...exporter, instance: "ip-10-0-1-2.ec2.internal" })).toEqual(node("ip-10-0-1-2.ec2.internal"));
    expect(targetFromLabels({ alertname: "NodeClockSkewDetected", ...exporter, instance: "10.0.1.2:9100" })).toEqual(unknown(""));
    expect(targetFromLabels({ alertname: "NodeClockSkewDetected", ...exporter, instance: "10.0.1.2" })).toEqual(unknown(""));
    // Any other job's bare instance is just an instance.
    expect(targetFromLabels({ alertname: "X", job: "api", instance: "worker-3" })).toEqual(unknown(""));
  });

  it("names the namespace when that is all the alert names, and Unknown otherwise", () => {
    expect(targetFromLabels({ alertname: "InfoInhibitor", severity: "none", namespace: "shop", prometheus: "monitoring/k8s" })).toEqual({ kind: "Namespace", name: "shop", namespace: "", apiVersion: "v1" });
    expect(targetFromLabels({ alertname: "PrometheusOperatorReconcileErrors", namespace: "monitoring", controller: "alertmanager" })).toEqual(unknown("monitoring"));
    expect(targetFromLabels({ alertname: "Watchdog", severity: "none" })).toEqual(unknown(""));
    expect(targetFromLabels({ alertname: "KubeCPUOvercommit", cluster: "eu-1" })).toEqual(unknown(""));
  });

  it("reads alert-specific labels the table names: the aggregation layer's APIService", () => {
    expect(targetFromLabels({ alertname: "KubeAggregatedAPIDown", name: "v1beta1.metrics.k8s.io", namespace: "default" })).toEqual({
      kind: "APIService",
      name: "v1beta1.metrics.k8s.io",
      namespace: "",
      apiVersion: "apiregistration.k8s.io/v1",
    });
    expect(targetFromLabels({ alertname: "SomethingElse", name: "v1beta1.metrics.k8s.io" })).toEqual(unknown(""));
  });

  it("skips a label that cannot name an object (and a namespaced name without a namespace) instead of refusing the alert", () => {
    expect(targetFromLabels({ alertname: "X", pod: "p".repeat(254), namespace: "n" })).toEqual(unknown("n"));
    expect(targetFromLabels({ alertname: "X", pod: "Web_1", deployment: "web", namespace: "n" })).toMatchObject({ kind: "Deployment" });
    expect(targetFromLabels({ alertname: "X", deployment: "d" })).toEqual(unknown(""));
    expect(targetFromLabels({ alertname: "X", pod: "p", namespace: "n".repeat(64) })).toEqual(unknown(""));
    expect(targetFromLabels({ alertname: "X", pod: "p".repeat(253), namespace: "n".repeat(63) }).name).toHaveLength(253);
  });
});
