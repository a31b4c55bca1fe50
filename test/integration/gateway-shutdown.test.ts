import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { request } from "undici";
import { shutdownBudgetFromEnv } from "../../src/module/shutdown-budget";
import { scrapeSum } from "../helpers/metrics";
import { alert, post, PROMETHEUS_PATH, uniqueNames, webhook } from "../helpers/signals";
import { REPO_DIR } from "./helpers/controlplane";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, TestGateway } from "./helpers/gateway";
import { startGatewayProcess } from "./helpers/gateway-process";
import { waitFor } from "./helpers/wait";

/**
 * Graceful shutdown of one gateway: /readyz turns 503 first, new signals are
 * refused with a retryable 503, signals in flight finish and are answered,
 * and only then does the server stop listening. A gateway process on SIGTERM
 * does so within the budget its pod's grace period and preStop leave
 * (src/module/shutdown-budget.ts), so it exits before the kubelet's SIGKILL.
 * (gateway-faults.test.ts does the same to gateway processes under load.)
 */

const env = new TestEnvironment();
let ns: string;
const freshPod = uniqueNames("pod");
const payload = () => webhook([alert({ alertname: "Shutdown", pod: freshPod() })]);

beforeAll(async () => {
  ns = await env.freshNamespace("shutdown");
});
afterAll(() => env.close());

/** A signal whose body is still arriving: the gateway holds it in flight until finish(). */
function heldSignal(gw: { url: string }): { finish: () => void; reply: Promise<{ status: number; body: string }> } {
  const text = JSON.stringify(payload());
  const body = new PassThrough();
  body.write(text.slice(0, 10));
  const reply = request(gw.url + PROMETHEUS_PATH, { method: "POST", headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) }, body }).then(async res => ({
    status: res.statusCode,
    body: await res.body.text(),
  }));
  return { finish: () => body.end(text.slice(10)), reply };
}

const inFlight = async (gw: TestGateway): Promise<number> => (await gw.gateway.metrics.inFlight.get()).values[0]?.value ?? 0;
const readyz = async (gw: TestGateway): Promise<number> => (await request(`${gw.url}/readyz`)).statusCode;

it("turns /readyz 503, refuses new signals with 503, finishes the one in flight, then stops listening", async () => {
  const gw = await startTestGateway(ns, { GATEWAY_SHUTDOWN_GRACE_SECONDS: "60", GATEWAY_RETRY_AFTER_SECONDS: "3" });
  const held = heldSignal(gw);
  await waitFor("the held signal to be in flight", async () => (await inFlight(gw)) === 1);

  let stopped = false;
  const stopping = gw.stop().then(() => (stopped = true));
  await waitFor("/readyz 503", async () => (await readyz(gw)) === 503);

  const refused = await post(gw.url, PROMETHEUS_PATH, payload());
  expect(refused.status).toBe(503);
  expect(refused.body).toMatchObject({ code: "GW_SHUTTING_DOWN", status: 503 });
  expect(refused.headers["retry-after"]).toBe("3");
  expect(refused.headers["connection"]).toBe("close");
  expect(stopped).toBe(false);

  held.finish();
  const answer = await held.reply;
  expect(answer.status).toBe(201);
  await stopping;
  await expect(request(`${gw.url}/healthz`)).rejects.toThrow(/ECONNREFUSED|other side closed|closed/);
}, 60_000);

it("with GATEWAY_SHUTDOWN_DELAY_SECONDS, turns /readyz 503 at once but keeps taking signals for the delay", async () => {
  const gw = await startTestGateway(ns, { GATEWAY_SHUTDOWN_DELAY_SECONDS: "5" });
  const stopping = gw.stop();
  expect(await readyz(gw)).toBe(503);
  expect((await post(gw.url, PROMETHEUS_PATH, payload())).status).toBe(201);
  // After the delay: refused with 503, or (nothing being in flight) no longer listening at all.
  await waitFor("signals to be refused after the delay", () => post(gw.url, PROMETHEUS_PATH, payload()).then(r => r.status === 503, () => true), 30_000, 200);
  await stopping;
}, 60_000);

it("stops even when a request never finishes, once the grace period is over", async () => {
  const gw = await startTestGateway(ns, { GATEWAY_SHUTDOWN_GRACE_SECONDS: "1" });
  const held = heldSignal(gw);
  await waitFor("the held signal to be in flight", async () => (await inFlight(gw)) === 1);
  const outcome = held.reply.then(r => `answered ${r.status}`, (err: Error) => `cut off: ${err.message}`);
  await gw.stop();
  // The held signal was cut off, never answered 2xx: its sender retries it.
  expect(await outcome).toMatch(/^cut off/);
}, 60_000);

describe("a gateway process on SIGTERM, as the kubelet sends it", () => {
  // A pod with preStop 5 s and terminationGracePeriodSeconds 25: SIGTERM comes at 5 s, SIGKILL at 25 s,
  // so the process has 20 s; its budget keeps 2 s of that (18 s), of which the final writes keep 10 s.
  const POD = { TERMINATION_GRACE_PERIOD_SECONDS: "25", PRESTOP_SLEEP_SECONDS: "5" };
  const KILLED_AFTER_MS = (25 - 5) * 1000;
  const { budgetMs } = shutdownBudgetFromEnv(POD);

  it("answers the request in flight, then exits 0", async () => {
    const gw = await startGatewayProcess(ns, POD);
    const held = heldSignal(gw);
    await waitFor("the held signal to be in flight", async () => (await scrapeSum(gw.url, "rr_gateway_in_flight_requests")) === 1);
    const exited = gw.kill("SIGTERM");
    await waitFor("/readyz 503", async () => (await request(`${gw.url}/readyz`)).statusCode === 503);
    held.finish();
    expect((await held.reply).status).toBe(201);
    expect(await exited).toBe(0);
    expect(gw.output()).toMatch(/SIGTERM: stopping gateway; exiting within 18s \(terminationGracePeriodSeconds 25s − preStop 5s − margin 2s\)/);
  }, 60_000);

  it("with a request that never finishes, cuts the drain to fit the budget and exits before the kubelet would kill it", async () => {
    const gw = await startGatewayProcess(ns, POD);
    const held = heldSignal(gw);
    const outcome = held.reply.then(r => `answered ${r.status}`, (err: Error) => `cut off: ${err.message}`);
    await waitFor("the held signal to be in flight", async () => (await scrapeSum(gw.url, "rr_gateway_in_flight_requests")) === 1);
    const signalled = Date.now();
    const code = await gw.kill("SIGTERM");
    const tookMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(KILLED_AFTER_MS);
    expect(tookMs).toBeLessThanOrEqual(budgetMs + 1_000);
    // The configured grace (20 s) did not fit: the gateway said so, and the held signal was cut off unanswered (its sender retries).
    expect(gw.output()).toMatch(/shutdown budget .* draining for less/);
    expect(await outcome).toMatch(/^cut off/);
  }, 60_000);
});

describe("the process's one shutdown path", () => {
  it("exits 1 at the deadline when a part never stops, still before the kubelet's SIGKILL", async () => {
    // grace 6 s, no preStop: SIGKILL would come 6 s after SIGTERM; the budget is 4 s.
    // A default import: Node 24 does not see the named exports of a TypeScript module tsx compiles to CommonJS.
    const script = 'import shutdown from "./src/module/shutdown"; shutdown.processShutdown().add("stuck part", () => new Promise(() => undefined)); setInterval(() => undefined, 1000); process.stdout.write("ready\\n");';
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: REPO_DIR,
      env: { ...process.env, NODE_OPTIONS: "", TERMINATION_GRACE_PERIOD_SECONDS: "6", PRESTOP_SLEEP_SECONDS: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", chunk => (output += chunk));
    child.stderr.on("data", chunk => (output += chunk));
    const exited = new Promise<number | null>(resolve => child.once("exit", code => resolve(code)));
    // A line of its own: a failing script's error would echo the script, "ready" included.
    await waitFor("the process to start", () => /^ready$/m.test(output), 30_000);
    const signalled = Date.now();
    child.kill("SIGTERM");
    expect(await exited).toBe(1);
    const tookMs = Date.now() - signalled;
    expect(tookMs).toBeGreaterThanOrEqual(3_900);
    expect(tookMs).toBeLessThan(6_000);
    expect(output).toMatch(/SIGTERM: stopping stuck part; exiting within 4s/);
    expect(output).toMatch(/stuck part did not stop within 4s; exiting before the kubelet's SIGKILL/);
  }, 60_000);
});
