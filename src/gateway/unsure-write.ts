import { NotFoundError, UnavailableError } from "../k8s/errors";
import type { RemediationRequestClient } from "../k8s/rr-client";
import type { DeduplicationStatus, RemediationRequest } from "../model/remediation-request";
import { backoffDelay, sleep } from "./backoff";
import { GatewayError } from "./errors";

/**
 * A count write can fail without saying whether it was applied: the API
 * server dies after committing and before answering, or etcd commits a write
 * whose request timed out. Answering 503 then would be wrong if it landed (the
 * sender's retry would be counted twice), and answering 2xx wrong if it did
 * not. So the gateway finds out first, from the RR itself.
 */

/** True when the RR carries exactly the deduplication section a write sent: that write landed. */
export function carries(rr: RemediationRequest, written: DeduplicationStatus): boolean {
  const d = rr.status?.deduplication;
  return (
    d !== undefined &&
    d.occurrenceCount === written.occurrenceCount &&
    d.firstSeenAt === written.firstSeenAt &&
    d.lastSeenAt === written.lastSeenAt &&
    (d.resolvedCount ?? 0) === (written.resolvedCount ?? 0) &&
    d.lastResolvedAt === written.lastResolvedAt
  );
}

/** applied: the RR carries the write. Not applied: the RR as it is now (undefined: deleted). */
export type UnsureOutcome = { applied: true; rr: RemediationRequest } | { applied: false; rr: RemediationRequest | undefined };

/**
 * Reads the RR until the API server answers (for at most waitMs) and says
 * whether the write of `written` onto `before` landed:
 * - the RR carries `written`: applied;
 * - its deduplication section is still the one `before` had, or holds a
 *   smaller count than `written` (counts only grow): not applied (the RR as
 *   it is now is returned, to decide again on);
 * - the RR is gone: not applied;
 * - another replica counted on it meanwhile, past our count: cannot be told,
 *   and neither after waitMs without an answer. Both throw a 503, and the
 *   sender's retry may count the signal a second time (at least once).
 */
export async function settleUnsureWrite(
  rrs: RemediationRequestClient,
  before: RemediationRequest,
  written: DeduplicationStatus,
  waitMs: number,
  cause: UnavailableError,
): Promise<UnsureOutcome> {
  const name = before.metadata.name!;
  const now = await readWhenAnswered(rrs, name, Date.now() + waitMs, cause);
  if (!now) return { applied: false, rr: undefined };
  if (carries(now, written)) return { applied: true, rr: now };
  const base = before.status?.deduplication;
  const unchanged = base ? carries(now, base) : now.status?.deduplication === undefined;
  if (unchanged || (now.status?.deduplication?.occurrenceCount ?? 0) < (written.occurrenceCount ?? 0)) return { applied: false, rr: now };
  throw unknown(name, cause);
}

/** The RR as the API server has it (undefined: deleted), retrying until it answers or the deadline passes. */
async function readWhenAnswered(rrs: RemediationRequestClient, name: string, deadline: number, cause: UnavailableError): Promise<RemediationRequest | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rrs.get(name);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      // Anything else is no answer yet: unreachable, or still starting (a fresh API server refuses with 403 until its RBAC cache is warm).
      const pause = backoffDelay(attempt, 100, 2_000);
      if (Date.now() + pause > deadline) throw unknown(name, cause);
      await sleep(pause);
    }
  }
}

function unknown(name: string, cause: UnavailableError): GatewayError {
  return new GatewayError("GW_API_UNAVAILABLE", `could not tell whether the signal was recorded on ${name} (${cause.message}); retry later`);
}
