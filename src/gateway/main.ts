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
