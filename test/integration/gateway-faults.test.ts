import { readFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import pino from "pino";
import { request } from "undici";
import { loadGatewayConfig } from "../../src/gateway/config";
import { startGateway, type RunningGateway } from "../../src/gateway/index";
import type { RemediationRequestClient } from "../../src/k8s/rr-client";
import { scrapeSum } from "../helpers/metrics";
import { alert, post, PROMETHEUS_PATH, webhook } from "../helpers/signals";
import { bySoak, recordSoakFigures, SOAK } from "../helpers/soak";
import { TestEnvironment } from "./helpers/environment";
import { GatewayProcess, startGatewayProcess } from "./helpers/gateway-process";
import { PrivateControlPlane } from "./helpers/private-controlplane";
import { account, spread, SteadyLoad, type LoadAccount, type SentSignal } from "./helpers/steady-load";
import { waitFor } from "./helpers/wait";

/**
 * Faults under load, with nothing lost. A steady load of new and repeated
 * signals runs while a fault is injected; afterwards every signal answered
 * 2xx is counted on its RR (per problem, count == 2xx answers, which carried
 * 1..n once each), every other answer was a 503 with Retry-After (or no
 * answer at all, only from a gateway process that had been stopped and had
 * exited), no problem has two RRs, and the gateway recovered by itself.
 *
 * Each fault runs on a control plane of its own (slots 2-5). `npm test` runs
 * each for a few seconds; `npm run test:soak` repeats each fault several
 * times over longer loads and prints a table.
 */

const CYCLES = bySoak(1, 3);
const WARM_MS = bySoak(1_500, 8_000);
const DOWN_MS = bySoak(1_500, 10_000);
const AFTER_MS = bySoak(1_500, 8_000);
const RECOVERY_TIMEOUT_MS = 90_000;
// Room for a restart that takes minutes on a loaded machine (see GATEWAY_ENV).
const TEST_TIMEOUT_MS = bySoak(420_000, 1_200_000);
const MiB = 1024 * 1024;

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));
const is2xx = (s: SentSignal): boolean => s.status >= 200 && s.status < 300;

interface Row extends LoadAccount {
  fault: string;
  injected: number;
  refusedFast: number;
  /** Count writes without an answer, found applied / not applied / unknown by re-reading the RR. */
  unsure: string;
  /** The longest time the restarted component took to be back (ready), in seconds. */
  restartSeconds: number;
  p50Ms503: number;
  maxHeapMiB: number;
}
const table: Row[] = [];

afterAll(() => {
  if (!SOAK || table.length === 0) return;
  recordSoakFigures("gateway-faults", { cycles: CYCLES, warmMs: WARM_MS, downMs: DOWN_MS, afterMs: AFTER_MS, rows: table });
  const columns: [string, (r: Row) => string | number][] = [
    ["fault", r => r.fault],
    ["injected", r => r.injected],
    ["signals sent", r => r.sent],
    ["2xx", r => r.ok],
    ["5xx", r => r.failed5xx],
    ["no answer", r => r.connectionErrors],
    ["recorded", r => r.recorded],
    ["duplicates", r => r.duplicates],
    ["lost", r => r.lost],
    ["extra", r => r.extra],
    ["503 by breaker", r => r.refusedFast],
    ["unsure writes (applied/not/unknown)", r => r.unsure],
    ["restart s", r => r.restartSeconds],
    ["503 p50 ms", r => r.p50Ms503],
    ["max heap MiB", r => r.maxHeapMiB],
  ];
  const cells = [columns.map(([h]) => h), ...table.map(r => columns.map(([, f]) => String(f(r))))];
  const widths = columns.map((_, i) => Math.max(...cells.map(row => row[i].length)));
  const line = (row: string[]): string => `| ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|")}|`;
  process.stdout.write(`\nFaults under load (lost must be 0):\n${line(cells[0])}\n${rule}\n${cells.slice(1).map(line).join("\n")}\n\n`);
});

/** One value (summed over label sets, or those matching `labels`) from a gateway process's /metrics. */
const metric = (gw: GatewayProcess, name: string, labels?: string): Promise<number> => scrapeSum(gw.url, name, labels);

/**
 * Samples the gateways' heap while a fault lasts, to show memory stays
 * bounded. A scrape that fails while its process runs is an error, not a
 * missing sample: check() fails on it, and on no sample at all (a max of 0
 * would pass any bound).
 */
class HeapWatch {
  max = 0;
  samples = 0;
  readonly errors: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly gws: GatewayProcess[]) {}
  start(): void {
    this.timer = setInterval(() => {
      for (const gw of this.gws) {
        metric(gw, "nodejs_heap_size_used_bytes").then(
          v => {
            if (!(v > 0)) this.errors.push(`${gw.url}: /metrics has no nodejs_heap_size_used_bytes`);
            this.max = Math.max(this.max, v);
            this.samples++;
          },
          (err: Error) => {
            // Only a process that was stopped may fail to answer.
            if (gw.signalledAt() === undefined) this.errors.push(`${gw.url}: ${err.message}`);
          },
        );
      }
    }, 250);
  }
  stop(): void {
    clearInterval(this.timer);
  }
  /** The heap stayed under `limit` in every sample, and the samples are real. */
  check(limit: number): void {
    expect(this.errors.slice(0, 5)).toEqual([]);
    expect(this.samples).toBeGreaterThan(0);
    expect(this.max).toBeGreaterThan(0);
    expect(this.max).toBeLessThan(limit);
  }
}

/** Waits until the gateway records signals again after a fault. */
async function recovered(load: SteadyLoad, since: number, ctx?: { plane: PrivateControlPlane; gws: GatewayProcess[] }): Promise<void> {
  try {
    await waitFor("the gateway to record signals again", () => load.since(since).some(is2xx), RECOVERY_TIMEOUT_MS, 200);
  } catch (err) {
    // Say why, from the gateways' and the control plane's logs.
    const tail = (file: string): string => {
      try {
        return readFileSync(path.join(ctx!.plane.runDir, file), "utf8").split("\n").slice(-15).join("\n");
      } catch {
        return "(none)";
      }
    };
    const logs = ctx ? `\n--- gateways ---\n${ctx.gws.map(gw => gw.output().split("\n").slice(-15).join("\n")).join("\n")}\n--- kube-apiserver ---\n${tail("kube-apiserver.log")}\n--- etcd ---\n${tail("etcd.log")}` : "";
    throw new Error(`${(err as Error).message}; last answers: ${JSON.stringify(load.sent.slice(-8))}${logs}`);
  }
}

/**
 * While the API server is out of reach: the circuit opens, and new signals
 * get a 503 with Retry-After at once, without going to the API server. (The
 * load's own senders may all be held meanwhile: a write that got no answer
 * waits to learn whether it landed.)
 */
async function refusing(load: SteadyLoad, gws: GatewayProcess[]): Promise<void> {
  for (const gw of gws) {
    await waitFor("the circuit breaker to open", async () => (await metric(gw, "rr_gateway_api_circuit_open")) === 1, 60_000, 100);
    const before = await metric(gw, "rr_gateway_api_circuit_rejections_total");
    for (let i = 0; i < 5; i++) {
      const answer = await load.sendOne(gw.url);
      expect([answer.status, answer.code, answer.retryAfter]).toEqual([503, "GW_API_UNAVAILABLE", "2"]);
    }
    // At least these five were refused by the breaker, without a request to the API server (the load may add more).
    expect((await metric(gw, "rr_gateway_api_circuit_rejections_total")) - before).toBeGreaterThanOrEqual(5);
  }
}

function expectNothingLost(row: Row, gws: GatewayProcess[] = []): void {
  if (row.extra > 0 || row.unexpected.length > 0 || row.badCounts.length > 0) {
    // Say why, from the gateways' own logs.
    const lines = gws.flatMap(gw => gw.output().split("\n")).filter(line => /could not tell|not recorded|got no answer/.test(line));
    process.stdout.write(`${row.fault}: ${row.extra} signal(s) counted without a 2xx; unsure writes ${row.unsure}; restart took ${row.restartSeconds} s; gateway log:\n${lines.slice(-40).join("\n")}\n`);
  }
  expect(row.unexpected).toEqual([]);
  expect(row.badCounts).toEqual([]);
  expect({ lost: row.lost, extra: row.extra, duplicates: row.duplicates }).toEqual({ lost: 0, extra: 0, duplicates: 0 });
  expect(row.recorded).toBe(row.ok);
  expect(row.ok).toBeGreaterThan(0);
}

/**
 * The gateway processes' settings. An API server's return after a kill can
 * take minutes on this shared two-core machine (another test may be starting
 * its own control plane and building the module beside this one), far more
 * than the 30 s a request waits by default to learn whether a write without
 * an answer landed: wait longer here, just under the 300 s the load's senders
 * wait for an answer, so "could not tell" means the API server was gone for
 * that long (the table's "restart s" says how long it took).
 */
const GATEWAY_ENV = (plane: PrivateControlPlane): Record<string, string> => ({
  KUBECONFIG: plane.kubeconfig("gateway"),
  LOG_LEVEL: "warn",
  GATEWAY_RETRY_AFTER_SECONDS: "2",
  GATEWAY_UNSURE_WRITE_WAIT_SECONDS: "270",
});

/** A control plane of its own, a namespace, and gateway processes on it. */
function faultSetup(name: string, slot: number, gateways = 1) {
  const plane = new PrivateControlPlane(`faults-${name}`, slot);
  const env = new TestEnvironment(identity => plane.kubeconfig(identity));
  /** gws: the gateways serving now; every: also those stopped and replaced (whose silence is accepted). */
  const ctx = { plane, env, ns: "", admin: undefined as unknown as RemediationRequestClient, gws: [] as GatewayProcess[], every: [] as GatewayProcess[] };
  beforeAll(async () => {
    plane.up();
    ctx.ns = await env.freshNamespace(name);
    ctx.admin = await env.rrClient("admin", ctx.ns);
    for (let i = 0; i < gateways; i++) {
      ctx.gws.push(await startGatewayProcess(ctx.ns, GATEWAY_ENV(plane)));
    }
    ctx.every.push(...ctx.gws);
  }, 180_000);
  afterAll(async () => {
    await Promise.all(ctx.every.map(gw => gw.kill("SIGKILL")));
    await env.close();
    plane.down();
  }, 60_000);
  return ctx;
}

/**
 * Runs a load on the gateways, injects the fault `cycles` times, lets the
 * load run on after recovery, and accounts for every signal. An injection
 * that restarts a control-plane process resolves to how long it took (s).
 */
async function underLoad(fault: string, ctx: ReturnType<typeof faultSetup>, inject: (load: SteadyLoad, heap: HeapWatch) => Promise<number | void>): Promise<Row> {
  // Pod names must be object names (lowercase): the gateway does not read a label that cannot name one.
  const load = new SteadyLoad({ targets: ctx.gws.map(g => g.url), prefix: `${fault.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${Date.now().toString(36)}` });
  const heap = new HeapWatch(ctx.gws);
  const breakerBefore = await Promise.all(ctx.gws.map(gw => metric(gw, "rr_gateway_api_circuit_rejections_total")));
  load.start();
  heap.start();
  let restartSeconds = 0;
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await sleep(WARM_MS);
      restartSeconds = Math.max(restartSeconds, (await inject(load, heap)) ?? 0);
    }
    await sleep(AFTER_MS);
  } finally {
    await load.close();
    heap.stop();
  }
  const breakerAfter = await Promise.all(ctx.gws.map(gw => metric(gw, "rr_gateway_api_circuit_rejections_total").catch(() => 0)));
  const unsure = async (outcome: string): Promise<number> =>
    (await Promise.all(ctx.gws.map(gw => metric(gw, "rr_gateway_unsure_writes_total", `outcome="${outcome}"`).catch(() => 0)))).reduce((a, b) => a + b, 0);
  const row: Row = {
    fault,
    injected: CYCLES,
    ...(await account(load, ctx.admin, unansweredBecauseGone(ctx.every))),
    refusedFast: breakerAfter.reduce((a, b, i) => a + Math.max(0, b - breakerBefore[i]), 0),
    unsure: `${await unsure("applied")}/${await unsure("not_applied")}/${await unsure("unknown")}`,
    p50Ms503: spread(load.sent.filter(s => s.status === 503).map(s => s.ms)).p50,
    maxHeapMiB: Math.round(heap.max / MiB),
    restartSeconds,
  };
  table.push(row);
  return row;
}

/**
 * A signal may go unanswered only when its gateway had been signalled to stop
 * before the answer failed, and that process has exited: "no answer" from a
 * gateway that is still up is a failure, whatever the fault.
 */
function unansweredBecauseGone(gws: GatewayProcess[]): (s: SentSignal) => boolean {
  return s => {
    const gw = gws.find(g => g.url === s.target);
    const signalledAt = gw?.signalledAt();
    return signalledAt !== undefined && gw!.exitedAt() !== undefined && s.sentAt + s.ms >= signalledAt;
  };
}

/**
 * A control-plane process SIGKILLed under load: the gateways turn to 503s,
 * it stays down DOWN_MS with the gateways' heap bounded, then it is started
 * again and the gateways recover by themselves. Resolves to how long the
 * restart took until ready (s).
 */
async function killedAWhile(component: "kube-apiserver" | "etcd", ctx: ReturnType<typeof faultSetup>, load: SteadyLoad, heap: HeapWatch): Promise<number> {
  ctx.plane.kill(component);
  await refusing(load, ctx.gws);
  await sleep(DOWN_MS);
  heap.check(256 * MiB);
  const restarting = Date.now();
  if (component === "etcd") ctx.plane.startEtcd();
  else ctx.plane.startApiserver();
  const restartSeconds = Math.round((Date.now() - restarting) / 1000);
  await recovered(load, Date.now(), ctx);
  return restartSeconds;
}

describe("kube-apiserver killed (SIGKILL) and restarted", () => {
  const ctx = faultSetup("apiserver", 2);

  it(
    "loses nothing, answers fast 503s with Retry-After while it is down, and recovers by itself",
    async () => {
      const row = await underLoad("kube-apiserver killed", ctx, (load, heap) => killedAWhile("kube-apiserver", ctx, load, heap));
      expectNothingLost(row, ctx.gws);
      // The circuit breaker answered without going to the API server.
      expect(row.refusedFast).toBeGreaterThan(0);
      expect(row.failed5xx).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("etcd killed (SIGKILL) and restarted", () => {
  const ctx = faultSetup("etcd", 3);

  it(
    "loses nothing, fails fast once the API server stops answering, and recovers by itself",
    async () => {
      const row = await underLoad("etcd killed", ctx, (load, heap) => killedAWhile("etcd", ctx, load, heap));
      expectNothingLost(row, ctx.gws);
      expect(row.refusedFast).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );
});

/** etcd's JSON gateway: strings are base64. */
async function etcd(plane: PrivateControlPlane, path: string, body: unknown): Promise<{ header: { revision: string } }> {
  const res = await request(`${plane.etcdUrl}/v3/${path}`, { method: "POST", body: JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`etcd ${path}: ${res.statusCode} ${text}`);
  return JSON.parse(text) as { header: { revision: string } };
}

describe("the watch dropped and its resourceVersion expired (410 Gone)", () => {
  const ctx = faultSetup("watch", 4);

  it(
    "relists, loses nothing, and recovers by itself",
    async () => {
      const gw = ctx.gws[0];
      let relists = 0;
      const row = await underLoad("watch expired (410)", ctx, async load => {
        const listsBefore = await metric(gw, "rr_gateway_rr_cache_lists_total");
        // Drop the watch: stop the API server (gracefully, so no request is cut off mid-write)...
        ctx.plane.stopApiserver();
        await refusing(load, ctx.gws);
        // ...then move etcd on and compact its history, so the watch's resourceVersion no longer exists.
        const key = Buffer.from("/rrgw-faults/bump").toString("base64");
        for (let i = 0; i < 5; i++) await etcd(ctx.plane, "kv/put", { key, value: Buffer.from(String(i)).toString("base64") });
        const { header } = await etcd(ctx.plane, "kv/range", { key });
        await etcd(ctx.plane, "kv/compaction", { revision: header.revision, physical: true });
        ctx.plane.startApiserver();
        await recovered(load, Date.now(), ctx);
        await waitFor("a relist after 410 Gone", async () => (await metric(gw, "rr_gateway_rr_cache_lists_total")) > listsBefore, RECOVERY_TIMEOUT_MS, 200);
        relists++;
      });
      expectNothingLost(row, ctx.gws);
      expect(relists).toBe(CYCLES);
      // The cache holds every RR after the relist.
      const rrs = (await ctx.admin.list()).items.length;
      await waitFor("the cache to hold every RR", async () => (await metric(gw, "rr_gateway_rr_cache_size")) === rrs, 30_000);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "starts while the API server is down: /readyz 503 until the cache has synced, then ready by itself",
    async () => {
      ctx.plane.stopApiserver();
      let gw: RunningGateway | undefined;
      try {
        const config = loadGatewayConfig({ GATEWAY_HOST: "127.0.0.1", GATEWAY_PORT: "0", GATEWAY_NAMESPACE: ctx.ns, GATEWAY_AUTH: "none", EVENT_SOURCE_ENABLED: "false", KUBECONFIG: ctx.plane.kubeconfig("gateway") });
        gw = await startGateway(config, pino({ level: "silent" }));
        const readyz = async (): Promise<number> => (await request(`http://127.0.0.1:${gw!.port}/readyz`)).statusCode;
        await sleep(1_500); // a failed list and a restart of the watch
        expect(await readyz()).toBe(503);
        expect(gw.informer.hasSynced).toBe(false);
        ctx.plane.startApiserver();
        await waitFor("/readyz 200", async () => (await readyz()) === 200, RECOVERY_TIMEOUT_MS, 200);
        expect(gw.informer.size).toBe((await ctx.admin.list()).items.length);
      } finally {
        ctx.plane.startApiserver();
        await gw?.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe("a gateway process sent SIGTERM mid-load", () => {
  const ctx = faultSetup("sigterm", 5, 2);

  /** A signal whose body is still being sent: in flight until finish() is called. */
  function slowSignal(gw: GatewayProcess, pod: string): { finish: () => void; reply: Promise<{ status: number; count?: number }> } {
    const text = JSON.stringify(webhook([alert({ alertname: "FaultLoad", pod })]));
    const body = new PassThrough();
    body.write(text.slice(0, 20));
    const reply = request(gw.url + PROMETHEUS_PATH, { method: "POST", headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) }, body }).then(async res => {
      const parsed = JSON.parse(await res.body.text()) as { metadata?: { count?: number } };
      return { status: res.statusCode, count: parsed.metadata?.count };
    });
    return { finish: () => body.end(text.slice(20)), reply };
  }

  it(
    "turns /readyz 503 first, refuses new signals with 503, finishes those in flight, exits 0, and loses nothing",
    async () => {
      const staying = ctx.gws[1];
      const exitCodes: (number | null)[] = [];
      let cycle = 0;
      const row = await underLoad("gateway SIGTERM", ctx, async load => {
        const leaving = ctx.gws[0];
        const pod = `${load.sent[0]?.pod ?? "sigterm"}-held-${cycle++}`;
        const held = slowSignal(leaving, pod);
        await waitFor("the held signal to be in flight", async () => (await metric(leaving, "rr_gateway_in_flight_requests")) >= 1, 30_000);
        const heldSentAt = Date.now();
        const exited = leaving.kill("SIGTERM");

        await waitFor("/readyz to answer 503", async () => (await request(`${leaving.url}/readyz`)).statusCode === 503, 30_000, 20);
        const refused = await post(leaving.url, PROMETHEUS_PATH, webhook([alert({ alertname: "FaultLoad", pod: `${pod}-refused` })]));
        expect(refused.status).toBe(503);
        expect(refused.body.code).toBe("GW_SHUTTING_DOWN");
        expect(refused.headers["retry-after"]).toBe("2");
        load.sent.push({ pod: `${pod}-refused`, target: leaving.url, status: 503, code: refused.body.code, retryAfter: "2", sentAt: Date.now(), ms: 0 });
        expect(leaving.child.exitCode).toBeNull(); // still draining: the held signal is in flight

        held.finish();
        const answer = await held.reply;
        expect([201, 202]).toContain(answer.status);
        load.sent.push({ pod, target: leaving.url, status: answer.status, count: answer.count, sentAt: heldSentAt, ms: Date.now() - heldSentAt });
        exitCodes.push(await exited);
        expect(leaving.output()).toMatch(/SIGTERM: stopping gateway; exiting within/);
        // Its signals now find nobody listening (no answer, nothing recorded) until a replacement starts, as in a Deployment.
        await sleep(DOWN_MS);
        const replacement = await startGatewayProcess(ctx.ns, GATEWAY_ENV(ctx.plane));
        ctx.gws[0] = replacement;
        ctx.every.push(replacement);
        const since = Date.now();
        load.retarget(leaving.url, replacement.url);
        await waitFor("the replacement to record signals", () => load.since(since).some(s => s.target === replacement.url && is2xx(s)), RECOVERY_TIMEOUT_MS, 200);
      });
      expect(exitCodes).toEqual(Array(CYCLES).fill(0));
      expectNothingLost(row, ctx.gws);
      // The other replica kept recording throughout.
      expect(await metric(staying, "rr_gateway_remediation_requests_created_total")).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );
});
