import { type Dispatcher, request } from "undici";

/** Builders and a client for signals, shared by integration, e2e and bench. */

export interface AlertSpec {
  alertname: string;
  pod?: string;
  deployment?: string;
  namespace?: string;
  severity?: string;
  status?: "firing" | "resolved";
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alert(spec: AlertSpec): Record<string, unknown> {
  const labels: Record<string, string> = { alertname: spec.alertname, severity: spec.severity ?? "critical", ...spec.labels };
  if (spec.pod) labels.pod = spec.pod;
  if (spec.deployment) labels.deployment = spec.deployment;
  if (spec.namespace !== undefined) labels.namespace = spec.namespace;
  else if (spec.pod || spec.deployment) labels.namespace = "prod";
  return {
    status: spec.status ?? "firing",
    labels,
    annotations: spec.annotations ?? { summary: `${spec.alertname} on ${spec.pod ?? spec.deployment}` },
    startsAt: "2026-11-28T07:00:00Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.local/graph",
    fingerprint: `${spec.alertname}-${spec.pod ?? spec.deployment}`.slice(0, 16),
  };
}

/** An Alertmanager webhook payload, version 4. */
export function webhook(alerts: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: "4",
    groupKey: '{}:{alertname="test"}',
    truncatedAlerts: 0,
    status: alerts.every(a => a.status === "resolved") ? "resolved" : "firing",
    receiver: "rr-gateway",
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.local",
    alerts,
    ...extra,
  };
}

export function warningEvent(reason: string, object: { kind: string; name: string; namespace?: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${object.name}.abc`, namespace: object.namespace ?? "prod", uid: `uid-${reason}-${object.name}` },
    type: "Warning",
    reason,
    message: `${reason} for ${object.kind} ${object.name}`,
    involvedObject: { apiVersion: "v1", namespace: object.namespace ?? "prod", ...object },
    source: { component: "kubelet" },
    // Now: the gateway refuses stale events (replay protection).
    firstTimestamp: new Date().toISOString(),
    count: 1,
    ...extra,
  };
}

export interface SignalReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response shapes vary by status
}

export const PROMETHEUS_PATH = "/api/v1/signals/prometheus";
export const EVENT_PATH = "/api/v1/signals/kubernetes-event";

/** POSTs a body (JSON-encoded unless a string) and returns status, headers and parsed body; dispatcher: e.g. an Agent that trusts a test CA, for HTTPS. */
export async function post(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}, dispatcher?: Dispatcher): Promise<SignalReply> {
  const res = await request(baseUrl + path, {
    method: "POST",
    dispatcher,
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.statusCode, headers: res.headers, body: parsed };
}

/** Names no other test (or test process) uses: `${prefix}-${pid}-1`, `-2`, ... so each test has its own problem. */
export function uniqueNames(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}-${process.pid}-${++n}`;
}
