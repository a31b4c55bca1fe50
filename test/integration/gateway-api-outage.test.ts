import { alert, post, PROMETHEUS_PATH, webhook } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, TestGateway } from "./helpers/gateway";
import { PrivateControlPlane } from "./helpers/private-controlplane";

// This file stops its API server: it runs on a control plane of its own.
const plane = new PrivateControlPlane("outage", 1);
const env = new TestEnvironment(identity => plane.kubeconfig(identity));
let gw: TestGateway;
let ns: string;

beforeAll(async () => {
  plane.up();
  ns = await env.freshNamespace("outage");
  gw = await startTestGateway(ns, { KUBECONFIG: plane.kubeconfig("gateway"), GATEWAY_RETRY_AFTER_SECONDS: "7" });
}, 120_000);
afterAll(async () => {
  await gw?.stop();
  await env.close();
  plane.down();
});

const payload = (pod: string) => webhook([alert({ alertname: "DiskFull", pod })]);

it("answers 503 with Retry-After while the API server is down, records nothing, and recovers by itself", async () => {
  const admin = await env.rrClient("admin", ns);
  const first = await post(gw.url, PROMETHEUS_PATH, payload("known"));
  expect(first.status).toBe(201);

  plane.stopApiserver();
  try {
    for (const pod of ["known", "new"]) {
      const reply = await post(gw.url, PROMETHEUS_PATH, payload(pod));
      expect(reply.status).toBe(503);
      expect(reply.headers["retry-after"]).toBe("7");
      expect(reply.headers["content-type"]).toBe("application/problem+json");
      expect(reply.body.detail).toMatch(/cannot be reached|unavailable/);
    }
  } finally {
    plane.startApiserver();
  }

  // The same payloads again, as Alertmanager would retry them.
  const retried = await post(gw.url, PROMETHEUS_PATH, payload("known"));
  expect(retried.status).toBe(202);
  expect(retried.body.metadata.count).toBe(2);
  const fresh = await post(gw.url, PROMETHEUS_PATH, payload("new"));
  expect(fresh.status).toBe(201);

  const rrs = (await admin.list()).items;
  expect(rrs).toHaveLength(2);
  expect(rrs.map(rr => rr.status?.deduplication?.occurrenceCount).sort()).toEqual([1, 2]);
}, 60_000);
