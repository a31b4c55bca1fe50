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
  maxAlerts: 100,
  maxLabels: 64,
  maxLabelValueLength: 1024,
  maxAnnotations: 64,
  maxAnnotationValueLength: 4096,
  maxNameLength: 253,
};
