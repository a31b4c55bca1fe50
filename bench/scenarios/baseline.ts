import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import type { RemediationRequestClient } from "../../src/k8s/rr-client";
import { freshNamespace, type BenchContext } from "../context";
import { measure } from "../measure";
import type { Measurements } from "../results";
import { realisticRR } from "../rr-factory";

/**
 * Scenario 1: the API server alone, through src/k8s's clients as the
 * "gateway" identity: a status apply of status.deduplication (with the
 * resourceVersion precondition the gateway sends), sequential and
 * concurrent; a create of a realistic RR, sequential and concurrent; and a
 * create followed by its first status apply (the two writes a new problem
 * costs by design), sequential and concurrent; and the field-selector LIST
 * of one problem's RRs that the gateway reads before it creates.
 */
export async function baseline(ctx: BenchContext): Promise<Measurements> {
  const { sizes } = ctx.options;
  const ns = await freshNamespace(ctx, "bench-raw");
  const rrs = await ctx.env.rrClient("gateway", ns);
  const out: Measurements = {};

  const seq = { count: sizes.sequential, concurrency: 1, timeLimitMs: sizes.timeLimitMs, warmup: sizes.warmup };
  const conc = { count: sizes.concurrent, concurrency: sizes.concurrency, timeLimitMs: sizes.timeLimitMs, warmup: sizes.warmup };

  out["1a"] = await measure(ctx, "raw status apply, sequential", await sequentialApplies(rrs, "seq-apply"), seq);

  // Status applies, `concurrency` at a time, each on an RR of its own (a free list, so the preconditions hold).
  const free: CountState[] = (await createRRs(rrs, "conc-apply", sizes.concurrency)).map(rr => ({ name: rr.name, count: 0, resourceVersion: rr.resourceVersion }));
  out["1b"] = await measure(
    ctx,
    "raw status apply, concurrent",
    async () => {
      const rr = free.pop()!;
      try {
        free.push(await applyCount(rrs, rr));
      } catch (err) {
        free.push(rr);
        throw err;
      }
      return true;
    },
    conc,
  );

  const create = (prefix: string) => async (i: number) => {
    await rrs.create(realisticRR("BenchRaw", `${prefix}-${i}`), FIELD_MANAGERS.gateway);
    return true;
  };
  out["1c"] = await measure(ctx, "raw create, sequential", create("seq-create"), seq);
  out["1d"] = await measure(ctx, "raw create, concurrent", create("conc-create"), conc);
  out["1e"] = await measure(ctx, "raw create + first status apply, sequential", createAndCount(rrs, "seq-create-apply"), seq);
  out["1f"] = await measure(ctx, "raw create + first status apply, concurrent", createAndCount(rrs, "conc-create-apply"), conc);
  // The read the gateway makes before it creates: every RR of the problem, by field selector (in a namespace that now holds every RR above).
  const fingerprints = Array.from({ length: sizes.sequential + sizes.warmup }, (_, i) => realisticRR("BenchRaw", `seq-create-${i}`).spec.signalFingerprint);
  out["1g"] = await measure(ctx, "raw LIST by fingerprint (field selector), sequential", async i => (await rrs.listByFingerprint(fingerprints[i])).length >= 0, seq);
  return out;
}

/** Status applies one after the other on one new RR (its name from prefix), each with the resourceVersion the last one returned. */
export async function sequentialApplies(rrs: RemediationRequestClient, prefix: string): Promise<() => Promise<boolean>> {
  const [one] = await createRRs(rrs, prefix, 1);
  let state: CountState = { name: one.name, count: 0, resourceVersion: one.resourceVersion };
  return async () => {
    state = await applyCount(rrs, state);
    return true;
  };
}

/** What a new problem costs by design: a create (the API server drops status on create), then the first count. */
export function createAndCount(rrs: RemediationRequestClient, prefix: string): (i: number) => Promise<boolean> {
  return async i => {
    const created = await rrs.create(realisticRR("BenchRaw", `${prefix}-${i}`), FIELD_MANAGERS.gateway);
    await applyCount(rrs, { name: created.metadata.name!, count: 0, resourceVersion: created.metadata.resourceVersion });
    return true;
  };
}

interface CountState {
  name: string;
  count: number;
  resourceVersion?: string;
}

/** One deduplication apply, as the gateway sends it: the whole section, the next count, the resourceVersion precondition. */
async function applyCount(rrs: RemediationRequestClient, rr: CountState): Promise<CountState> {
  const now = new Date().toISOString();
  const count = rr.count + 1;
  const updated = await rrs.applyStatus(
    rr.name,
    { deduplication: { occurrenceCount: count, firstSeenAt: now, lastSeenAt: now } },
    { fieldManager: FIELD_MANAGERS.deduplication, resourceVersion: rr.resourceVersion },
  );
  return { name: rr.name, count, resourceVersion: updated.metadata.resourceVersion };
}

async function createRRs(rrs: RemediationRequestClient, prefix: string, n: number): Promise<{ name: string; resourceVersion?: string }[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const created = await rrs.create(realisticRR("BenchRaw", `${prefix}-${i}`), FIELD_MANAGERS.gateway);
      return { name: created.metadata.name!, resourceVersion: created.metadata.resourceVersion };
    }),
  );
}
