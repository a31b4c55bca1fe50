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
  /**
   * Set by the built-in event source (src/events): the Event objects this
   * signal stands for, each with its cumulative occurrence count. The
   * recorder then counts only the occurrences the RR's watermark has not
   * seen (0 or more), instead of one per signal.
   */
  eventSeries?: EventSeriesMark[];
}

/** One Event object and how many times it has occurred so far (count, or series.count). */
export interface EventSeriesMark {
  uid: string;
  count: number;
  /**
   * The count this process last saw recorded for the Event (0: none). Used
   * only where the RR cannot hold the watermark (kubernaut's own CRD): the
   * recorder then adds count - since.
   */
  since?: number;
}
