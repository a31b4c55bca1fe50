/** A signal: one alert or one Kubernetes Warning event, normalized. */

export type SignalSource = "prometheus" | "kubernetes-event";
export type SignalStatus = "firing" | "resolved";

/** spec.signalType: kubernaut's gateway writes "alert" for every source. */
export const SIGNAL_TYPE = "alert";

/** spec.signalSource, as kubernaut's gateway names its adapters. */
export const SIGNAL_SOURCES: Record<SignalSource, string> = {
  prometheus: "prometheus",
  "kubernetes-event": "kubernetes-events",
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
  /** Who sent it (Alertmanager receiver / externalURL, event source component): kept in spec.providerData. */
  origin: string;
  /** The Alertmanager payload's common `cluster` label (Thanos, federation), if any: the kubernaut fingerprint prefixes it. */
  cluster?: string;
  /** Identifies one delivery of this alert, to recognise a redelivery of a failed payload. */
  deliveryKey: string;
  /** The alert or event as received, to keep on the RR. */
  original: unknown;
}
