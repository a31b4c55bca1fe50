/**
 * `npm run bench [-- options]`: measures the gateway against the raw API
 * server in the same run, prints a table, writes every figure to
 * bench/results/, and (full runs) the results block of docs/performance.md.
 * See docs/performance.md and `npm run bench -- --help`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RR_GROUP, RR_PLURAL, RR_VERSION } from "../src/model/remediation-request";
import { REPO_DIR } from "../test/integration/helpers/controlplane";
import { TestEnvironment } from "../test/integration/helpers/environment";
import type { BenchContext } from "./context";
import { freshNamespace } from "./context";
import { ensureControlPlane } from "./controlplane";
import { Gateways } from "./gateways";
import { parseOptions, USAGE, UsageError } from "./options";
import { profileStorm } from "./profile";
import { gatewaySettings } from "./setting-overrides";
import { consoleTable, markdown, ratios } from "./report";
import { describeSource, sourceState, type SourceState } from "./source-state";
import type { Measurements } from "./results";
import { baseline } from "./scenarios/baseline";
import { bursts } from "./scenarios/bursts";
import { duplicates, newSignals, storm } from "./scenarios/gateway-load";
import { eventSource } from "./scenarios/event-source";
import { largeGroup } from "./scenarios/large-group";
import { memory } from "./scenarios/memory";
import { micro } from "./scenarios/micro";
import { podMemory } from "./scenarios/pod-memory";
import { storedRRs } from "./scenarios/stored-rrs";

const DOCS = path.join(REPO_DIR, "docs/performance.md");
const BEGIN = "<!-- bench:results:begin -->";
const END = "<!-- bench:results:end -->";

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options = parseOptions(process.argv.slice(2), REPO_DIR);
  if (options.renderFile) {
    renderFromFile(options.renderFile);
    return;
  }
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
  const loadBefore = os.loadavg();
  // Before the run writes anything: the code measured.
  const source = sourceState(REPO_DIR);
  const plane = ensureControlPlane(options.controlPlane);
  const env = new TestEnvironment(id => plane.kubeconfig(id));
  const ctx: BenchContext = {
    options,
    plane,
    env,
    admin: await env.kube("admin"),
    namespaces: [],
    log: message => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`),
  };
  try {
    if (options.profile) {
      await profileStorm(ctx, stamp, source);
      return;
    }
    const m = await scenarios(ctx);
    const r = ratios(m);
    const result = {
      schema: 1,
      mode: options.quick ? "quick" : "full",
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: await machine(ctx, loadBefore, source),
      controlPlane: options.controlPlane,
      gatewaySettings: gatewaySettings(process.env),
      sizes: options.sizes,
      ...(options.bundleDir ? { bundleDir: options.bundleDir } : {}),
      measurements: m,
      ratios: r,
    };
    mkdirSync(options.outDir, { recursive: true });
    const file = path.join(options.outDir, resultsFileName(stamp, options));
    writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
    process.stdout.write(`\n${consoleTable(m, r)}\nload average 1/5/15 min: before ${fmtLoad(loadBefore)}, after ${fmtLoad(os.loadavg())} on ${os.cpus().length} CPUs\n`);
    process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
    if (options.updateDocs && !options.only) updateDocs(markdown(m, r), result.machine, result.finishedAt, path.relative(REPO_DIR, file));
  } finally {
    await cleanUp(ctx);
  }
}

/** Scenarios that start what they measure themselves (no shared gateway), in the order they run. */
const SELF_CONTAINED_SCENARIOS: [number, string, (ctx: BenchContext) => Promise<Measurements>][] = [
  [7, "memory and cache sync", memory],
  [10, "the admission pod's memory (built bundle, gateway + orchestrator)", podMemory],
  [11, "new problems and duplicates with 1,000 to 50,000 RRs stored", storedRRs],
  [9, "a large Alertmanager group against a 1-alert payload", largeGroup],
  [12, "a burst of Warning events through the built-in event source", eventSource],
];

async function scenarios(ctx: BenchContext): Promise<Measurements> {
  const want = (n: number): boolean => !ctx.options.only || ctx.options.only.has(n);
  const m: Measurements = {};
  const needGateway = [2, 3, 4, 5, 6].some(want);
  const ns = needGateway ? await freshNamespace(ctx, "bench-gw") : "";
  // Scenarios 2-6 share one gateway; scenario 5 adds two more replicas on the same namespace.
  // Quick runs start them all now, in the background, while the baseline runs; full runs when needed.
  const main = new Lazy(() => Gateways.start(ctx.plane, ns));
  const extras = new Lazy(() => Gateways.start(ctx.plane, ns, 2));
  if (needGateway && ctx.options.sizes.overlapStarts) {
    main.start();
    if (want(5)) extras.start();
  }
  try {
    if (want(8)) {
      ctx.log("8: parse + fingerprint micro-benchmark");
      Object.assign(m, micro(ctx));
    }
    if (want(1)) {
      ctx.log("1: baseline, straight to the API server");
      Object.assign(m, await baseline(ctx));
    }
    if (want(2)) {
      ctx.log("2: new signals");
      Object.assign(m, await newSignals(ctx, await main.get()));
    }
    if (want(3)) {
      ctx.log("3: duplicates, one at a time");
      Object.assign(m, await duplicates(ctx, await main.get()));
    }
    if (want(4)) {
      ctx.log("4: bursts of identical signals, one gateway");
      Object.assign(m, await bursts(ctx, await main.get(), "4", "one"));
    }
    if (want(6)) {
      ctx.log("6: sustained duplicate storm");
      Object.assign(m, await storm(ctx, await main.get()));
    }
    if (want(5)) {
      ctx.log("5: bursts of identical signals, three gateway processes");
      const three = Gateways.combine(await main.get(), await extras.get());
      try {
        Object.assign(m, await bursts(ctx, three, "5", "three"));
      } finally {
        await three.closePools();
      }
    }
  } finally {
    await Promise.all([main.stop(), extras.stop()]);
  }
  for (const [n, what, run] of SELF_CONTAINED_SCENARIOS) {
    if (!want(n)) continue;
    ctx.log(`${n}: ${what}`);
    Object.assign(m, await run(ctx));
  }
  return m;
}

/** Gateway processes started at most once, on first need or ahead of it; stop() stops them if they were started. */
class Lazy {
  private started: Promise<Gateways> | undefined;

  constructor(private readonly startGateways: () => Promise<Gateways>) {}

  start(): void {
    if (this.started) return;
    this.started = this.startGateways();
    this.started.catch(() => undefined); // a failure surfaces where get() is awaited
  }

  get(): Promise<Gateways> {
    this.start();
    return this.started!;
  }

  async stop(): Promise<void> {
    await this.started?.then(
      g => g.stop(),
      () => undefined,
    );
  }
}

async function machine(ctx: BenchContext, loadBefore: number[], source: SourceState): Promise<Record<string, unknown>> {
  const version = await ctx.admin.request<{ gitVersion: string }>({ method: "GET", path: "/version", what: "read the API server's version" });
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    memoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    kube: version.gitVersion,
    etcd: shell(`source hack/lib.sh && echo "$ETCD_VERSION"`),
    ...source,
    loadAverageBefore: loadBefore.map(round2),
    loadAverageAfter: os.loadavg().map(round2),
  };
}

/** Marks a run of some scenarios only (--only) in its file name: such files are git-ignored (unless added on purpose as cited evidence) and never rendered as the docs' results block. */
const PARTIAL_RUN_MARK = "-only-";

function resultsFileName(stamp: string, options: { quick: boolean; only?: Set<number> }): string {
  return `bench-${stamp}${options.quick ? "-quick" : ""}${options.only ? `${PARTIAL_RUN_MARK}${[...options.only].join("-")}` : ""}.json`;
}

function isPartialRunFile(file: string): boolean {
  return path.basename(file).includes(PARTIAL_RUN_MARK);
}

/** --render: the docs' results block from a full run's file, its ratios recomputed with the goals of today's report. */
function renderFromFile(file: string): void {
  const result = JSON.parse(readFileSync(file, "utf8")) as { mode: string; finishedAt: string; machine: Record<string, unknown>; measurements: Measurements };
  if (result.mode !== "full" || isPartialRunFile(file)) throw new UsageError(`${file} is not a full run: the docs show full runs only`);
  const r = ratios(result.measurements);
  process.stdout.write(`${consoleTable(result.measurements, r)}\n`);
  updateDocs(markdown(result.measurements, r), result.machine, result.finishedAt, path.relative(REPO_DIR, file));
}

function updateDocs(table: string, machineInfo: Record<string, unknown>, finishedAt: string, file: string): void {
  if (!existsSync(DOCS)) return;
  const doc = readFileSync(DOCS, "utf8");
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) {
    process.stderr.write(`${DOCS} has no ${BEGIN} ... ${END} block: not updated\n`);
    return;
  }
  const mi = machineInfo as unknown as { cpus: number; cpuModel: string; memoryBytes: number; node: string; kube: string; etcd: string; loadAverageBefore: number[]; loadAverageAfter: number[] } & SourceState;
  const block = [
    BEGIN,
    `Run of ${finishedAt.slice(0, 16).replace("T", " ")} UTC at ${describeSource(mi)}: ${mi.cpus} × ${mi.cpuModel}, ${Math.round(mi.memoryBytes / 2 ** 30)} GiB, Node.js ${mi.node}, Kubernetes ${mi.kube}, etcd ${mi.etcd};`,
    `load average (1/5/15 min) ${mi.loadAverageBefore.join(" / ")} before, ${mi.loadAverageAfter.join(" / ")} after. Every figure: \`${file}\`.`,
    "",
    table,
    END,
  ].join("\n");
  writeFileSync(DOCS, doc.slice(0, begin) + block + doc.slice(end + END.length));
  process.stdout.write(`updated ${path.relative(process.cwd(), DOCS)}\n`);
}

/** Deletes the RRs this run made (when the control plane stays up), closes clients, stops a control plane it started. */
async function cleanUp(ctx: BenchContext): Promise<void> {
  const goingDown = ctx.plane.startedByUs && !ctx.options.keepControlPlane;
  if (!goingDown) {
    for (const ns of ctx.namespaces) {
      await ctx.admin
        .request({ method: "DELETE", path: `/apis/${RR_GROUP}/${RR_VERSION}/namespaces/${ns}/${RR_PLURAL}`, what: `delete the RRs in ${ns}`, timeoutMs: 120_000 })
        .catch(err => ctx.log(`could not delete the RRs in ${ns}: ${String(err)}`));
    }
  }
  await ctx.env.close();
  if (goingDown) {
    ctx.log("stopping the control plane this run started (--keep-controlplane keeps it)");
    ctx.plane.down();
  }
}

function shell(command: string): string {
  return execFileSync("bash", ["-c", command], { cwd: REPO_DIR, encoding: "utf8" }).trim();
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const fmtLoad = (l: number[]): string => l.map(x => x.toFixed(2)).join(" / ");

main().catch(err => {
  process.stderr.write(`${err instanceof UsageError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
