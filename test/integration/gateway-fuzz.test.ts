import fc from "fast-check";
import { Agent, request } from "undici";
import { bodyText, eventPayload, webhookPayload } from "../helpers/fuzz-payloads";
import { heapUsedAfterGc, MiB } from "../helpers/heap";
import { sumSamples } from "../helpers/metrics";
import { alert, EVENT_PATH, post, PROMETHEUS_PATH, webhook } from "../helpers/signals";
import { bySoak, recordSoakFigures, SOAK } from "../helpers/soak";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, TestGateway } from "./helpers/gateway";

/**
 * Fuzzing the real HTTP server against the real API server: generated
 * requests (valid, near-valid and hostile payloads, broken JSON, wrong media
 * types, oversized and deeply nested bodies, invalid UTF-8) are answered with
 * 2xx or 4xx only; the API server refuses nothing the gateway sends it (its
 * validation catches everything first); the gateway stays healthy and keeps
 * no memory. The parser-level fuzz (src/signal/parsers.fuzz.test.ts) brings
 * the volume; this one proves the whole path.
 */

const REQUESTS = bySoak(400, 6_000);
const CONCURRENCY = 4;

const env = new TestEnvironment();
let ns: string;
let gw: TestGateway;
const agent = new Agent({ connections: CONCURRENCY });

beforeAll(async () => {
  ns = await env.freshNamespace("fuzz");
  gw = await startTestGateway(ns, { GATEWAY_STORM_THRESHOLD: "1000" });
});
afterAll(async () => {
  await gw?.stop();
  await agent.close();
  await env.close();
});

interface FuzzRequest {
  path: string;
  body: string | Buffer;
  contentType: string;
}

const oddRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.constant({ path: PROMETHEUS_PATH, body: "", contentType: "application/json" }),
  fc.constant({ path: PROMETHEUS_PATH, body: JSON.stringify(webhook([alert({ alertname: "X", pod: "p" })])), contentType: "text/plain" }),
  fc.constant({ path: EVENT_PATH, body: "{}", contentType: "application/x-www-form-urlencoded" }),
  fc.constant({ path: PROMETHEUS_PATH, body: JSON.stringify(webhook([alert({ alertname: "Big", pod: "p", annotations: { d: "x".repeat(300_000) } })])), contentType: "application/json" }),
  fc.nat({ max: 200_000 }).map(n => ({ path: PROMETHEUS_PATH, body: "[".repeat(n + 40) + "]".repeat(n + 40), contentType: "application/json" })),
  fc.nat({ max: 1_000 }).map(n => ({ path: EVENT_PATH, body: '{"a":'.repeat(n + 40) + "1" + "}".repeat(n + 40), contentType: "application/json" })),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map(bytes => ({
    path: PROMETHEUS_PATH,
    // Invalid UTF-8 inside a label value: decoded as U+FFFD, like any JSON text.
    body: Buffer.concat([Buffer.from('{"alerts":[{"labels":{"alertname":"Bytes","pod":"p-'), Buffer.from(bytes.map(b => b | 0x80)), Buffer.from('","namespace":"n"}}]}')]),
    contentType: "application/json; charset=utf-8",
  })),
);

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 12, arbitrary: bodyText(webhookPayload).map(body => ({ path: PROMETHEUS_PATH, body, contentType: "application/json" })) },
  { weight: 6, arbitrary: bodyText(eventPayload).map(body => ({ path: EVENT_PATH, body, contentType: "application/json" })) },
  { weight: 2, arbitrary: oddRequest },
);

async function send(r: FuzzRequest): Promise<{ status: number; contentType: string; body: string }> {
  const res = await request(gw.url + r.path, { method: "POST", dispatcher: agent, headers: { "content-type": r.contentType }, body: r.body });
  return { status: res.statusCode, contentType: String(res.headers["content-type"] ?? ""), body: await res.body.text() };
}

/** One value of the in-process gateway's metrics (summed over the label sets matching `labels`). */
const metric = async (name: string, labels?: string): Promise<number> => sumSamples(await gw.gateway.metrics.registry.metrics(), name, labels);

it(`answers ${REQUESTS} generated requests with 2xx or 4xx only, and the API server refuses nothing the gateway sends`, async () => {
  const heapBefore = heapUsedAfterGc();
  const byStatus = new Map<number, number>();
  const unexpected: string[] = [];
  let sent = 0;
  const worker = async (seed: number): Promise<void> => {
    // Generated lazily in small batches, so the test itself holds little.
    while (sent < REQUESTS) {
      const batch = fc.sample(fuzzRequest, { numRuns: Math.min(25, REQUESTS - sent), seed: seed * 100_003 + sent });
      sent += batch.length;
      for (const r of batch) {
        const reply = await send(r);
        byStatus.set(reply.status, (byStatus.get(reply.status) ?? 0) + 1);
        const ok2xx = reply.status >= 200 && reply.status < 300;
        const ok4xx = reply.status >= 400 && reply.status < 500 && reply.contentType === "application/problem+json";
        if (!(ok2xx || ok4xx)) unexpected.push(`${reply.status} ${reply.contentType}: ${reply.body.slice(0, 300)}\n  for ${r.path} ${String(r.body).slice(0, 300)}`);
        else JSON.parse(reply.body);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i + 1)));

  const counts = Object.fromEntries([...byStatus].sort(([a], [b]) => a - b));
  if (SOAK) process.stdout.write(`HTTP fuzz: ${sent} requests, by status ${JSON.stringify(counts)}\n`);
  expect(unexpected).toEqual([]);
  // Both kinds of answer were exercised.
  expect([...byStatus.keys()].some(s => s >= 200 && s < 300)).toBe(true);
  expect([...byStatus.keys()].some(s => s >= 400)).toBe(true);
  // Everything the gateway sent, the API server took: validation came first.
  expect(await metric("rr_gateway_signals_rejected_total", 'source="prometheus",reason="refused_by_api"')).toBe(0);
  expect(await metric("rr_gateway_signals_rejected_total", 'source="kubernetes-event",reason="refused_by_api"')).toBe(0);

  // Still healthy: a plain alert is recorded.
  const after = await post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname: "AfterFuzz", pod: `pod-${Date.now()}` })]));
  expect(after.status).toBe(201);

  // Memory: what stays is the RR cache (one entry per problem created), nothing per request.
  const grown = heapUsedAfterGc() - heapBefore;
  const rrs = gw.gateway.informer.size;
  if (SOAK) process.stdout.write(`HTTP fuzz: heap grew ${(grown / MiB).toFixed(1)} MiB with ${rrs} RRs cached\n`);
  recordSoakFigures("gateway-fuzz", { requests: sent, byStatus: counts, heapGrownMiB: Math.round((grown / MiB) * 10) / 10, rrsCached: rrs });
  expect(grown).toBeLessThan(48 * MiB + rrs * 64 * 1024);
}, bySoak(300_000, 1_800_000));
