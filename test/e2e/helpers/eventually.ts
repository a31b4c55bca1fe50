import { waitFor } from "../../integration/helpers/wait";

interface HasOutput {
  output(): string;
}

/**
 * waitFor, with the processes' recent output in the error when it times out
 * (an end-to-end failure is read from Alertmanager's and the gateway's logs).
 * The processes are looked up when a wait fails, so they may start later.
 */
export function eventuallyShowing(processes: () => Record<string, HasOutput | undefined>, defaults: { timeoutMs: number; intervalMs: number }) {
  return async <T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = defaults.timeoutMs): Promise<T> => {
    try {
      return await waitFor(what, check, timeoutMs, defaults.intervalMs);
    } catch (err) {
      const logs = Object.entries(processes()).map(([name, p]) => `--- ${name} ---\n${p?.output().slice(-3000) ?? "(not started)"}`);
      throw new Error(`${(err as Error).message}\n${logs.join("\n")}`);
    }
  };
}
