import { shutdownBudgetFromEnv, type ShutdownBudget } from "./shutdown-budget";

/**
 * The one way a process of ours stops: the module inside Pepr's process
 * (capabilities/), the gateway alone (src/gateway/main.ts) and the mock
 * orchestrator alone (src/orchestrator/main.ts).
 *
 * On SIGTERM (or SIGINT, Ctrl-C; SIGHUP) every registered part stops at once, each
 * told the deadline (SIGTERM + the budget of shutdown-budget.ts, derived from
 * the pod's grace period and preStop). The process exits 0 when all stopped,
 * 1 when one failed or the deadline came first: then it exits at the
 * deadline, still before the kubelet's SIGKILL. A second Ctrl-C exits at once.
 *
 * Pepr's controller answers SIGTERM by closing its own server and calling
 * process.exit(143), which would cut the gateway's drain short: while
 * stopping, process.exit is held until the parts are done or the deadline.
 */

/** Stops one part; `deadline` (epoch ms) is when the process exits regardless. */
export type StopHook = (deadline: number) => Promise<void>;

export interface StopOutcome {
  /** Parts whose stop threw, with the error. */
  failed: { name: string; error: string }[];
  /** Parts still stopping at the deadline. */
  unfinished: string[];
}

/** Runs every part's stop at once and waits for them, or for the deadline. */
export async function runStopHooks(hooks: readonly { name: string; stop: StopHook }[], deadline: number, now: () => number = Date.now): Promise<StopOutcome> {
  const outcome: StopOutcome = { failed: [], unfinished: hooks.map(h => h.name) };
  const settled = Promise.all(
    hooks.map(async h => {
      try {
        await h.stop(deadline);
      } catch (err) {
        outcome.failed.push({ name: h.name, error: err instanceof Error ? err.message : String(err) });
      }
      outcome.unfinished = outcome.unfinished.filter(n => n !== h.name);
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadlinePassed = new Promise<void>(resolve => (timer = setTimeout(resolve, Math.max(0, deadline - now()))));
  await Promise.race([settled, deadlinePassed]);
  clearTimeout(timer);
  return { failed: [...outcome.failed], unfinished: [...outcome.unfinished] };
}

export class ProcessShutdown {
  private readonly hooks: { name: string; stop: StopHook }[] = [];
  private stopping = false;

  constructor(
    readonly budget: ShutdownBudget,
    private readonly write: (line: string) => void = line => process.stderr.write(`${line}\n`),
  ) {}

  /** Registers a part to stop on SIGTERM/SIGINT. */
  add(name: string, stop: StopHook): void {
    this.hooks.push({ name, stop });
  }

  /** Listens for SIGTERM, SIGINT and SIGHUP (a closed terminal, in local runs), once per process: see processShutdown(). */
  listen(): void {
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => this.onSignal(signal));
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.stopping) {
      if (signal === "SIGINT") {
        this.write("SIGINT again: exiting now");
        process.exit(130);
      }
      return;
    }
    this.stopping = true;
    const deadline = Date.now() + this.budget.budgetMs;
    const names = this.hooks.map(h => h.name).join(", ") || "nothing running";
    this.write(`${signal}: stopping ${names}; exiting within ${this.budget.budgetMs / 1000}s (${this.budget.explanation})`);
    const exit = process.exit.bind(process);
    const done = runStopHooks(this.hooks, deadline).then(outcome => {
      for (const f of outcome.failed) this.write(`stopping ${f.name} failed: ${f.error}`);
      if (outcome.unfinished.length > 0) this.write(`${outcome.unfinished.join(", ")} did not stop within ${this.budget.budgetMs / 1000}s; exiting before the kubelet's SIGKILL`);
      return outcome.failed.length === 0 && outcome.unfinished.length === 0 ? 0 : 1;
    });
    // Hold anyone else's exit (Pepr's on SIGTERM) until the parts are done.
    process.exit = (() => {
      void done.then(exit);
    }) as typeof process.exit;
    void done.then(exit);
  }
}

let current: ProcessShutdown | undefined;

/**
 * The process's shutdown, made (and its signal handlers installed) on first
 * use; the gateway and the orchestrator share it inside Pepr's process.
 * Throws ShutdownBudgetError when the pod's settings leave no time to stop.
 */
export function processShutdown(env: Record<string, string | undefined> = process.env): ProcessShutdown {
  if (!current) {
    current = new ProcessShutdown(shutdownBudgetFromEnv(env));
    current.listen();
  }
  return current;
}
