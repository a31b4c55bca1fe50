import type { TargetRef } from "../signal/signal";
import type { ScopeLabels } from "../k8s/scope-labels";
import { decideScope, type ScopeDecision, type ScopeMode } from "../signal/scope";
import { GatewayError } from "./errors";

const IN_SCOPE: ScopeDecision = { managed: true, reason: "all" };

/**
 * GATEWAY_SCOPE on the request path: `all` lets every signal through;
 * `managed-label` judges each target by kubernaut's rule (src/signal/scope.ts)
 * from the label watches (src/k8s/scope-labels.ts). While the labels are not
 * known yet it answers 503 (the sender retries), never a rejection it cannot
 * back up.
 */
export class ScopeFilter {
  constructor(
    readonly mode: ScopeMode,
    private readonly labels?: ScopeLabels,
  ) {
    if (mode === "managed-label" && !labels) throw new Error("GATEWAY_SCOPE=managed-label needs the scope label watches");
  }

  /** Ready to judge: always in `all` mode, once the namespace labels are listed in `managed-label` mode. */
  get hasSynced(): boolean {
    return this.mode === "all" || this.labels!.hasSynced;
  }

  async check(target: TargetRef): Promise<ScopeDecision> {
    if (this.mode === "all") return IN_SCOPE;
    const labels = await this.labels!.labelsOf(target);
    if (!labels) {
      throw new GatewayError(
        "GW_SCOPE_UNKNOWN",
        `the kubernaut.ai/managed labels for ${target.kind} ${target.namespace ? `${target.namespace}/` : ""}${target.name} are not loaded yet (the gateway is starting, or cannot list them): the signal was not recorded; retry later`,
      );
    }
    return decideScope({ target, ...labels });
  }
}
