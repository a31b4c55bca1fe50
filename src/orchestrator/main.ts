/**
 * Runs the mock Remediation Orchestrator as its own process:
 *
 *   KUBECONFIG=... ORCHESTRATOR_NAMESPACE=demo node --import tsx src/orchestrator/main.ts
 *
 * Configuration comes from the environment (docs/orchestrator.md); logs are
 * pino JSON lines on stdout. SIGTERM or SIGINT stops it gracefully within the
 * shutdown budget (src/module/shutdown.ts): finish the writes in flight,
 * release the Lease, exit 0 (1 if that failed or ran out of time). Exit code
 * 2 means invalid configuration, 1 any other failure to start.
 */
import { createLogger } from "../log/logger";
import { processShutdown } from "../module/shutdown";
import { ShutdownBudgetError } from "../module/shutdown-budget";
import { OrchestratorConfigError } from "./errors";
import { startOrchestratorFromEnv } from "./index";

const log = createLogger("mock-orchestrator", process.env.ORCHESTRATOR_LOG_LEVEL ?? process.env.LOG_LEVEL);

async function main(): Promise<void> {
  try {
    const shutdown = processShutdown();
    const running = await startOrchestratorFromEnv(process.env, log);
    shutdown.add("mock orchestrator", () => {
      log.info("stopping");
      return running.stop();
    });
  } catch (err) {
    if (err instanceof OrchestratorConfigError) {
      log.fatal({ problems: err.problems }, err.message);
      process.exitCode = 2;
    } else if (err instanceof ShutdownBudgetError) {
      log.fatal(err.message);
      process.exitCode = 2;
    } else {
      log.fatal({ err }, "the mock orchestrator could not start");
      process.exitCode = 1;
    }
  }
}

void main();
