/** What the gateway accepts in one signal. Defaults fit the CRD's schema limits. */
export interface SignalLimits {
  maxAlerts: number;
  maxLabels: number;
  maxLabelValueLength: number;
  maxAnnotations: number;
  /** Longer annotation values (descriptions, runbooks) are truncated, not rejected. */
  maxAnnotationValueLength: number;
  maxNameLength: number;
}

export const DEFAULT_SIGNAL_LIMITS: SignalLimits = {
  /** A whole Alertmanager group (max_alerts: 0): one node going down can make thousands. */
  maxAlerts: 30_000,
  maxLabels: 64,
  maxLabelValueLength: 1024,
  maxAnnotations: 64,
  maxAnnotationValueLength: 4096,
  maxNameLength: 253,
};

/**
 * Lengths the RemediationRequest CRD (crds/remediationrequest.yaml, as kubernaut
 * defines it) allows for fields filled from a signal, and the lengths we hold
 * free-form values to. Checked before anything is sent, so a signal
 * is refused (or its value cut) with a message naming the field, instead of
 * failing at the API server. The fuzz tests hold every produced RR to the CRD.
 */
export const MAX_SIGNAL_SOURCE_LENGTH = 63;
export const MAX_SEVERITY_LENGTH = 50;
export const MAX_CLUSTER_ID_LENGTH = 253;
/** Who sent a signal (Alertmanager receiver, event component), kept in spec.providerData. */
export const MAX_ORIGIN_LENGTH = 253;
export const MAX_TARGET_NAME_LENGTH = 253;
export const MAX_TARGET_NAMESPACE_LENGTH = 63;
export const MAX_TARGET_KIND_LENGTH = 63;
