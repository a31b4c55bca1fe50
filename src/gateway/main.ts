/**
 * Runs the gateway on its own: `node --import tsx src/gateway/main.ts`.
 * Configuration comes from the environment (see GATEWAY_ENV in config.ts).
 * SIGTERM or SIGINT stops it gracefully within the shutdown budget
 * (src/module/shutdown.ts): exit 0 when everything stopped, 1 otherwise.
 */
import { processShutdown } from "../module/shutdown";
import { ShutdownBudgetError } from "../module/shutdown-budget";
import { ConfigError, loadGatewayConfig } from "./config";
import { startGateway } from "./index";

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const shutdown = processShutdown();
  const gateway = await startGateway(config);
  shutdown.add("gateway", deadline => gateway.stop(deadline));
}

main().catch(err => {
  const expected = err instanceof ConfigError || err instanceof ShutdownBudgetError;
  process.stderr.write(expected ? `${err.message}\n` : `gateway failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
