import { PassThrough } from "node:stream";
import { request } from "undici";
import { alert, post, PROMETHEUS_PATH, uniqueNames, webhook } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, TestGateway } from "./helpers/gateway";
import { waitFor } from "./helpers/wait";

/**
 * Graceful shutdown of one gateway: /readyz turns 503 first, new signals are
 * refused with a retryable 503, signals in flight finish and are answered,
 * and only then does the server stop listening. (gateway-faults.test.ts does
 * the same to a gateway process with SIGTERM, under load.)
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
function heldSignal(gw: TestGateway): { finish: () => void; reply: Promise<{ status: number; body: string }> } {
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
