import { sha256Hex } from "../signal/sha256";
import type { Signal, TargetRef } from "../signal/signal";
import { NON_IDENTIFYING_LABELS, UNKNOWN_KIND } from "../signal/target-rules";

/** How a signal's problem is identified. */
export type FingerprintStrategy = "resource" | "owner" | "kubernaut";
export const FINGERPRINT_STRATEGIES: readonly FingerprintStrategy[] = ["resource", "owner", "kubernaut"];

/**
 * The default ("resource") fingerprint: SHA-256 of
 * `name:namespace:kind:targetName`, where name is the alertname or event reason.
 * A target that names no resource (kind Unknown) adds the alert's identifying
 * labels, so two different problems without a resource stay two RRs.
 */
export function resourceFingerprint(signal: Pick<Signal, "name" | "target"> & { labels?: Record<string, string> }): string {
  const { namespace, kind, name } = signal.target;
  const key = `${signal.name}:${namespace}:${kind}:${name}`;
  return sha256Hex(kind === UNKNOWN_KIND ? `${key}:${identifyingLabels(signal.labels ?? {})}` : key);
}

/** The labels that tell one unknown-target problem from another, in a canonical text (sorted JSON pairs). */
export function identifyingLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).filter(([label]) => !NON_IDENTIFYING_LABELS.includes(label));
  return JSON.stringify(pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The "owner" fingerprint: SHA-256 of the top-level owner's
 * `namespace:kind:name`, so every pod of one crashing Deployment, whatever
 * the alert, becomes one problem.
 */
export function ownerFingerprint(owner: TargetRef): string {
  return sha256Hex(`${owner.namespace}:${owner.kind}:${owner.name}`);
}

/**
 * The "kubernaut" fingerprint: kubernaut's gateway formula
 * (pkg/gateway/types/fingerprint.go, CalculateClusterAwareFingerprint) over
 * the top-level owner: SHA-256 of `namespace:kind:name`, or
 * `cluster:namespace:kind:name` when the payload's common labels carry a
 * `cluster`. kubernaut gives a target without a namespace label the namespace
 * "default" unless its kind is cluster-scoped, and Unknown is not: so an
 * Unknown target outside any namespace hashes as `default:Unknown:unknown`.
 */
export function kubernautFingerprint(owner: TargetRef, cluster = ""): string {
  const namespace = owner.kind === UNKNOWN_KIND && !owner.namespace ? "default" : owner.namespace;
  const key = `${namespace}:${owner.kind}:${owner.name}`;
  return sha256Hex(cluster ? `${cluster}:${key}` : key);
}

/**
 * Label values hold at most 63 characters; a fingerprint has 64. The label
 * carries the first 63 hex digits (252 bits: collisions are not a concern);
 * exact lookups use the field selector on spec.signalFingerprint.
 */
export function fingerprintLabelValue(fingerprint: string): string {
  return fingerprint.slice(0, 63);
}
