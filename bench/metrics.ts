import { request } from "undici";
import type { KubeClient } from "../src/k8s/kube-client";

/**
 * Write counts from the API server's own metrics. In Kubernetes 1.34,
 * apiserver_request_total has the labels code, component, dry_run, group,
 * resource, scope, subresource, verb and version: no namespace and no user.
 * The counts are therefore of the whole API server, which is why the bench
 * runs on a control plane of its own by default. A server-side apply is
 * counted as verb APPLY, a JSON/merge patch as PATCH, a create as POST.
 */
export const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION"]);

/** Counter values by "VERB subresource code", e.g. "APPLY status 409". */
export type WriteCounts = Map<string, number>;

export interface WriteDelta {
  total: number;
  /** e.g. { "POST 201": 1, "APPLY status 200": 3, "APPLY status 409": 2 } */
  byKind: Record<string, number>;
}

export async function apiserverWrites(admin: KubeClient, resource = "remediationrequests"): Promise<WriteCounts> {
  const text = await admin.request<string>({ method: "GET", path: "/metrics", what: "read the API server's metrics" });
  const counts: WriteCounts = new Map();
  for (const line of String(text).split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const labels = labelsOf(line);
    if (labels.resource !== resource || !WRITE_VERBS.has(labels.verb)) continue;
    const key = [labels.verb, labels.subresource, labels.code].filter(Boolean).join(" ");
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return counts;
}

export function writeDelta(before: WriteCounts, after: WriteCounts): WriteDelta {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const [key, value] of after) {
    const d = value - (before.get(key) ?? 0);
    if (d > 0) {
      byKind[key] = d;
      total += d;
    }
  }
  return { total, byKind };
}

/** One Prometheus text exposition, as name{labels} → value. */
export async function scrape(url: string): Promise<Map<string, number>> {
  const res = await request(`${url}/metrics`);
  const text = await res.body.text();
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    values.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return values;
}

/** rr_gateway_api_writes_total of several replicas, summed, by operation. */
export async function gatewayWrites(urls: readonly string[]): Promise<Record<string, number>> {
  const byOperation: Record<string, number> = {};
  for (const url of urls) {
    for (const [series, value] of await scrape(url)) {
      if (!series.startsWith("rr_gateway_api_writes_total{")) continue;
      const op = labelsOf(series).operation ?? "?";
      byOperation[op] = (byOperation[op] ?? 0) + value;
    }
  }
  return byOperation;
}

export function gatewayWriteDelta(before: Record<string, number>, after: Record<string, number>): WriteDelta {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const [op, value] of Object.entries(after)) {
    const d = value - (before[op] ?? 0);
    if (d > 0) {
      byKind[op] = d;
      total += d;
    }
  }
  return { total, byKind };
}

function labelsOf(series: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const m of series.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]] = m[2];
  return labels;
}
