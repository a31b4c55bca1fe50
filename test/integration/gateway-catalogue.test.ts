import { RemediationRequestClient } from "../../src/k8s/rr-client";
import { KUBE_PROMETHEUS_CATALOGUE } from "../fixtures/kube-prometheus-alerts";
import { post, PROMETHEUS_PATH, webhook } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, TestGateway } from "./helpers/gateway";

/**
 * The whole kube-prometheus alert catalogue (139 alerts) through the real
 * gateway and API server as ONE Alertmanager group: every alert is recorded
 * (none refused for lack of a target), each RR names the expected target, and
 * alerts that are one problem share one RR. Default limits: a whole group
 * is taken.
 */

const env = new TestEnvironment();
let ns: string;
let gw: TestGateway;
let admin: RemediationRequestClient;

beforeAll(async () => {
  ns = await env.freshNamespace("catalogue");
  admin = await env.rrClient("admin", ns);
  gw = await startTestGateway(ns);
});
afterAll(async () => {
  await gw?.stop();
  await env.close();
});

const problems = new Set(KUBE_PROMETHEUS_CATALOGUE.map(a => JSON.stringify([a.labels.alertname, a.target, a.problem ?? ""])));

describe("the kube-prometheus alert catalogue as one Alertmanager group", () => {
  it("records every alert, one RR per problem, each naming the expected target", async () => {
    const payload = webhook(KUBE_PROMETHEUS_CATALOGUE.map(a => ({ status: "firing", labels: a.labels, startsAt: "2026-11-28T07:00:00Z" })));
    const reply = await post(gw.url, PROMETHEUS_PATH, payload);
    expect(reply.status).toBe(207);
    expect(reply.body.summary).toMatchObject({ total: KUBE_PROMETHEUS_CATALOGUE.length, rejected: 0, failed: 0, created: problems.size });

    const rrs = new Map((await admin.list()).items.map(rr => [rr.metadata.name, rr]));
    expect(rrs.size).toBe(problems.size);
    const wrong = KUBE_PROMETHEUS_CATALOGUE.flatMap((a, i) => {
      const rr = rrs.get(reply.body.results[i].remediationRequestName);
      const target = rr?.spec.targetResource;
      const got = target && `${target.kind} ${target.namespace ?? ""}/${target.name}`;
      const expected = `${a.target.kind} ${a.target.namespace}/${a.target.name}`;
      return got === expected ? [] : [{ alert: a.labels.alertname, expected, got }];
    });
    expect(wrong).toEqual([]);
  });

  it("answers the alerts GATEWAY_IGNORED_ALERTS names `ignored`, counts them, and records none of them", async () => {
    const quietNs = await env.freshNamespace("ignored");
    const quiet = await startTestGateway(quietNs, { GATEWAY_IGNORED_ALERTS: "Watchdog,InfoInhibitor" });
    try {
      const alerts = KUBE_PROMETHEUS_CATALOGUE.filter(a => ["Watchdog", "InfoInhibitor", "KubeNodeNotReady"].includes(a.labels.alertname));
      const reply = await post(quiet.url, PROMETHEUS_PATH, webhook(alerts.map(a => ({ status: "firing", labels: a.labels }))));
      expect(reply.status).toBe(207);
      expect(reply.body.summary).toMatchObject({ total: 3, created: 1, ignored: 2 });
      expect(reply.body.results.map((r: { status: string }) => r.status)).toEqual(["ignored", "ignored", "created"]);
      const recorded = (await (await env.rrClient("admin", quietNs)).list()).items;
      expect(recorded.map(rr => rr.spec.signalName)).toEqual(["KubeNodeNotReady"]);
      const metrics = await (await fetch(`${quiet.url}/metrics`)).text();
      expect(metrics).toMatch(/rr_gateway_signals_ignored_total\{alertname="Watchdog"\} 1/);
    } finally {
      await quiet.stop();
    }
  });
});
