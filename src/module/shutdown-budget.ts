/**
 * How long a process of the module may take to stop after SIGTERM, derived
 * from the pod's own termination settings so the two cannot disagree.
 *
 * The kubelet's timeline for a pod being deleted: it runs the preStop hook
 * first, and terminationGracePeriodSeconds counts from the hook's start;
 * SIGTERM arrives when the hook ends, SIGKILL when the grace period is over.
 * So after SIGTERM the process has grace − preStop seconds. It keeps a margin
 * of that for exiting itself (flushing logs, closing sockets) and for the
 * kubelet's and our timers not agreeing to the millisecond: a tenth of the
 * window, at least MIN_MARGIN_MS.
 *
 *   preStop 5 s, grace 45 s (deploy/module/admission-gateway.yaml):
 *   0 s preStop starts · 5 s SIGTERM · 41 s our deadline · 45 s SIGKILL
 */

import { ProcessError } from "../model/process-error";

/** The variables the manifests set from the pod spec (hack/fold-manifests.ts); defaults: Kubernetes' own. */
export const POD_TERMINATION_ENV = {
  TERMINATION_GRACE_PERIOD_SECONDS: ["30", "the pod's terminationGracePeriodSeconds (the build sets it from the Deployment; 30 is Kubernetes' default)"],
  PRESTOP_SLEEP_SECONDS: ["0", "how long the pod's preStop hook sleeps before SIGTERM (the build sets it from the Deployment)"],
} as const;

export interface PodTermination {
  gracePeriodSeconds: number;
  preStopSeconds: number;
}

export const MIN_MARGIN_MS = 2_000;

/** The shortest stop worth having: below it the settings leave no room to drain anything. */
export const MIN_BUDGET_MS = 1_000;

/** The pod's termination settings leave no room to stop gracefully, or are not numbers (code MOD_INVALID_TERMINATION). */
export class ShutdownBudgetError extends ProcessError {
  constructor(message: string) {
    super("MOD_INVALID_TERMINATION", message);
  }
}

export interface ShutdownBudget {
  /** From SIGTERM to the moment the process must have exited. */
  budgetMs: number;
  /** What is kept back from the kubelet's window (grace − preStop). */
  marginMs: number;
  /** For logs: where the number comes from. */
  explanation: string;
}

export function shutdownBudget({ gracePeriodSeconds, preStopSeconds }: PodTermination): ShutdownBudget {
  const windowMs = (gracePeriodSeconds - preStopSeconds) * 1000;
  const marginMs = Math.max(MIN_MARGIN_MS, Math.round(windowMs / 10));
  const budgetMs = windowMs - marginMs;
  if (budgetMs < MIN_BUDGET_MS) {
    throw new ShutdownBudgetError(
      `terminationGracePeriodSeconds (${gracePeriodSeconds}) leaves ${windowMs / 1000}s after the preStop sleep (${preStopSeconds}s), ` +
        `less than ${(MIN_BUDGET_MS + marginMs) / 1000}s: the process could not stop gracefully before SIGKILL. Raise terminationGracePeriodSeconds or shorten preStop`,
    );
  }
  return {
    budgetMs,
    marginMs,
    explanation: `terminationGracePeriodSeconds ${gracePeriodSeconds}s − preStop ${preStopSeconds}s − margin ${marginMs / 1000}s`,
  };
}

/** The pod's termination settings from TERMINATION_GRACE_PERIOD_SECONDS and PRESTOP_SLEEP_SECONDS. */
export function readPodTermination(env: Record<string, string | undefined>): PodTermination {
  const seconds = (name: keyof typeof POD_TERMINATION_ENV): number => {
    const raw = env[name]?.trim() || POD_TERMINATION_ENV[name][0];
    if (!/^\d{1,6}$/.test(raw)) throw new ShutdownBudgetError(`${name}: must be whole seconds (0 or more), got ${JSON.stringify(raw.slice(0, 32))}`);
    return Number(raw);
  };
  return { gracePeriodSeconds: seconds("TERMINATION_GRACE_PERIOD_SECONDS"), preStopSeconds: seconds("PRESTOP_SLEEP_SECONDS") };
}

export function shutdownBudgetFromEnv(env: Record<string, string | undefined>): ShutdownBudget {
  return shutdownBudget(readPodTermination(env));
}
