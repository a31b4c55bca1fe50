import { DEFAULT_CHAIN_SAFETY, deletionRefusal, type ChainSafety } from "../dedup/chain-safety";
import type { RemediationRequest } from "../model/remediation-request";

/**
 * The admission check on deleting a RemediationRequest: the module's webhook
 * refuses a deletion that could let the gateway hand out one of the chain's
 * names twice (src/dedup/chain-safety.ts, docs/exactly-once.md). It reads
 * only the RR being deleted, and the API server re-runs it if the RR changes
 * before the deletion lands, so the check and the deletion are one step.
 */
export function deletionProblem(rr: RemediationRequest, now: number, safety: ChainSafety): string | undefined {
  return deletionRefusal(rr, now, safety);
}

/**
 * The rules, from the same settings the gateway reads (both run in the
 * admission pods): GATEWAY_RR_MIN_AGE_SECONDS, GATEWAY_SUCCESSOR_CLAIM_HOLD_SECONDS.
 * A value that is not a whole number of seconds throws (the module must not
 * start with a guard weaker than the gateway assumes).
 */
export function chainSafetyFromEnv(env: Record<string, string | undefined>): ChainSafety {
  return {
    minAgeMs: seconds(env, "GATEWAY_RR_MIN_AGE_SECONDS", DEFAULT_CHAIN_SAFETY.minAgeMs),
    claimHoldMs: seconds(env, "GATEWAY_SUCCESSOR_CLAIM_HOLD_SECONDS", DEFAULT_CHAIN_SAFETY.claimHoldMs),
  };
}

function seconds(env: Record<string, string | undefined>, name: string, defaultMs: number): number {
  const raw = env[name]?.trim();
  if (!raw) return defaultMs;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${name}=${JSON.stringify(raw)}: must be a whole number of seconds, at least 1`);
  return Number(raw) * 1000;
}
