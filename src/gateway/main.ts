/**
 * Runs the gateway on its own: `node --import tsx src/gateway/main.ts`.
 * Configuration comes from the environment (see GATEWAY_ENV in config.ts).
 */
import { ConfigError, loadGatewayConfig } from "./config";
import { startGateway } from "./index";

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const gateway = await startGateway(config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: draining and stopping the gateway\n`);
    // Should stopping hang (an unreachable API server during the final writes), exit anyway.
    setTimeout(() => {
      process.stderr.write("the gateway did not stop in time; exiting\n");
      process.exit(1);
    }, config.shutdownDelayMs + config.shutdownGraceMs + 15_000).unref();
    gateway.stop().then(
      () => process.exit(0),
      err => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch(err => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `gateway failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
