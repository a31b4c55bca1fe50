import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import yaml from "js-yaml";
import { Agent, request } from "undici";
import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import { REPO_DIR } from "../../test/integration/helpers/controlplane";
import { freePort } from "../../test/integration/helpers/gateway-process";
import {
  controllerOf,
  find,
  kubectlWith,
  moduleBuild,
  moduleBuildIn,
  serviceAccountKubeconfig,
  startModuleProcess,
  unpackModule,
  type ModuleBuild,
  type ModuleProcess,
  type Obj,
} from "../../test/integration/helpers/module-build";
import { alert, PROMETHEUS_PATH, webhook } from "../../test/helpers/signals";
import { freshNamespace, type BenchContext } from "../context";
import { heapSummaryLine, summarizeHeapSnapshot, type HeapSnapshot, type HeapSummary } from "../heap-summary";
import { runLoad } from "../load";
import { sleep } from "../measure";
import { procMemory, type ProcMemory } from "../proc-memory";
import type { Measurement, Measurements } from "../results";
import { realisticRR } from "../rr-factory";
import { round, summarize } from "../stats";

/**
 * A preload for the module process (NODE_OPTIONS=--expose-gc --require):
 * on SIGUSR2 it prints process.memoryUsage() as it is (what the kubelet sees),
 * then again after two full collections (live data), V8's heap spaces and
 * heap statistics. The bench may ask for more in the JSON file BENCH_REQUEST
 * names (read and deleted on the signal):
 * - lastResortGc: collect as V8 does when memory runs out, instead of the two
 *   full collections: V8 then also gives back the pages it keeps for reuse
 *   (a full collection keeps them mapped and resident);
 * - heapSnapshot: a file to write a heap snapshot into, after the memory line
 *   (the snapshot takes memory of its own); its path is printed when written.
 */
const MEMORY_HOOK = `const v8 = require("node:v8");
const fs = require("node:fs");
process.on("SIGUSR2", () => {
  const request = process.env.BENCH_REQUEST;
  let wanted = {};
  if (request && fs.existsSync(request)) {
    wanted = JSON.parse(fs.readFileSync(request, "utf8"));
    fs.rmSync(request);
  }
  const asIs = process.memoryUsage();
  if (wanted.lastResortGc) global.gc({ type: "major", execution: "sync", flavor: "last-resort" });
  else { global.gc(); global.gc(); }
  const afterGc = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map(s => [s.space_name, s.space_used_size]));
  const heap = v8.getHeapStatistics();
  process.stderr.write("BENCH_MEMORY " + JSON.stringify({ asIs, afterGc, spaces, heap }) + "\\n");
  if (wanted.heapSnapshot) {
    const t0 = Date.now();
    v8.writeHeapSnapshot(wanted.heapSnapshot);
    process.stderr.write("BENCH_HEAP_SNAPSHOT " + JSON.stringify({ file: wanted.heapSnapshot, writeMs: Date.now() - t0 }) + "\\n");
  }
});
`;

interface MemoryLine {
  asIs: NodeJS.MemoryUsage;
  afterGc: NodeJS.MemoryUsage;
  spaces: Record<string, number>;
  heap: { total_physical_size: number; malloced_memory: number };
}

/**
 * One reading of the module process's memory, in MB: /proc's split of RSS
 * (read before any forced collection: what the kubelet and the OOM killer
 * see; see ProcMemory), then V8's own figures.
 */
export interface PodMemory extends Omit<ProcMemory, "files"> {
  /** Resident size of the largest mapped files. */
  mappedFiles: { file: string; rssMB: number }[];
  /** RSS after two full collections. */
  rssAfterGcMB: number;
  /** Live JavaScript heap after two full collections. */
  heapUsedMB: number;
  heapTotalMB: number;
  /** Memory of C++ objects bound to JS, Buffers included. */
  externalMB: number;
  arrayBuffersMB: number;
  /** V8's heap as resident pages (total_physical_size), and what V8 itself has malloc'ed (malloced_memory), after the collections. */
  v8PhysicalMB: number;
  v8MallocedMB: number;
  /** V8's heap spaces (used bytes, MB), after the collections. */
  spacesMB: Record<string, number>;
  /** rr_gateway_rr_cache_size as the gateway reports it. */
  cachedRRs: number;
  /** rr_gateway_rr_watch_failures_total so far. */
  watchFailures: number;
}

/**
 * Scenario 10: memory of the admission pod. The BUILT bundle is run the way
 * the admission Deployment runs it (node on the module file Pepr's
 * controller unpacks from the module Secret, with the Deployment's
 * environment): Pepr's runtime, the gateway and the mock orchestrator in one
 * process. Read idle (no RR), with memoryRRs RRs cached, and after a
 * duplicate storm on top of them. --bundle=DIR measures another build (e.g.
 * of an older commit, made with hack/build.sh --print-dir in its checkout).
 *
 * What differs from a pod: Pepr's controller entry point is not run (it
 * hard-codes /app paths; its two steps, apply the PeprStore CRD and unpack the
 * bundle, are done here), a kubeconfig with the module's service-account
 * token instead of in-cluster config, files instead of mounted secrets,
 * loopback ports, GATEWAY_AUTH=none (no TokenReview per sender), and
 * NODE_OPTIONS=--expose-gc plus the preload above.
 */
export async function podMemory(ctx: BenchContext): Promise<Measurements> {
  const { sizes } = ctx.options;
  const build = ctx.options.bundleDir ? moduleBuildIn(ctx.options.bundleDir) : moduleBuild();
  const namespace = await freshNamespace(ctx, "bench-pod");
  const admin = ctx.plane.kubeconfig("admin");
  const kubectl = (args: string[], input?: string): string => kubectlWith(admin, args, input);
  kubectl(["label", "namespace", namespace, "kubernaut.ai/managed=true"]);

  const pod = await startPod(ctx, build, namespace);
  try {
    ctx.log("  10a: idle, no RemediationRequest");
    await sleep(5_000);
    const idle = await pod.read();

    ctx.log(`  10b: ${sizes.memoryRRs} RRs created through the API (each with a Completed status), cached`);
    const rrs = await ctx.env.rrClient("admin", namespace);
    const creation = await runLoad(
      async i => {
        const rr = realisticRR("BenchPodMemory", `pod-${i}`);
        const name = rr.metadata.name;
        await rrs.create(rr, FIELD_MANAGERS.gateway);
        const at = new Date().toISOString();
        // Ended, as most stored RRs are (the orchestrator then leaves them alone): one status write, the orchestrator's.
        await rrs.applyStatus(name, { overallPhase: "Completed", completedAt: at, completionStatus: { outcome: "Remediated" }, message: "Completed: Remediated (bench)" }, { fieldManager: FIELD_MANAGERS.orchestrator });
        return true;
      },
      { count: sizes.memoryRRs, concurrency: sizes.memoryCreateConcurrency, timeLimitMs: 15 * 60_000 },
    );
    if (creation.errors > 0) throw new Error(`could not create the RRs of scenario 10: ${creation.firstError}`);
    await waitForCache(ctx, pod, sizes.memoryRRs);
    await sleep(5_000);
    const cached = await pod.read();

    ctx.log(`  10c: duplicate storm, ${sizes.stormSignals} signals on ${sizes.stormFingerprints} problems, ${sizes.stormConcurrency} in flight`);
    const bodies = Array.from({ length: sizes.stormFingerprints }, (_, f) => JSON.stringify(webhook([alert({ alertname: "BenchPodStorm", pod: `storm-${f}`, namespace })])));
    for (const body of bodies) await pod.post(body);
    const storm = await runLoad(async i => (await pod.post(bodies[i % bodies.length])) === 202, {
      count: sizes.stormSignals,
      concurrency: sizes.stormConcurrency,
      timeLimitMs: sizes.timeLimitMs,
    });
    await sleep(sizes.settleMs + 5_000);
    const afterStorm = await pod.read();
    const afterLastResortGc = await pod.read({ lastResortGc: true });
    ctx.log("  10c: heap snapshot of the module process");
    const heap = await heapProfile(ctx, pod);
    ctx.log(`  ${heapSummaryLine(heap.summary)}`);

    const reading = (label: string, m: PodMemory, extra: Record<string, unknown> = {}): Measurement => ({
      label,
      concurrency: 1,
      ...summarize([], 0),
      throughputPerS: NaN,
      extra: { ...m, bundle: path.relative(REPO_DIR, build.dir) || build.dir, ...extra },
    });
    return {
      "10a": reading("admission pod (built bundle), idle", idle, { librariesAlone: librariesAlone() }),
      "10b": reading(`admission pod, ${sizes.memoryRRs} RRs cached`, cached, { rrs: sizes.memoryRRs, createdPerS: round((creation.latenciesMs.length * 1000) / creation.wallMs, 1) }),
      "10c": {
        ...summarize(storm.latenciesMs, storm.wallMs, storm.errors),
        label: `admission pod, ${sizes.memoryRRs} RRs cached, after a duplicate storm`,
        concurrency: sizes.stormConcurrency,
        truncated: storm.truncated,
        firstError: storm.firstError,
        extra: {
          ...afterStorm,
          bundle: path.relative(REPO_DIR, build.dir) || build.dir,
          rrs: sizes.memoryRRs,
          stormSignals: sizes.stormSignals,
          stormFingerprints: sizes.stormFingerprints,
          afterLastResortGc,
          heapSnapshot: heap,
        },
      },
    };
  } finally {
    await pod.stop();
  }
}

interface Pod {
  process: ModuleProcess;
  /** POSTs one Alertmanager payload to the gateway; resolves its HTTP status. */
  post(body: string): Promise<number>;
  /**
   * Reads /proc, then signals the preload for the rest. lastResortGc: the
   * preload collects as V8 does when memory runs out, and /proc is read
   * after it (what V8 keeps but could give back is what RSS loses).
   */
  read(options?: { lastResortGc?: boolean }): Promise<PodMemory>;
  /** Writes a V8 heap snapshot of the module process into `file` (after a memory reading the bench ignores); resolves when it is written. */
  heapSnapshot(file: string): Promise<{ file: string; writeMs: number }>;
  metrics(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

/** Starts the admission Deployment's module process, as build.test.ts does, and waits for the gateway's /readyz. */
async function startPod(ctx: BenchContext, build: ModuleBuild, namespace: string): Promise<Pod> {
  const admin = ctx.plane.kubeconfig("admin");
  const kubectl = (args: string[], input?: string): string => kubectlWith(admin, args, input);
  // The install's namespaces and RBAC, for real; the module runs as its service account.
  kubectl(["apply", "--server-side", "-f", "-"], yaml.dump({ apiVersion: "v1", kind: "List", items: find(build.objects, "Namespace") }));
  const rbac = build.objects.filter(o => ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"].includes(o.kind));
  kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], yaml.dump({ apiVersion: "v1", kind: "List", items: rbac }));

  const [admission] = find(build.objects, "Deployment", d => controllerOf(d) === "admission");
  const file = unpackModule(build, admission);
  const runDir = path.dirname(file);
  const saConfig = serviceAccountKubeconfig(admin, "pepr-system", build.name, path.join(runDir, "kubeconfig"));
  // What Pepr's controller does before it forks the module: apply the PeprStore CRD.
  const storeCrd = (yaml.loadAll(readFileSync(path.join(REPO_DIR, "hack/peprstore-crd.yaml"), "utf8")) as Obj[]).filter(o => o.kind === "CustomResourceDefinition");
  kubectlWith(saConfig, ["apply", "--server-side", "--force-conflicts", "-f", "-"], yaml.dump(storeCrd[0]));
  kubectl(["wait", "--for", "condition=Established", "--timeout=60s", "crd/peprstores.pepr.dev"]);

  const files = path.join(runDir, "bench");
  mkdirSync(files, { recursive: true });
  const write = (name: string, data: Buffer, mode = 0o644): string => {
    const f = path.join(files, name);
    writeFileSync(f, data, { mode });
    return f;
  };
  const secret = (name: string): Obj => find(build.objects, "Secret", s => s.metadata.name === name)[0];
  const b64 = (s: string): Buffer => Buffer.from(s, "base64");
  const tls = secret(`${build.name}-tls`);
  const gatewayTls = secret("rr-gateway-tls");
  const hook = write("memory-hook.cjs", Buffer.from(MEMORY_HOOK));
  const requestFile = path.join(files, "request.json");
  rmSync(requestFile, { force: true });
  const signal = (request: { lastResortGc?: boolean; heapSnapshot?: string } = {}): void => {
    if (Object.keys(request).length > 0) writeFileSync(requestFile, JSON.stringify(request));
    child.child.kill("SIGUSR2");
  };
  const gatewayPort = await freePort();
  const child = startModuleProcess(file, admission, {
    KUBECONFIG: saConfig,
    SSL_CERT_PATH: write("tls.crt", b64(tls.data["tls.crt"])),
    SSL_KEY_PATH: write("tls.key", b64(tls.data["tls.key"]), 0o600),
    GATEWAY_TLS_CERT_FILE: write("gateway-tls.crt", b64(gatewayTls.data["tls.crt"])),
    GATEWAY_TLS_KEY_FILE: write("gateway-tls.key", b64(gatewayTls.data["tls.key"]), 0o600),
    PEPR_API_PATH: b64(secret(`${build.name}-api-path`).data.value).toString(),
    GATEWAY_HOST: "127.0.0.1",
    GATEWAY_PORT: String(gatewayPort),
    PEPR_PORT: String(await freePort()),
    GATEWAY_AUTH: "none",
    GATEWAY_NAMESPACE: namespace,
    ORCHESTRATOR_NAMESPACE: namespace,
    LOG_LEVEL: "warn",
    NODE_OPTIONS: `--expose-gc --require ${hook}`,
    BENCH_REQUEST: requestFile,
  });
  const agent = new Agent({ connect: { ca: b64(gatewayTls.data["ca.crt"]), servername: "rr-gateway.pepr-system.svc" }, connections: 128 });
  const base = `https://127.0.0.1:${gatewayPort}`;
  const get = async (p: string): Promise<{ status: number; text: string }> => {
    const res = await request(`${base}${p}`, { dispatcher: agent });
    return { status: res.statusCode, text: await res.body.text() };
  };
  const metrics = async (): Promise<Map<string, number>> => {
    const out = new Map<string, number>();
    for (const line of (await get("/metrics")).text.split("\n")) {
      const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) ([-+\d.eE]+|NaN)$/.exec(line);
      if (m) out.set(m[1], Number(m[2]));
    }
    return out;
  };
  const t0 = performance.now();
  for (;;) {
    if (child.child.exitCode !== null) throw new Error(`the module exited:\n${child.output().slice(-4_000)}`);
    if (performance.now() - t0 > 120_000) throw new Error(`the gateway did not turn ready in 2 minutes:\n${child.output().slice(-4_000)}`);
    if ((await get("/readyz").catch(() => ({ status: 0 }))).status === 200) break;
    await sleep(250);
  }
  ctx.log(`  module ready in ${Math.round(performance.now() - t0)} ms (${path.basename(file)})`);

  return {
    process: child,
    async post(body) {
      const res = await request(`${base}${PROMETHEUS_PATH}`, { method: "POST", dispatcher: agent, headers: { "content-type": "application/json" }, body });
      await res.body.dump();
      return res.statusCode;
    },
    metrics,
    async read(options = {}) {
      const pid = child.child.pid!;
      const procNow = (): ProcMemory => procMemory(readFileSync(`/proc/${pid}/status`, "utf8"), readFileSync(`/proc/${pid}/smaps`, "utf8"));
      const before = procNow();
      const seen = linesOf(child, "BENCH_MEMORY ").length;
      signal({ ...(options.lastResortGc ? { lastResortGc: true } : {}) });
      const line = await nthLine<MemoryLine>(child, "BENCH_MEMORY ", seen + 1, 20_000);
      // After a last-resort collection, what it gave back is the point: read /proc again.
      const proc = options.lastResortGc ? procNow() : before;
      const scraped = await metrics();
      const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);
      const { files, ...split } = proc;
      return {
        watchFailures: scraped.get("rr_gateway_rr_watch_failures_total") ?? NaN,
        ...split,
        mappedFiles: files.slice(0, 3),
        rssAfterGcMB: mb(line.afterGc.rss),
        heapUsedMB: mb(line.afterGc.heapUsed),
        heapTotalMB: mb(line.afterGc.heapTotal),
        externalMB: mb(line.afterGc.external),
        arrayBuffersMB: mb(line.afterGc.arrayBuffers),
        v8PhysicalMB: mb(line.heap.total_physical_size),
        v8MallocedMB: mb(line.heap.malloced_memory),
        spacesMB: Object.fromEntries(Object.entries(line.spaces).map(([k, v]) => [k, mb(v)])),
        cachedRRs: scraped.get("rr_gateway_rr_cache_size") ?? NaN,
      };
    },
    async heapSnapshot(file) {
      const seen = linesOf(child, "BENCH_HEAP_SNAPSHOT ").length;
      signal({ heapSnapshot: file });
      // Writing a snapshot of ~80 MB of heap takes seconds, more on a loaded machine.
      return nthLine<{ file: string; writeMs: number }>(child, "BENCH_HEAP_SNAPSHOT ", seen + 1, 300_000);
    },
    async stop() {
      await child.stop();
      await agent.close();
    },
  };
}

const linesOf = (child: ModuleProcess, prefix: string): string[] =>
  child
    .output()
    .split("\n")
    .filter(l => l.startsWith(prefix));

/** The JSON of the n-th line the preload printed with this prefix, once there is one. */
async function nthLine<T>(child: ModuleProcess, prefix: string, n: number, timeoutMs: number): Promise<T> {
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    const lines = linesOf(child, prefix);
    if (lines.length >= n) return JSON.parse(lines[n - 1].slice(prefix.length)) as T;
    if (child.child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`the module printed no "${prefix.trim()}" line after SIGUSR2 (within ${timeoutMs / 1000} s):\n${child.output().slice(-2_000)}`);
}

/**
 * Who holds the RRs: the two indexes (by name, by fingerprint) of
 * RemediationRequestInformer, found by their names (the bundle minifies class
 * names), and the object cache of client-node's informer, under
 * RemediationRequestWatch (client-node is not bundled: its class keeps its
 * name). They share the RR objects they got from the same watch event, so
 * what they retain together is the RRs' whole cost.
 */
const INFORMER_INDEXES = { properties: ["byName", "byFingerprint"] };
const CLIENT_NODE_CACHE = { constructorName: "ListWatch", properties: ["objects", "indexCache"] };
const RR_HOLDERS = [
  { label: "the informer's indexes", holders: [INFORMER_INDEXES] },
  { label: "client-node's informer cache", holders: [CLIENT_NODE_CACHE] },
  { label: "both RR caches", holders: [INFORMER_INDEXES, CLIENT_NODE_CACHE] },
];

/**
 * A heap snapshot of the module process, summarized: where the live JS heap
 * goes, and what the RR caches retain. The snapshot is kept next to the
 * results (git ignores it), to open in Chrome DevTools.
 */
async function heapProfile(ctx: BenchContext, pod: Pod): Promise<{ file: string; writeMs: number; summarizeMs: number; summary: HeapSummary }> {
  mkdirSync(ctx.options.outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const written = await pod.heapSnapshot(path.join(ctx.options.outDir, `pod-after-storm-${stamp}.heapsnapshot`));
  const t0 = performance.now();
  const summary = summarizeHeapSnapshot(JSON.parse(readFileSync(written.file, "utf8")) as HeapSnapshot, { retainers: RR_HOLDERS });
  return { file: path.relative(REPO_DIR, written.file), writeMs: written.writeMs, summarizeMs: Math.round(performance.now() - t0), summary };
}

/** Waits (at most 5 minutes) for the gateway's cache to hold the RRs; says so and goes on if it does not. */
async function waitForCache(ctx: BenchContext, pod: Pod, rrs: number): Promise<void> {
  let m = new Map<string, number>();
  for (let waited = 0; waited < 300_000; waited += 1_000) {
    m = await pod.metrics();
    if ((m.get("rr_gateway_rr_cache_size") ?? 0) >= rrs) return;
    await sleep(1_000);
  }
  const about = ["rr_gateway_rr_cache_size", "rr_gateway_rr_cache_lists_total", "rr_gateway_rr_watch_failures_total"].map(k => `${k} ${m.get(k)}`).join(", ");
  ctx.log(`  WARNING: the gateway's cache did not reach ${rrs} RRs in 5 minutes (${about}); measuring anyway. The module said:\n${pod.process.output().slice(-3_000)}`);
}

/**
 * What loading the libraries costs before the module does anything: a bare
 * node process, and one that only require()s client-node, Pepr (which loads
 * client-node and kubernetes-fluent-client itself), and everything the bundle
 * leaves external. RSS (with its anonymous and file-backed parts) and live
 * heap after a full GC, and RSS after a last-resort GC (loading leaves freed
 * pages V8 keeps mapped), in MB.
 */
function librariesAlone(): Record<string, LibraryMemory> {
  const sets: Record<string, string[]> = {
    "bare node": [],
    "@kubernetes/client-node": ["@kubernetes/client-node"],
    pepr: ["pepr"],
    "pepr + every external of the bundle": ["pepr", "@kubernetes/client-node", "kubernetes-fluent-client", "prom-client", "pino", "undici"],
  };
  const out: Record<string, LibraryMemory> = {};
  for (const [name, modules] of Object.entries(sets)) {
    const script = `for (const m of ${JSON.stringify(modules)}) require(m);
setTimeout(() => {
  gc(); gc();
  const u = process.memoryUsage();
  const status = require("node:fs").readFileSync("/proc/self/status", "utf8");
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
  process.stdout.write(JSON.stringify({ u, status, rssAfterLastResortGc: process.memoryUsage.rss() }));
}, 1500);`;
    const run = execFileSync(process.execPath, ["--expose-gc", "-e", script], { cwd: REPO_DIR, encoding: "utf8" });
    const { u, status, rssAfterLastResortGc } = JSON.parse(run) as { u: NodeJS.MemoryUsage; status: string; rssAfterLastResortGc: number };
    const proc = procMemory(status, "");
    const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);
    out[name] = {
      rssMB: mb(u.rss),
      rssAnonMB: proc.rssAnonMB,
      rssFileMB: proc.rssFileMB,
      heapUsedMB: mb(u.heapUsed),
      heapTotalMB: mb(u.heapTotal),
      rssAfterLastResortGcMB: mb(rssAfterLastResortGc),
    };
  }
  return out;
}

interface LibraryMemory {
  rssMB: number;
  rssAnonMB: number;
  rssFileMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  rssAfterLastResortGcMB: number;
}
