import { createHash } from "node:crypto";

/** Hex SHA-256 of a text: fingerprints, RR names and delivery keys are all built on it. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
