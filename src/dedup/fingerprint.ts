import { createHash } from "node:crypto";
import type { Signal, TargetRef } from "./signal";

/** How a signal's problem is identified. */
export type FingerprintStrategy = "resource" | "owner";
export const FINGERPRINT_STRATEGIES: readonly FingerprintStrategy[] = ["resource", "owner"];

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The default ("resource") fingerprint: SHA-256 of
 * `name:namespace:kind:targetName`, where name is the alertname or event reason.
 */
export function resourceFingerprint(signal: Pick<Signal, "name" | "target">): string {
  const { namespace, kind, name } = signal.target;
  return sha256Hex(`${signal.name}:${namespace}:${kind}:${name}`);
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
 * Label values hold at most 63 characters; a fingerprint has 64. The label
 * carries the first 63 hex digits (252 bits: collisions are not a concern);
 * exact lookups use the field selector on spec.signalFingerprint.
 */
export function fingerprintLabelValue(fingerprint: string): string {
  return fingerprint.slice(0, 63);
}
