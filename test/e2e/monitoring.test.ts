import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { dashboardQueries, type GrafanaPanel, resolveVariables, vectorSelectors } from "../helpers/promql";
import { alert, EVENT_PATH, post, PROMETHEUS_PATH, warningEvent, webhook } from "../helpers/signals";
import { loopbackTls } from "../helpers/test-pki";
import { REPO_DIR } from "../integration/helpers/controlplane";
import { TestEnvironment } from "../integration/helpers/environment";
import { freePort, GatewayProcess, startGatewayProcess } from "../integration/helpers/gateway-process";
import { killAllOrchestrators, OrchestratorProcess } from "../integration/helpers/orchestrator-process";
import { waitFor } from "../integration/helpers/wait";
import { RunningPrometheus, ruleFileOfPrometheusRule, startPrometheus } from "./helpers/prometheus";

/**
 * End to end: a real Prometheus (Debian package) scrapes a real gateway
 * process over HTTPS (its CA in tls_config, as the ServiceMonitor does) and a
 * mock orchestrator process (ORCHESTRATOR_METRICS_PORT), and evaluates
 * deploy/monitoring/prometheusrule.yaml, while signals arrive: new problems,
 * duplicates, refusals, a resolved alert, a Kubernetes event. Then every query
 * of deploy/monitoring/dashboard.json and every series a rule expression
 * selects must return data from that Prometheus, so a misspelt metric or
 * label fails here, not on an operator's screen.
 *
 * The series carry the labels a ServiceMonitor gives them: job rr-gateway and
 * the pods' namespace (pepr-system).
 */
const env = new TestEnvironment();
const POD_NAMESPACE = "pepr-system";
const TOKEN = "monitoring-e2e-token";
const DASHBOARD = JSON.parse(readFileSync(path.join(REPO_DIR, "deploy/monitoring/dashboard.json"), "utf8")) as {
  panels: GrafanaPanel[];
  templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
};
const RULES = ruleFileOfPrometheusRule();
/** Grafana's variables as the dashboard would set them for this install; $__rate_interval as Grafana computes it for a 1 s scrape, rounded up. */
const VARIABLES = { namespace: POD_NAMESPACE, job: "rr-gateway", __rate_interval: "1m", datasource: "prometheus" };


let namespace: string;
let gateway: GatewayProcess;
let prometheus: RunningPrometheus;
const sent = { signals: 0 };

const auth = { authorization: `Bearer ${TOKEN}` };
const send = (body: unknown, headers: Record<string, string> = auth, path = PROMETHEUS_PATH) => post(gateway.url, path, body, headers, gateway.dispatcher);

beforeAll(async () => {
  namespace = await env.freshNamespace("e2e-monitoring");
  const tokens = path.join(mkdtempSync(path.join(tmpdir(), "rrgw-mon-")), "tokens");
  writeFileSync(tokens, `${TOKEN}\n`);
  gateway = await startGatewayProcess(namespace, { GATEWAY_AUTH: "static", GATEWAY_STATIC_TOKENS_FILE: tokens, LOG_LEVEL: "warn" }, { tls: loopbackTls() });
  const orchestratorPort = await freePort();
  const orchestrator = await OrchestratorProcess.start({
    namespace,
    identity: "e2e-monitoring",
    env: { ORCHESTRATOR_PHASE_DURATION: "300ms", ORCHESTRATOR_METRICS_PORT: String(orchestratorPort), ORCHESTRATOR_LOG_LEVEL: "info" },
  });
  await orchestrator.waitUntilLeading();
  prometheus = await startPrometheus(
    [
      { job: "rr-gateway", target: `127.0.0.1:${gateway.port}`, scheme: "https", caFile: loopbackTls().caFile, labels: { namespace: POD_NAMESPACE } },
      { job: "rr-orchestrator", target: `127.0.0.1:${orchestratorPort}`, scheme: "http", labels: { namespace: POD_NAMESPACE } },
    ],
    RULES,
  );
  await waitFor("both targets up", async () => (await prometheus.targets()).filter(t => t.health === "up").length === 2, 30_000, 250);
  await load();
  await waitFor(
    "Prometheus to have scraped every signal sent",
    async () => Number((await prometheus.query(`sum(rr_gateway_signals_received_total{namespace="${POD_NAMESPACE}"})`))[0]?.value[1] ?? 0) >= sent.signals,
    30_000,
    250,
  );
  // rate() needs two samples of a series: series born during the load (a first resolved alert, a first answer code) have their second one scrape later.
  const scrapes = async (): Promise<number> => Number((await prometheus.query(`count_over_time(up{job="rr-gateway"}[10m])`))[0]?.value[1] ?? 0);
  const scraped = await scrapes();
  await waitFor("one more scrape of the gateway", async () => (await scrapes()) > scraped, 30_000, 250);
}, 600_000);

afterAll(async () => {
  await prometheus?.stop();
  await killAllOrchestrators();
  await gateway?.kill();
  await env.close();
});

/** Signals of every kind the dashboard and the rules look at; returns once all are answered. */
async function load(): Promise<void> {
  const answers: number[] = [];
  const expect2xx = async (body: unknown, count: number, path = PROMETHEUS_PATH): Promise<void> => {
    const reply = await send(body, auth, path);
    answers.push(reply.status);
    sent.signals += count;
  };
  for (let round = 0; round < 3; round++) {
    // New problems, with severities of each class.
    const severities = ["critical", "warning", "P2", "info", "no-such-severity"];
    await expect2xx(webhook(severities.map((severity, i) => alert({ alertname: `MonitoringNew${round}x${i}`, pod: `api-${round}-${i}`, severity }))), severities.length);
    // One problem, 20 times at once: one RR, 19 counts on it.
    await Promise.all(Array.from({ length: 20 }, () => expect2xx(webhook([alert({ alertname: "MonitoringStorm", pod: "db-0" })]), 1)));
    // A Kubernetes event.
    await expect2xx(warningEvent("BackOff", { kind: "Pod", name: `worker-${round}`, namespace: "prod" }), 1, EVENT_PATH);
    // Refused: no token (401), and an invalid alert beside a valid one (207).
    for (let i = 0; i < 3; i++) expect((await send(webhook([alert({ alertname: "MonitoringNoToken", pod: "x" })]), {})).status).toBe(401);
    await expect2xx(webhook([alert({ alertname: "MonitoringValid", pod: `ok-${round}` }), { status: "firing", labels: {}, annotations: {} }]), 1);
    // A resolved alert of a problem that has an RR.
    await expect2xx(webhook([alert({ alertname: "MonitoringStorm", pod: "db-0", status: "resolved" })]), 1);
  }
  expect(answers.filter(s => s < 200 || s >= 300)).toEqual([]);
}


describe("the Grafana dashboard (deploy/monitoring/dashboard.json)", () => {
  const queries = dashboardQueries(DASHBOARD);

  it("has queries, each of a metric this project defines or a standard one", () => {
    expect(queries.length).toBeGreaterThan(20);
    for (const { expr } of queries) for (const s of vectorSelectors(resolveVariables(expr, VARIABLES))) expect(s).toMatch(/^(rr_gateway_|process_|nodejs_)/);
  });

  it.each(queries.map(q => [q.panel, q.expr]))("%s: %s returns data", async (_panel, expr) => {
    const result = await prometheus.query(resolveVariables(expr, VARIABLES));
    expect({ expr, series: result.length }).toEqual({ expr, series: expect.any(Number) });
    expect(result.length).toBeGreaterThan(0);
  });

  it("has template variables whose queries find this install", async () => {
    for (const variable of DASHBOARD.templating.list.filter(v => v.type === "query")) {
      const query = typeof variable.query === "string" ? variable.query : variable.query!.query;
      const [, selector, label] = query.match(/^label_values\((.+),\s*(\w+)\)$/) ?? [];
      expect({ variable: variable.name, selector, label }).toEqual({ variable: variable.name, selector: expect.any(String), label: expect.any(String) });
      const result = await prometheus.query(`count by (${label}) (${resolveVariables(selector, VARIABLES)})`);
      expect(result.map(r => r.metric[label])).toContain(VARIABLES[variable.name as keyof typeof VARIABLES]);
    }
  });

  it("shows RemediationRequests moving through the orchestrator's phases", async () => {
    await waitFor("Completed RRs in rr_gateway_remediation_requests", async () => Number((await prometheus.query(`max(rr_gateway_remediation_requests{phase="Completed"})`))[0]?.value[1] ?? 0) > 0, 30_000, 500);
    const leaders = await prometheus.query(`sum(rr_gateway_orchestrator_leader{namespace="${POD_NAMESPACE}"})`);
    expect(leaders[0]?.value[1]).toBe("1");
  });
});

describe("the alert rules (deploy/monitoring/prometheusrule.yaml)", () => {
  const rules = RULES.groups.flatMap(g => g.rules);

  it("are loaded and evaluated by Prometheus without errors", async () => {
    const loaded = await waitFor(
      "every rule evaluated",
      async () => {
        const all = await prometheus.rules();
        return all.length === rules.length && all.every(r => !r.lastEvaluation.startsWith("0001")) ? all : undefined;
      },
      30_000,
      250,
    );
    expect(loaded.filter(r => r.health !== "ok").map(r => `${r.name}: ${r.lastError}`)).toEqual([]);
  });

  it.each(rules.map(r => [r.alert ?? r.record, r.expr]))("%s: every series its expression selects exists (%s)", async (_name, expr) => {
    await prometheus.query(expr); // the expression itself runs
    for (const selector of vectorSelectors(expr)) {
      const result = await prometheus.query(selector);
      expect({ selector, found: result.length > 0 }).toEqual({ selector, found: true });
    }
  });

  it("do not fire on a healthy gateway: no duplicate RR, no unsure write (the alerts without a `for`)", async () => {
    const firing = await prometheus.query(`ALERTS{alertstate="firing"}`);
    expect(firing.map(a => a.metric.alertname)).toEqual([]);
  });

  it("notice the refusals: RRGatewaySignalsRefused{reason=unauthenticated} goes pending", async () => {
    const pending = await waitFor(
      "RRGatewaySignalsRefused pending",
      async () => {
        const alerts = await prometheus.query(`ALERTS{alertname="RRGatewaySignalsRefused", alertstate="pending"}`);
        return alerts.length > 0 ? alerts : undefined;
      },
      30_000,
      250,
    );
    expect(pending.map(a => a.metric.reason)).toContain("unauthenticated");
  });
});
