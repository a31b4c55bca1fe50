/**
 * A large Alertmanager group as kube-prometheus produces one: one
 * KubePodNotReady alert per pod of a node that went down, grouped by
 * alertname, with the labels kube-state-metrics' series carry (container,
 * endpoint, instance, job, namespace, pod, service, uid: no node label, as
 * kube_pod_status_phase has none) and kubernetes-mixin's annotations. Used to
 * size the door's limits for real groups and to test them.
 */
export function nodeDownGroup(count: number, options: { node?: string; prefix?: string } = {}): Record<string, unknown> {
  const node = options.node ?? "worker-3";
  const prefix = options.prefix ?? "web";
  const startsAt = new Date(Date.now() - 5 * 60_000).toISOString();
  const common = { alertname: "KubePodNotReady", severity: "warning", prometheus: "monitoring/k8s", job: "kube-state-metrics", service: "kube-state-metrics", endpoint: "https-main", container: "kube-rbac-proxy-main" };
  const alerts = Array.from({ length: count }, (_, i) => {
    const namespace = `team-${i % 25}`;
    const pod = `${prefix}-${i.toString(36).padStart(4, "0")}-7d9f8c6b5-x${(i * 7919).toString(36).slice(-4)}`;
    const labels = { ...common, namespace, pod, instance: `10.0.${(i >> 8) & 255}.${i & 255}:8443`, uid: `0b5e${i.toString(16).padStart(4, "0")}-2f6e-4a4b-9d0e-8c1f${i.toString(16).padStart(8, "0")}` };
    return {
      status: "firing",
      labels,
      annotations: {
        description: `Pod ${namespace}/${pod} has been in a non-ready state for longer than 15 minutes (node ${node} is down).`,
        runbook_url: "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodnotready",
        summary: "Pod has been in a non-ready state for more than 15 minutes.",
      },
      startsAt,
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: `http://prometheus-k8s-0:9090/graph?g0.expr=sum+by+%28namespace%2C+pod%2C+cluster%29+%28max+by+%28namespace%2C+pod%2C+cluster%29+%28kube_pod_status_phase%7Bjob%3D%22kube-state-metrics%22%2Cnamespace%3D~%22.%2A%22%2Cphase%3D~%22Pending%7CUnknown%7CFailed%22%7D%29%29+%3E+0&g0.tab=1`,
      fingerprint: (0x1000000000000 + i * 104729).toString(16).slice(-16),
    };
  });
  return {
    version: "4",
    groupKey: `{}/{severity="warning"}:{alertname="KubePodNotReady"}`,
    truncatedAlerts: 0,
    status: "firing",
    receiver: "rr-gateway",
    groupLabels: { alertname: "KubePodNotReady" },
    commonLabels: common,
    commonAnnotations: { runbook_url: "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodnotready", summary: "Pod has been in a non-ready state for more than 15 minutes." },
    externalURL: "http://alertmanager-main-0:9093",
    alerts,
  };
}
