/**
 * Graceful shutdown for the parts of the module that run their own servers
 * and loops (the gateway, the mock orchestrator) inside Pepr's process.
 *
 * Pepr's controller handles SIGTERM by closing its own HTTPS server and then
 * calling process.exit(143), which would cut the gateway's drain short (and
 * lose the answers to requests in flight). Our listener is registered before
 * Pepr's (capabilities load before the module starts its server), so on
 * SIGTERM it first holds process.exit until every hook has finished or the
 * deadline passes, then lets the exit through. SIGINT (Ctrl-C in local runs,
 * which Pepr does not handle) runs the same hooks and exits 130.
 */
const hooks: { name: string; stop: () => Promise<void> }[] = [];
let installed = false;
let stopping: Promise<void> | undefined;

/** The longest a shutdown waits for the hooks before exiting anyway. */
export const SHUTDOWN_DEADLINE_MS = 45_000;

export function onShutdown(name: string, stop: () => Promise<void>): void {
  hooks.push({ name, stop });
  if (installed) return;
  installed = true;
  process.once("SIGTERM", () => shutDown(143));
  process.once("SIGINT", () => shutDown(130));
}

function shutDown(code: number): void {
  const exit = process.exit.bind(process);
  const done = runHooks();
  // Hold Pepr's (or anyone's) exit until the hooks are done.
  process.exit = ((exitCode?: number) => {
    void done.then(() => exit(exitCode));
  }) as typeof process.exit;
  void done.then(() => exit(code));
}

function runHooks(): Promise<void> {
  stopping ??= Promise.race([
    Promise.allSettled(
      hooks.map(h =>
        h.stop().catch(err => {
          process.stderr.write(`stopping ${h.name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
        }),
      ),
    ).then(() => undefined),
    new Promise<void>(resolve => setTimeout(resolve, SHUTDOWN_DEADLINE_MS).unref()),
  ]);
  return stopping;
}
