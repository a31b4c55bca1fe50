/**
 * The severity a metric label may carry: kubernaut's normalized severities
 * (SignalProcessing's enum, ADR-066). A signal's own severity is whatever its
 * sender wrote (any string, kept as it is on the RR); a label carrying it
 * would let senders create unbounded time series.
 */
export const SEVERITY_CLASSES = ["critical", "high", "warning", "info", "unknown"] as const;

export type SeverityClass = (typeof SEVERITY_CLASSES)[number];

/**
 * The usual spellings of each class: kubernaut's example severity policies
 * (critical/sev1/p0, high/sev2/p2, warning/medium/sev3, info/low/sev4, and
 * p1, p3, p4), Kubernetes event types (Warning; Error, which kubernaut maps
 * to critical), and kube-prometheus' `none` (Watchdog, InfoInhibitor).
 */
const SPELLINGS: Record<Exclude<SeverityClass, "unknown">, readonly string[]> = {
  critical: ["critical", "sev1", "p0", "p1", "error"],
  high: ["high", "sev2", "p2", "major"],
  warning: ["warning", "warn", "medium", "sev3", "p3", "minor"],
  info: ["info", "informational", "low", "sev4", "p4", "none", "normal"],
};

const CLASS_OF = new Map<string, SeverityClass>(Object.entries(SPELLINGS).flatMap(([cls, names]) => names.map(n => [n, cls as SeverityClass] as const)));

/** The class of a raw severity, case and surrounding blanks ignored; anything else is `unknown`. */
export function severityClass(severity: string | undefined): SeverityClass {
  return CLASS_OF.get((severity ?? "").trim().toLowerCase()) ?? "unknown";
}
