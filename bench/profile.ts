import type { SourceState } from "./source-state";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_DIR } from "../test/integration/helpers/controlplane";
import { freshNamespace, type BenchContext } from "./context";
import { formatSummary, summarizeProfile, type CpuProfile, type ProfileSummary } from "./cpu-profile";
import { Gateways } from "./gateways";
import type { Measurements } from "./results";
import { storm } from "./scenarios/gateway-load";

/**
 * --profile: one gateway process under `node --cpu-prof`, driven by the
 * duplicate storm (scenario 6), stopped gracefully so V8 writes the profile;
 * the profile is saved next to the results and summarized, counting only the
 * samples of the measured storm (not start-up, not the warm-up).
 */
export async function profileStorm(ctx: BenchContext, stamp: string, source: SourceState): Promise<{ profileFile: string; summary: ProfileSummary; storm: Measurements }> {
  const dir = path.join(os.tmpdir(), `rr-bench-prof-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const ns = await freshNamespace(ctx, "bench-prof");
  const gw = await Gateways.start(ctx.plane, ns, 1, {}, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
  let result: Measurements;
  // V8 stamps samples with the monotonic clock in microseconds, the same clock as process.hrtime.
  const window = { fromUs: 0, toUs: Infinity };
  const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
  try {
    result = await storm(ctx, gw, phase => (phase === "start" ? (window.fromUs = nowUs()) : (window.toUs = nowUs())));
  } finally {
    await gw.stop();
  }
  // One profile per thread (tsx's loader has one too): the gateway's main thread is the busiest.
  const files = readdirSync(dir).filter(f => f.endsWith(".cpuprofile"));
  if (files.length === 0) throw new Error(`the gateway wrote no CPU profile into ${dir}`);
  const main = files.map(f => path.join(dir, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
  mkdirSync(ctx.options.outDir, { recursive: true });
  const profileFile = path.join(ctx.options.outDir, `gateway-storm-${stamp}.cpuprofile`);
  renameSync(main, profileFile);
  rmSync(dir, { recursive: true, force: true });
  const summary = summarizeProfile(JSON.parse(readFileSync(profileFile, "utf8")) as CpuProfile, REPO_DIR, window);
  summary.cpuMsPerSignal = Math.round((1000 * summary.busyMs) / Math.max(1, result["6"].count)) / 1000;
  const summaryFile = profileFile.replace(/\.cpuprofile$/, ".summary.json");
  writeFileSync(summaryFile, JSON.stringify({ source, storm: result, summary }, null, 2));
  process.stdout.write(`${formatSummary(summary)}\n\nprofile: ${path.relative(REPO_DIR, profileFile)} (open in Chrome DevTools or speedscope)\nsummary: ${path.relative(REPO_DIR, summaryFile)}\n`);
  return { profileFile, summary, storm: result };
}
