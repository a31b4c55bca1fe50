import type { BenchContext } from "../context";
import { firing, type Gateways } from "../gateways";
import { measure } from "../measure";
import type { Measurements } from "../results";

/** Scenario 2: every signal a new problem (distinct fingerprints), so each creates an RR through the gateway. */
export async function newSignals(ctx: BenchContext, gw: Gateways): Promise<Measurements> {
  const { sizes } = ctx.options;
  const created = (prefix: string) => async (i: number) => (await gw.post(i, firing("BenchNew", `${prefix}-${i}`))).status === 201;
  return {
    "2a": await measure(ctx, "gateway new signal, sequential", created("new-seq"), {
      count: sizes.sequential,
      concurrency: 1,
      timeLimitMs: sizes.timeLimitMs,
      warmup: sizes.warmup,
      gateways: gw,
    }),
    "2b": await measure(ctx, "gateway new signal, concurrent", created("new-conc"), {
      count: sizes.concurrent,
      concurrency: sizes.concurrency,
      timeLimitMs: sizes.timeLimitMs,
      warmup: sizes.warmup,
      gateways: gw,
    }),
  };
}

/** Scenario 3: repeats of one problem, one at a time: each is counted on the RR with one status apply. */
export async function duplicates(ctx: BenchContext, gw: Gateways): Promise<Measurements> {
  const { sizes } = ctx.options;
  const body = firing("BenchDuplicate", "dup");
  const first = await gw.post(0, body);
  if (first.status !== 201) throw new Error(`the first signal of scenario 3 got ${first.status}, not 201`);
  return {
    "3": await measure(ctx, "gateway duplicate, sequential", async i => (await gw.post(i, body)).status === 202, {
      count: sizes.sequential,
      concurrency: 1,
      timeLimitMs: sizes.timeLimitMs,
      warmup: sizes.warmup,
      gateways: gw,
      settleMs: ctx.options.sizes.settleMs,
    }),
  };
}

/**
 * Scenario 6: a sustained duplicate storm, stormSignals signals over
 * stormFingerprints problems (round robin), stormConcurrency in flight. Every
 * problem has its RR before the measured run. Checks afterwards that the
 * counts on the RRs add up to the 2xx answers (nothing lost, nothing twice).
 */
export async function storm(ctx: BenchContext, gw: Gateways, onRun?: (phase: "start" | "end") => void): Promise<Measurements> {
  const { sizes } = ctx.options;
  const bodies = Array.from({ length: sizes.stormFingerprints }, (_, f) => firing("BenchStorm", `storm-${f}`));
  const names = await Promise.all(bodies.map(async (body, f) => (await gw.post(f, body)).rrName));
  let answered = 0;
  const m = await measure(
    ctx,
    `gateway duplicate storm, ${sizes.stormFingerprints} problems`,
    async i => {
      const ok = (await gw.post(i, bodies[i % bodies.length])).status === 202;
      if (ok) answered++;
      return ok;
    },
    {
      count: sizes.stormSignals,
      concurrency: sizes.stormConcurrency,
      timeLimitMs: sizes.timeLimitMs,
      warmup: sizes.warmup,
      gateways: gw,
      settleMs: ctx.options.sizes.settleMs,
      onRun,
    },
  );
  const admin = await ctx.env.rrClient("admin", gw.namespace);
  const counts = await Promise.all(names.map(async name => (name ? ((await admin.get(name)).status?.deduplication?.occurrenceCount ?? 0) : 0)));
  const recorded = counts.reduce((a, b) => a + b, 0);
  // Each RR: 1 (its creation) + every 2xx answer, warm-up included.
  const expected = bodies.length + answered;
  m.extra = { fingerprints: bodies.length, countsOnRRs: recorded, expectedCounts: expected, exactlyOnce: recorded === expected };
  return { "6": m };
}
