import type { BenchContext } from "./context";
import type { Gateways } from "./gateways";
import { runLoad, type LoadOptions, type LoadResult, type Operation } from "./load";
import { apiserverWrites, gatewayWriteDelta, writeDelta } from "./metrics";
import type { Measurement } from "./results";
import { round, summarize } from "./stats";

export interface MeasureOptions extends LoadOptions {
  /** Unmeasured operations first (numbered count.., so they never share an item with measured ones). */
  warmup?: number;
  /** Gateways whose rr_gateway_api_writes_total is read alongside the API server's counters. */
  gateways?: Gateways;
  /** Wait this long after the run before reading the write counters. */
  settleMs?: number;
  /** Told when the measured run starts and ends (to cut a CPU profile to it). */
  onRun?: (phase: "start" | "end") => void;
}

/** Warms up, then runs one measured load, counting the API writes it caused. */
export async function measure(ctx: BenchContext, label: string, op: Operation, options: MeasureOptions): Promise<Measurement> {
  ctx.log(`  ${label}`);
  const { warmup = 0, gateways, settleMs = 0 } = options;
  if (warmup > 0) await runLoad(i => op(options.count + i), { ...options, count: warmup, concurrency: Math.min(options.concurrency, warmup) });
  if (settleMs > 0) await sleep(settleMs); // what the warm-up left pending lands before counting starts
  const run = async (): Promise<LoadResult> => {
    options.onRun?.("start");
    try {
      return await runLoad(op, options);
    } finally {
      options.onRun?.("end");
    }
  };
  return counted(ctx, label, options.concurrency, run, gateways, settleMs);
}

/** Runs `run` between two readings of the write counters; the second waits settleMs after the run. */
export async function counted(ctx: BenchContext, label: string, concurrency: number, run: () => Promise<LoadResult>, gateways?: Gateways, settleMs = 0): Promise<Measurement> {
  const before = await apiserverWrites(ctx.admin);
  const gwBefore = gateways ? await gateways.writes() : undefined;
  const result = await run();
  if (settleMs > 0) await sleep(settleMs);
  const apiserver = writeDelta(before, await apiserverWrites(ctx.admin));
  const gateway = gateways && gwBefore ? gatewayWriteDelta(gwBefore, await gateways.writes()) : undefined;
  const stats = summarize(result.latenciesMs, result.wallMs, result.errors);
  return {
    label,
    concurrency,
    ...stats,
    ...(result.truncated ? { truncated: true } : {}),
    ...(result.firstError ? { firstError: result.firstError } : {}),
    writes: { apiserver, ...(gateway ? { gateway } : {}), perSignal: round(apiserver.total / Math.max(1, stats.count), 3) },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));
