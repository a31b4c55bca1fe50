import { Capability } from "pepr";
import { createLogger } from "../src/log/logger";
import { OrchestratorConfigError, startOrchestratorFromEnv } from "../src/orchestrator/index";
import { shouldStartInPepr } from "../src/orchestrator/run-mode";
import { startOnProcessContext } from "../src/module/process-context";
import { checkShutdownBudget, onShutdown } from "./shutdown";

/**
 * The mock Remediation Orchestrator, as Pepr wiring only: no bindings of its
 * own (it runs its work queue and Lease on the process's shared RR informer;
 * see src/orchestrator/, src/module/process-context.ts and
 * docs/orchestrator.md). It starts in every pod of the module and under
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
  // On the process's one client and RR informer, shared with the gateway (src/module/process-context.ts).
  startOnProcessContext(informers => startOrchestratorFromEnv(process.env, log, informers)).then(
    // On shutdown: finish the writes in flight and release the Lease, so the next pod takes over at once.
    running => onShutdown("mock orchestrator", () => running.stop()),
    err => {
      // A misconfigured orchestrator must be seen, not silently absent: exit like the gateway does.
      log.fatal(err instanceof OrchestratorConfigError ? { problems: err.problems } : { err }, err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
