import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import { freshNamespace, type BenchContext } from "../context";
import { firing, Gateways } from "../gateways";
import { runLoad } from "../load";
import { measure } from "../measure";
import type { Measurements } from "../results";
import { realisticRR } from "../rr-factory";
import { createAndCount, sequentialApplies } from "./baseline";

/**
 * Scenario 11: the cost of a new problem and of a duplicate as the namespace
 * fills up. One gateway on a namespace of its own; before each step the
 * namespace is filled (RRs created straight on the API server, many in
 * flight) to storedRRs[k] RRs, and the gateway's cache is let catch up with
 * them; then new signals (each a new problem) and duplicates of one problem
 * are sent one at a time; then the same two costs straight on the API server
 * (a create and its first status apply; a status apply), so the growth of the
 * API server's own cost is seen beside the gateway's. Ids 11a-<n> (new
 * problems), 11b-<n> (duplicates), 11c-<n> and 11d-<n> (raw); the ratios
 * compare each size with the first.
 */
export async function storedRRs(ctx: BenchContext): Promise<Measurements> {
  const { sizes } = ctx.options;
  const ns = await freshNamespace(ctx, "bench-stored");
  const rrs = await ctx.env.rrClient("gateway", ns);
  const gw = await Gateways.start(ctx.plane, ns);
  const out: Measurements = {};
  let stored = 0;
  try {
    const dup = firing("BenchStoredDuplicate", "dup");
    if ((await gw.post(0, dup)).status !== 201) throw new Error("scenario 11: the duplicate's first signal was not created");
    stored++;
    for (const target of sizes.storedRRs) {
      const missing = Math.max(0, target - stored);
      ctx.log(`  filling ${ns} to ${target} RRs (${missing} more)`);
      const base = stored;
      const fill = await runLoad(
        async i => {
          await rrs.create(realisticRR("BenchStored", `filler-${base + i}`), FIELD_MANAGERS.gateway);
          return true;
        },
        { count: missing, concurrency: sizes.memoryCreateConcurrency, timeLimitMs: 30 * 60_000 },
      );
      if (fill.errors > 0) throw new Error(`scenario 11: ${fill.errors} of ${missing} filler creates failed: ${fill.firstError}`);
      stored += missing;
      // Measure the steady state: the gateway's watch has delivered what the fill created.
      const cacheCaughtUpMs = await gw.cacheHolds(stored, 5 * 60_000);
      ctx.log(cacheCaughtUpMs === undefined ? `  the gateway's cache did not reach ${stored} RRs within 5 minutes: measuring anyway` : `  the gateway's cache holds the ${stored} RRs ${cacheCaughtUpMs} ms after the fill`);
      const raw = { count: sizes.storedRunOps, concurrency: 1, timeLimitMs: sizes.timeLimitMs, warmup: sizes.warmup };
      const run = { ...raw, gateways: gw };
      out[`11a-${target}`] = await measure(ctx, `gateway new signal with ${target} RRs stored`, async i => (await gw.post(i, firing("BenchStoredNew", `${target}-${i}`))).status === 201, run);
      stored += run.count + run.warmup;
      out[`11b-${target}`] = await measure(ctx, `gateway duplicate with ${target} RRs stored`, async i => (await gw.post(i, dup)).status === 202, run);
      // The API server alone at the same size: what of the growth is its own.
      out[`11c-${target}`] = await measure(ctx, `raw create + first status apply with ${target} RRs stored`, createAndCount(rrs, `stored-raw-${target}`), raw);
      stored += raw.count + raw.warmup + 1;
      out[`11d-${target}`] = await measure(ctx, `raw status apply with ${target} RRs stored`, await sequentialApplies(rrs, `stored-raw-apply-${target}`), raw);
      for (const kind of ["11a", "11b", "11c", "11d"]) out[`${kind}-${target}`].extra = { storedRRs: target, cacheCaughtUpMs: cacheCaughtUpMs ?? null };
    }
  } finally {
    await gw.stop();
  }
  return out;
}
