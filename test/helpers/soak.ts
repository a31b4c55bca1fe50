import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * `npm run test:soak` (hack/soak.sh) sets RRGW_SOAK=1: long-running tests
 * scale their trial counts up, print their totals, and record their figures
 * with recordSoakFigures(), which hack/soak.sh gathers into one results file
 * (test/soak-results/soak-<time>.json). The regular `npm test` runs them short
 * and records nothing.
 */
export const SOAK = process.env.RRGW_SOAK === "1";

/** Picks the regular or the soak size of a test. */
export function bySoak<T>(regular: T, soak: T): T {
  return SOAK ? soak : regular;
}

/** Where hack/soak.sh collects each test's figures for this run (unset: not a soak run). */
const FRAGMENTS_DIR = process.env.RRGW_SOAK_FRAGMENTS;

/**
 * Keeps a test's figures for the soak results file (one JSON per `name`; a
 * later call with the same name replaces it). Does nothing outside a soak run.
 */
export function recordSoakFigures(name: string, figures: Record<string, unknown>): void {
  if (!SOAK || !FRAGMENTS_DIR) return;
  mkdirSync(FRAGMENTS_DIR, { recursive: true });
  writeFileSync(path.join(FRAGMENTS_DIR, `${name.replace(/[^a-zA-Z0-9._-]+/g, "-")}.json`), `${JSON.stringify({ name, recordedAt: new Date().toISOString(), ...figures }, null, 2)}\n`);
}
