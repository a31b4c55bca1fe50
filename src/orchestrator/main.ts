/**
 * Runs the mock Remediation Orchestrator as its own process:
 *
 *   KUBECONFIG=... ORCHESTRATOR_NAMESPACE=demo node --import tsx src/orchestrator/main.ts
 *
 * Configuration comes from the environment (docs/orchestrator.md); logs are
 * pino JSON lines on stdout. SIGTERM or SIGINT stops it gracefully: finish
 * the writes in flight, release the Lease, exit 0. Exit code 2 means invalid
 * configuration, 1 any other failure to start.
 */
import { createLogger } from "../log/logger";
import { OrchestratorConfigError } from "./errors";
import { RunningOrchestrator, startOrchestratorFromEnv } from "./index";

const log = createLogger("mock-orchestrator", process.env.ORCHESTRATOR_LOG_LEVEL ?? process.env.LOG_LEVEL);

async function main(): Promise<void> {
  let running: RunningOrchestrator;
  try {
    running = await startOrchestratorFromEnv(process.env, log);
  } catch (err) {
    if (err instanceof OrchestratorConfigError) {
      log.fatal({ problems: err.problems }, err.message);
      process.exitCode = 2;
    } else {
      log.fatal({ err }, "the mock orchestrator could not start");
      process.exitCode = 1;
    }
    return;
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    running.stop().then(
      () => process.exit(0),
      err => {
        log.error({ err }, "stopping failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

void main();
