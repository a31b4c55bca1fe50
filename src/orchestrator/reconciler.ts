import type { Logger } from "pino";
import { ConflictError, NotFoundError } from "../k8s/errors";
import { FIELD_MANAGERS } from "../k8s/field-managers";
import { RemediationRequestClient } from "../k8s/rr-client";
import type { LifecycleStatus, RemediationRequest } from "../model/remediation-request";
import type { OrchestratorConfig } from "./config";
import { OwnershipConflictError } from "./errors";
import { RoutingSettings, step, StepResult } from "./lifecycle";
import { ownedStatus, sameStatus } from "./owned-status";
import { planFor } from "./script";
import type { WorkResult } from "./work-queue";

/** The watch-fed view of the RRs: the reconciler reads from it and puts back what its writes return. */
export interface RrIndex {
  get(name: string): RemediationRequest | undefined;
  set(name: string, rr: RemediationRequest): void;
}

export interface ReconcilerDeps {
  rrs: RemediationRequestClient;
  config: OrchestratorConfig;
  index: RrIndex;
  /** Checked before every write: only the Lease holder acts. */
  isLeader: () => boolean;
  log: Logger;
  now?: () => Date;
}

/** Stale writes are retried at once after a fresh read, this many times, before the queue's backoff takes over. */
const STALE_ATTEMPTS = 3;

/**
 * One reconcile of one RR, cert-manager style: take the RR from the cache,
 * gather the inputs (the plan; the fingerprint's history only when needed),
 * compute the desired status with the pure step(), and write only on a
 * difference: a server-side apply of the whole owned section, under the
 * orchestrator's field manager, with a resourceVersion precondition.
 */
export class Reconciler {
  private readonly now: () => Date;

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async reconcile(name: string): Promise<WorkResult> {
    const { rrs, index, log } = this.deps;
    // Not the leader: drop the key. The new leader's first act is to queue every RR.
    if (!this.deps.isLeader()) return {};
    let rr = index.get(name);
    if (!rr) return {};
    for (let attempt = 1; ; attempt++) {
      const result = await this.desired(rr);
      const current = ownedStatus(rr.status);
      if (sameStatus(current, result.status)) return { requeueAfterMs: result.lookAgainInMs };
      if (!this.deps.isLeader()) return {};
      try {
        const updated = await rrs.applyStatus(name, result.status, { fieldManager: FIELD_MANAGERS.orchestrator, resourceVersion: rr.metadata.resourceVersion });
        index.set(name, updated);
        log.info(transitionFields(name, current, result), `RemediationRequest ${name}: ${current.overallPhase || '""'} → ${result.status.overallPhase}`);
        return { requeueAfterMs: result.lookAgainInMs };
      } catch (err) {
        if (err instanceof NotFoundError) return {}; // deleted meanwhile: nothing left to drive
        if (err instanceof ConflictError && !err.isStale) {
          // Retrying cannot fix ownership; the next change of the RR brings it back to the queue.
          log.error({ rr: name, err: new OwnershipConflictError(name, err.managerConflicts) }, "status apply refused: field ownership conflict");
          return {};
        }
        if (!(err instanceof ConflictError) || attempt >= STALE_ATTEMPTS) throw err;
        // Stale: the RR changed since the cache saw it (a replayed or late event, the gateway's
        // count). Re-read from the API server and decide again from the fresh status.
        rr = await rrs.get(name);
        index.set(name, rr);
      }
    }
  }

  private async desired(rr: RemediationRequest): Promise<Extract<StepResult, { kind: "status" }>> {
    const { config, rrs } = this.deps;
    const input = {
      rr,
      plan: planFor(rr.spec, config.rules, config.durations),
      now: this.now(),
      routing: routingSettings(config),
    };
    const first = step(input);
    if (first.kind === "status") return first;
    // Routing (the end of Pending or Analyzing): the blocking decision needs the fingerprint's history, straight from the API server.
    const history = await rrs.listByFingerprint(rr.spec.signalFingerprint);
    const second = step({ ...input, history });
    if (second.kind !== "status") throw new Error(`RemediationRequest ${rr.metadata.name}: the lifecycle step asked for the history twice`);
    return second;
  }
}

/** The log fields of one transition: what a reader needs to see why it happened. */
function transitionFields(name: string, current: LifecycleStatus, result: Extract<StepResult, { kind: "status" }>): Record<string, unknown> {
  const { completionStatus, routingStatus, overallPhase } = result.status;
  return {
    rr: name,
    from: current.overallPhase ?? "",
    to: overallPhase,
    lookAgainInMs: result.lookAgainInMs,
    outcome: completionStatus?.outcome,
    failurePhase: completionStatus?.failurePhase,
    reason: completionStatus?.failureReason,
    blockReason: overallPhase === "Blocked" ? routingStatus?.blockReason : undefined,
  };
}

export function routingSettings(config: OrchestratorConfig): RoutingSettings {
  return {
    threshold: config.failureThreshold,
    cooldownMs: config.cooldownMs,
    backoff: config.backoff,
    noActionHoldMs: config.noActionHoldMs,
    dryRunHoldMs: config.dryRunHoldMs,
  };
}
