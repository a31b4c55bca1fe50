import type { RemediationRequestClient } from "../../src/k8s/rr-client";
import { nodeDownGroup } from "../helpers/alert-group";
import { post, PROMETHEUS_PATH } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, type TestGateway } from "./helpers/gateway";

/**
 * No alert lost to a limit (issue 13): one node going down makes an
 * Alertmanager group of thousands of alerts, sent whole by the documented
 * receiver block (max_alerts: 0). A 5,000-alert group with kube-prometheus'
 * labels and annotations (about 5.4 MB) is taken with the default limits,
 * and every alert ends on an RR of its own with an exact count, also when
 * Alertmanager sends the group again.
 */

const ALERTS = 5_000;
const env = new TestEnvironment();
let gw: TestGateway;
let admin: RemediationRequestClient;

beforeAll(async () => {
  const ns = await env.freshNamespace("large-group");
  admin = await env.rrClient("admin", ns);
  gw = await startTestGateway(ns);
});
afterAll(async () => {
  await gw?.stop();
  await env.close();
});

it(`records each of a ${ALERTS}-alert group on an RR of its own, and counts the group's next notification on the same RRs`, async () => {
  const group = nodeDownGroup(ALERTS);
  const started = Date.now();
  const first = await post(gw.url, PROMETHEUS_PATH, group);
  process.stdout.write(`${ALERTS}-alert group (${Buffer.byteLength(JSON.stringify(group))} bytes): first delivery answered in ${Date.now() - started} ms\n`);
  expect(first.status).toBe(207);
  expect(first.body.summary).toEqual({ total: ALERTS, created: ALERTS, deduplicated: 0, resolved: 0, rejected: 0, ignored: 0, failed: 0 });

  const again = await post(gw.url, PROMETHEUS_PATH, group);
  expect(again.status).toBe(207);
  expect(again.body.summary).toMatchObject({ total: ALERTS, created: 0, deduplicated: ALERTS });

  const rrs = (await admin.list()).items;
  expect(rrs).toHaveLength(ALERTS);
  expect(new Set(rrs.map(rr => `${rr.spec.targetResource.kind}/${rr.spec.targetResource.name}`))).toEqual(new Set((group.alerts as { labels: { pod: string } }[]).map(a => `Pod/${a.labels.pod}`)));
  expect(rrs.every(rr => rr.status?.deduplication?.occurrenceCount === 2)).toBe(true);
  const names = (first.body.results as { remediationRequestName: string }[]).map(r => r.remediationRequestName);
  expect(new Set(names).size).toBe(ALERTS);
}, 600_000);
