import { Capability } from "pepr";
import { createLogger } from "../src/log/logger";
import { OrchestratorConfigError, startOrchestratorFromEnv } from "../src/orchestrator/index";
import { shouldStartInPepr } from "../src/orchestrator/run-mode";
import { checkShutdownBudget, onShutdown } from "./shutdown";

/**
 * The mock Remediation Orchestrator, as Pepr wiring only: no bindings of its
 * own (it runs its own RR watch, work queue and Lease; see src/orchestrator/
 * and docs/orchestrator.md). It starts in every pod of the module and under
 * `pepr dev`, never during `pepr build`; its Lease keeps one instance active
 * (src/orchestrator/run-mode.ts).
 */
export const Orchestrator = new Capability({
  name: "mock-remediation-orchestrator",
  description: "Drives RemediationRequests through their lifecycle with scripted outcomes (a development stand-in for the real orchestrator).",
});

if (shouldStartInPepr(process.env)) startOrchestratorInModule();

function startOrchestratorInModule(): void {
  const log = createLogger("mock-orchestrator", process.env.ORCHESTRATOR_LOG_LEVEL ?? process.env.LOG_LEVEL);
  checkShutdownBudget(message => log.fatal(message));
  startOrchestratorFromEnv(process.env, log).then(
    // On shutdown: finish the writes in flight and release the Lease, so the next watcher pod takes over at once.
    running => onShutdown("mock orchestrator", () => running.stop()),
    err => {
      // A misconfigured orchestrator must be seen, not silently absent: exit like the gateway does.
      log.fatal(err instanceof OrchestratorConfigError ? { problems: err.problems } : { err }, err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
