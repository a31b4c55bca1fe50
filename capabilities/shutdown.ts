import { processShutdown } from "../src/module/shutdown";
import { ShutdownBudgetError } from "../src/module/shutdown-budget";

/**
 * The module's parts (the gateway, the mock orchestrator) stop through the
 * process's one shutdown (src/module/shutdown.ts), inside Pepr's process:
 * within the budget the pod's TERMINATION_GRACE_PERIOD_SECONDS and
 * PRESTOP_SLEEP_SECONDS leave (the build sets both from the Deployment).
 * Settings that leave no time to stop are fatal at start, like bad config.
 */
export function onShutdown(name: string, stop: (deadline: number) => Promise<void>): void {
  processShutdown().add(name, stop);
}

/** Checks the shutdown budget before a part starts; exits 1 with the reason when the pod's settings leave no time to stop. */
export function checkShutdownBudget(fatal: (message: string) => void): void {
  try {
    processShutdown();
  } catch (err) {
    if (!(err instanceof ShutdownBudgetError)) throw err;
    fatal(err.message);
    process.exit(1);
  }
}
