import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import { startGatewayProcess, type GatewayProcess } from "../../test/integration/helpers/gateway-process";
import { freshNamespace, type BenchContext } from "../context";
import { runLoad } from "../load";
import { sleep } from "../measure";
import { scrape } from "../metrics";
import type { Measurements } from "../results";
import { realisticRR } from "../rr-factory";
import { percentile, round, summarize } from "../stats";

/**
 * A preload for the measured gateway process (run with --expose-gc): on
 * SIGUSR2 it collects garbage fully and prints process.memoryUsage(), so the
 * heap figure is live data, not whatever the initial LIST left for the GC.
 */
const GC_HOOK = `process.on("SIGUSR2", () => {
  global.gc(); global.gc();
  process.stderr.write("BENCH_MEMORY " + JSON.stringify(process.memoryUsage()) + "\\n");
});
`;

interface GatewayMemory {
  startToReadyMs: number;
  /** From the gateway's own log: "listening" to "cache synced". */
  cacheSyncMs: number;
  cacheSize: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

/**
 * Scenario 7: memory of a gateway process with memoryRRs RRs in its cache,
 * against one watching an empty namespace, and the time from process start to
 * /readyz 200 (the cache synced), against one raw LIST of the same RRs.
 */
export async function memory(ctx: BenchContext): Promise<Measurements> {
  const { sizes } = ctx.options;
  const hookDir = mkdtempSync(path.join(os.tmpdir(), "rr-bench-"));
  const hook = path.join(hookDir, "gc-hook.cjs");
  writeFileSync(hook, GC_HOOK);

  const full = await freshNamespace(ctx, "bench-mem");
  const empty = sizes.overlapStarts ? "" : await freshNamespace(ctx, "bench-empty");
  const rrs = await ctx.env.rrClient("gateway", full);
  ctx.log(`  creating ${sizes.memoryRRs} RRs (${sizes.memoryCreateConcurrency} at a time)`);
  const creation = await runLoad(
    async i => {
      await rrs.create(realisticRR("BenchMemory", `mem-${i}`), FIELD_MANAGERS.gateway);
      return true;
    },
    { count: sizes.memoryRRs, concurrency: sizes.memoryCreateConcurrency, timeLimitMs: 10 * 60_000 },
  );
  if (creation.errors > 0) throw new Error(`could not create the RRs of scenario 7: ${creation.firstError}`);

  const lists: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await rrs.list();
    lists.push(performance.now() - t0);
  }
  const rawListMs = round(percentile([...lists].sort((a, b) => a - b), 50));

  const starts = ctx.options.quick ? 1 : 3;
  const loaded: GatewayMemory[] = [];
  let idle: GatewayMemory | undefined;
  if (!sizes.overlapStarts) {
    ctx.log("  gateway with an empty cache");
    idle = await measureGateway(ctx, empty, hook);
  }
  for (let i = 0; i < starts; i++) {
    ctx.log(`  gateway with ${sizes.memoryRRs} RRs in its cache (start ${i + 1} of ${starts})`);
    loaded.push(await measureGateway(ctx, full, hook));
  }
  const last = loaded.at(-1)!;
  const sync = [...loaded.map(l => l.cacheSyncMs)].sort((a, b) => a - b);
  const stats = summarize(
    loaded.map(l => l.startToReadyMs),
    loaded.reduce((a, l) => a + l.startToReadyMs, 0),
  );
  return {
    "7": {
      label: `gateway start to ready, ${sizes.memoryRRs} RRs cached`,
      concurrency: 1,
      ...stats,
      throughputPerS: NaN,
      extra: {
        rrs: sizes.memoryRRs,
        createdPerS: round((creation.latenciesMs.length * 1000) / creation.wallMs, 1),
        rawListMs,
        cacheSyncMs: round(percentile(sync, 50)),
        loaded: last,
        empty: idle ?? null,
        rssMB: mb(last.rssBytes),
        heapUsedMB: mb(last.heapUsedBytes),
        rssDeltaMB: idle ? mb(last.rssBytes - idle.rssBytes) : NaN,
        heapDeltaMB: idle ? mb(last.heapUsedBytes - idle.heapUsedBytes) : NaN,
        heapBytesPerRR: idle ? Math.round((last.heapUsedBytes - idle.heapUsedBytes) / sizes.memoryRRs) : NaN,
        cacheComplete: last.cacheSize === sizes.memoryRRs,
      },
    },
  };
}

async function measureGateway(ctx: BenchContext, namespace: string, hook: string): Promise<GatewayMemory> {
  const t0 = performance.now();
  const gw = await startGatewayProcess(namespace, {
    KUBECONFIG: ctx.plane.kubeconfig("gateway"),
    LOG_LEVEL: "info",
    NODE_OPTIONS: `--expose-gc --require ${hook}`,
  });
  const startToReadyMs = round(performance.now() - t0);
  try {
    await sleep(1_000);
    gw.child.kill("SIGUSR2");
    const usage = await memoryLine(gw);
    const metrics = await scrape(gw.url);
    return {
      startToReadyMs,
      cacheSyncMs: logGap(gw.output(), /gateway listening/, /cache synced/),
      cacheSize: metrics.get("rr_gateway_rr_cache_size") ?? NaN,
      rssBytes: usage.rss,
      heapUsedBytes: usage.heapUsed,
      heapTotalBytes: usage.heapTotal,
      externalBytes: usage.external,
    };
  } finally {
    await gw.kill("SIGTERM");
  }
}

async function memoryLine(gw: GatewayProcess): Promise<NodeJS.MemoryUsage> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const line = gw.output().split("\n").reverse().find(l => l.startsWith("BENCH_MEMORY "));
    if (line) return JSON.parse(line.slice("BENCH_MEMORY ".length)) as NodeJS.MemoryUsage;
    await sleep(50);
  }
  throw new Error(`the gateway printed no memory usage after SIGUSR2:\n${gw.output().slice(-2_000)}`);
}

/** Milliseconds between the first log lines matching `from` and `to` (pino's "time" field). */
function logGap(output: string, from: RegExp, to: RegExp): number {
  const lines = output.split("\n").flatMap(l => {
    try {
      return [JSON.parse(l) as { time?: string | number; msg?: string }];
    } catch {
      return [];
    }
  });
  const at = (re: RegExp): number => {
    const line = lines.find(l => re.test(l.msg ?? ""));
    return line?.time === undefined ? NaN : typeof line.time === "number" ? line.time : Date.parse(line.time);
  };
  return at(to) - at(from);
}

const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);
