import type { BenchContext } from "../context";
import { firing, type Gateways, type Reply } from "../gateways";
import { burst } from "../load";
import { counted } from "../measure";
import type { WriteDelta } from "../metrics";
import type { Measurement, Measurements } from "../results";
import { percentile, pool, round } from "../stats";

/**
 * Scenarios 4 and 5: burstSize identical signals at once (spread round robin
 * over the gateway's replicas), `bursts` times, each for a problem of its own:
 * "cold" bursts are a problem's first signals (one creates the RR, the rest
 * are counted on it), "warm" bursts repeat a problem whose RR exists.
 * API writes are counted per burst, including the storm status write the
 * burst causes (up to a second later). Each burst is checked: one RR, the
 * counts base+1..base+burstSize each exactly once.
 */
export async function bursts(ctx: BenchContext, gw: Gateways, id: string, tag: string): Promise<Measurements> {
  const replicas = gw.processes.length;
  const where = replicas > 1 ? `, ${replicas} replicas` : "";
  return {
    [`${id}a`]: await burstRuns(ctx, gw, `${ctx.options.sizes.burstSize} identical at once, new problem${where}`, `${tag}-cold`, false),
    [`${id}b`]: await burstRuns(ctx, gw, `${ctx.options.sizes.burstSize} identical at once, existing RR${where}`, `${tag}-warm`, true),
  };
}

async function burstRuns(ctx: BenchContext, gw: Gateways, label: string, tag: string, warm: boolean): Promise<Measurement> {
  const { bursts: n, burstSize } = ctx.options.sizes;
  ctx.log(`  ${label} (x${n})`);
  const runs: Measurement[] = [];
  const raw: { latenciesMs: number[]; wallMs: number; errors: number }[] = [];
  const checks: string[] = [];
  // Warm up every connection with one new problem each (a repeated one would leave a storm status write for later).
  await burst(async i => (await gw.post(i, firing("BenchBurst", `${tag}-warmup-${i}`))).status < 300, burstSize);
  for (let b = 0; b < n; b++) {
    const body = firing("BenchBurst", `${tag}-${b}`);
    const base = warm ? 1 : 0;
    if (warm && (await gw.post(b, body)).status !== 201) throw new Error(`${label}: the RR for burst ${b} could not be created`);
    const replies: Reply[] = [];
    const m = await counted(
      ctx,
      label,
      burstSize,
      async () => {
        const result = await burst(async i => {
          const reply = await gw.post(i, body);
          replies[i] = reply;
          return reply.status === 201 || reply.status === 202;
        }, burstSize);
        raw.push(result);
        return result;
      },
      gw,
      ctx.options.sizes.settleMs,
    );
    runs.push(m);
    const problem = checkBurst(replies, base, warm);
    if (problem) checks.push(`burst ${b}: ${problem}`);
  }
  const apiserver = sumDeltas(runs.map(r => r.writes!.apiserver));
  const gateway = sumDeltas(runs.map(r => r.writes!.gateway!));
  const perBurst = runs.map(r => r.writes!.apiserver.total);
  const p95s = runs.map(r => r.p95Ms).sort((a, b) => a - b);
  return {
    label,
    concurrency: burstSize,
    ...pool(raw),
    writes: {
      apiserver,
      gateway,
      perSignal: round(apiserver.total / Math.max(1, n * burstSize), 3),
      perBurst: { mean: round(apiserver.total / Math.max(1, n), 1), max: Math.max(...perBurst) },
    },
    extra: {
      bursts: n,
      burstP95Ms: { median: round(percentile(p95s, 50)), max: p95s.at(-1) },
      exactlyOnce: checks.length === 0,
      ...(checks.length > 0 ? { problems: checks } : {}),
    },
  };
}

/** What is wrong with a burst's answers, if anything: one RR, one 201 at most (cold: exactly one), counts base+1..base+k once each. */
function checkBurst(replies: Reply[], base: number, warm: boolean): string | undefined {
  const failed = replies.filter(r => r.status !== 201 && r.status !== 202);
  if (failed.length > 0) return `${failed.length} answers were not 201/202 (first: ${failed[0].status})`;
  const names = new Set(replies.map(r => r.rrName));
  if (names.size !== 1) return `answers name ${names.size} RRs`;
  const created = replies.filter(r => r.status === 201).length;
  if (created !== (warm ? 0 : 1)) return `${created} answers were 201`;
  const counts = replies.map(r => r.count ?? -1).sort((a, b) => a - b);
  if (counts.some((c, i) => c !== base + i + 1)) return `counts are not ${base + 1}..${base + replies.length} once each`;
  return undefined;
}

function sumDeltas(deltas: WriteDelta[]): WriteDelta {
  const byKind: Record<string, number> = {};
  let total = 0;
  for (const d of deltas) {
    total += d.total;
    for (const [k, v] of Object.entries(d.byKind)) byKind[k] = (byKind[k] ?? 0) + v;
  }
  return { total, byKind };
}
