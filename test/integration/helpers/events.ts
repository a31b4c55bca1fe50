import { randomBytes } from "node:crypto";
import type { KubeClient } from "../../../src/k8s/kube-client";
import type { RemediationRequestClient } from "../../../src/k8s/rr-client";
import type { RemediationRequest } from "../../../src/model/remediation-request";

/** Warning events written the way kubelet and the newer recorders write them, and the RRs they became. */

export interface CoreEvent {
  namespace: string;
  name: string;
}

/** A core/v1 Warning Event about a Pod (as kubelet writes it): count 1, or `count`. */
export async function createCoreEvent(admin: KubeClient, namespace: string, pod: string, reason = "BackOff", count = 1): Promise<CoreEvent> {
  const name = `${pod}.${randomBytes(6).toString("hex")}`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  await admin.request({
    method: "POST",
    path: `/api/v1/namespaces/${namespace}/events`,
    body: {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: { apiVersion: "v1", kind: "Pod", name: pod, namespace },
      reason,
      message: `Back-off restarting failed container app in pod ${pod}`,
      type: "Warning",
      count,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: "kubelet", host: "node-1" },
    },
    what: `create Event ${namespace}/${name}`,
  });
  return { namespace, name };
}

/** The Event occurred again: its count goes to `count` (kubelet's aggregation). */
export async function setCoreCount(admin: KubeClient, event: CoreEvent, count: number): Promise<void> {
  await admin.request({
    method: "PATCH",
    path: `/api/v1/namespaces/${event.namespace}/events/${event.name}`,
    contentType: "application/merge-patch+json",
    body: { count, lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z") },
    what: `count ${count} on Event ${event.namespace}/${event.name}`,
  });
}

const microNow = (): string => new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

/** An events.k8s.io/v1 Warning Event about a Pod (as client-go's tools/events writes it): no series yet. */
export async function createEventsV1(admin: KubeClient, namespace: string, pod: string, reason = "Unhealthy"): Promise<CoreEvent> {
  const name = `${pod}.${randomBytes(6).toString("hex")}`;
  await admin.request({
    method: "POST",
    path: `/apis/events.k8s.io/v1/namespaces/${namespace}/events`,
    body: {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name, namespace },
      eventTime: microNow(),
      reportingController: "kubelet",
      reportingInstance: "kubelet-node-1",
      action: "Probe",
      reason,
      regarding: { apiVersion: "v1", kind: "Pod", name: pod, namespace },
      note: "Readiness probe failed: connection refused",
      type: "Warning",
    },
    what: `create events.k8s.io Event ${namespace}/${name}`,
  });
  return { namespace, name };
}

/** The events.k8s.io/v1 Event's series reaches `count`. */
export async function setSeries(admin: KubeClient, event: CoreEvent, count: number): Promise<void> {
  await admin.request({
    method: "PATCH",
    path: `/apis/events.k8s.io/v1/namespaces/${event.namespace}/events/${event.name}`,
    contentType: "application/merge-patch+json",
    body: { series: { count, lastObservedTime: microNow() } },
    what: `series ${count} on Event ${event.namespace}/${event.name}`,
  });
}

/** The occurrence counts of the RRs about a Pod, oldest first. */
export async function rrCountsFor(rrs: RemediationRequestClient, pod: string): Promise<number[]> {
  // creationTimestamp counts whole seconds: an RR and its successor can share one; firstSeenAt (ms) tells them apart.
  const age = (rr: RemediationRequest): string => `${rr.metadata.creationTimestamp ?? ""} ${rr.status?.deduplication?.firstSeenAt ?? ""}`;
  return (await rrs.list()).items
    .filter(rr => rr.spec.targetResource.name === pod)
    .sort((a, b) => age(a).localeCompare(age(b)))
    .map(rr => rr.status?.deduplication?.occurrenceCount ?? 0);
}

/** The total occurrences counted for a Pod, over all its RRs. */
export async function rrTotalFor(rrs: RemediationRequestClient, pod: string): Promise<number> {
  return (await rrCountsFor(rrs, pod)).reduce((a, b) => a + b, 0);
}
