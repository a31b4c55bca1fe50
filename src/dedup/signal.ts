/** A signal: one alert or one Kubernetes Warning event, normalized. */

export type SignalSource = "prometheus" | "kubernetes-event";
export type SignalStatus = "firing" | "resolved";

export const SIGNAL_TYPES: Record<SignalSource, string> = {
  prometheus: "prometheus-alert",
  "kubernetes-event": "kubernetes-event",
};

export interface TargetRef {
  kind: string;
  name: string;
  /** Empty for cluster-scoped kinds. */
  namespace: string;
  apiVersion?: string;
}

export interface Signal {
  source: SignalSource;
  /** alertname, or the event's reason. */
  name: string;
  status: SignalStatus;
  severity: string;
  target: TargetRef;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** When the problem started (alert startsAt, event firstTimestamp), RFC 3339. */
  firingTime?: string;
  /** Where it came from (Alertmanager receiver / externalURL, event source component). */
  signalSource: string;
  /** The Alertmanager payload's common `cluster` label (Thanos, federation), if any: the kubernaut fingerprint prefixes it. */
  cluster?: string;
  /** Identifies one delivery of this alert, to recognise a redelivery of a failed payload. */
  deliveryKey: string;
  /** The alert or event as received, to keep on the RR. */
  original: unknown;
}
