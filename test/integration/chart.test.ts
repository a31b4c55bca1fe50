import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { readMonitoring } from "../../hack/chart-monitoring";
import { CHART_SETTINGS, STATIC_TOKENS_FILE } from "../../hack/chart-settings";
import { kubectl, REPO_DIR, waitEstablished } from "./helpers/controlplane";
import { helm, helmBinary, helmTemplate, type Rendered } from "./helpers/helm";
import { find, moduleBuild, type ModuleBuild, type Obj } from "./helpers/module-build";

/**
 * The Helm chart `npm run build` makes (dist/<uuid>-chart), rendered by a
 * real helm (built from its Go module: hack/ensure-helm.sh) and checked
 * against the real local API server: it lints, it renders the plain
 * manifest exactly when no value is set, every template renders, every
 * optional value does what docs/deploy.md says, values.schema.json refuses
 * what it should, and the API server accepts every render
 * (`kubectl apply --dry-run=server`). Only namespaces and the two stand-in
 * monitoring.coreos.com CRDs (test/fixtures/monitoring-coreos-crds.yaml)
 * are created for real.
 */

let build: ModuleBuild;
let chart: string;
const valuesDir = path.join(REPO_DIR, ".local/test/chart");

/** Every optional value switched on (and every setting away from its default). */
const ALL_ON = {
  gateway: {
    tls: { secretName: "my-gateway-cert" },
    auth: {
      mode: "kubernetes",
      audiences: ["rr-gateway", "alertmanager"],
      scope: "namespace",
      preset: "kubernaut",
      attributes: { verb: "create", group: "core", resource: "services", resourceName: "gateway-service", namespace: "kubernaut-system" },
      staticTokens: { secretName: "rr-gateway-static-tokens", key: "tokens.txt" },
    },
    scope: "all",
  },
  eventSource: { enabled: false, reasons: ["BackOff", "OOMKilling"], excludeReasons: ["Pulling"], namespaces: ["prod", "staging"], kinds: ["Pod", "Node"], maxSignalsPerSecond: 20 },
  networkPolicy: {
    enabled: true,
    allowedNamespaces: ["monitoring", "alerting"],
    additionalIngress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" } }], ports: [{ port: 8080, protocol: "TCP" }] }],
  },
  monitoring: {
    serviceMonitor: { enabled: true, labels: { release: "kube-prometheus-stack" } },
    prometheusRule: { enabled: true, labels: { release: "kube-prometheus-stack" }, annotations: { team: "platform" } },
    dashboard: { enabled: true, namespace: "monitoring", labels: { release: "kube-prometheus-stack" }, annotations: { grafana_folder: "Kubernaut" } },
  },
  // Pepr's own optional objects.
  admission: { serviceMonitor: { enabled: true } },
  watcher: { enabled: true },
};

function valuesFile(name: string, values: Obj): string {
  mkdirSync(valuesDir, { recursive: true });
  const file = path.join(valuesDir, `${name}.yaml`);
  writeFileSync(file, yaml.dump(values));
  return file;
}

const keyOf = (o: Obj): string => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;

/** Empty lists and maps dropped: the API server stores `tolerations: []` as no tolerations. */
function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Obj)
      .map(([k, v]) => [k, withoutEmpty(v)] as const)
      .filter(([, v]) => !(Array.isArray(v) ? v.length === 0 : v !== null && typeof v === "object" && Object.keys(v).length === 0));
    return Object.fromEntries(entries);
  }
  return value;
}

const byKey = (objects: Obj[]): Record<string, unknown> => Object.fromEntries(objects.map(o => [keyOf(o), withoutEmpty(o)]));
const admissionDeployment = (r: Rendered): Obj => find(r.objects, "Deployment", d => d.metadata.labels?.["pepr.dev/controller"] === "admission")[0];
const container = (d: Obj): Obj => d.spec.template.spec.containers.find((c: Obj) => c.name === "server");
const envOf = (d: Obj): Record<string, string> => Object.fromEntries((container(d).env as Obj[]).map(e => [e.name, e.value]));

let defaults: Rendered;
let allOn: Rendered;
let allOnFile: string;

beforeAll(() => {
  helmBinary(); // built from its Go module on a fresh machine: minutes, with progress
  build = moduleBuild();
  chart = path.join(build.dir, `${build.uuid}-chart`);
  allOnFile = valuesFile("all-on", ALL_ON);
  defaults = helmTemplate(chart, ["--include-crds"]);
  allOn = helmTemplate(chart, ["--include-crds", "-f", allOnFile]);
}, 1_500_000);

describe("the Helm chart", () => {
  it("passes helm lint --strict, with the defaults and with every optional value switched on", () => {
    for (const args of [[], ["-f", allOnFile]]) expect(helm(["lint", "--strict", chart, ...args])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it("renders, with no values set, exactly the plain manifest (npm run build's), so the two cannot drift", () => {
    expect(byKey(defaults.objects)).toEqual(byKey(build.objects));
    // The environment in the same order too (a later entry may refer to an earlier one).
    expect((container(admissionDeployment(defaults)).env as Obj[]).map(e => e.name)).toEqual((container(find(build.objects, "Deployment")[0]).env as Obj[]).map(e => e.name));
  });

  it("renders every template: the defaults and the all-on values together leave none out", () => {
    const templates = readdirSync(path.join(chart, "templates")).filter(f => !f.startsWith("_")).map(f => `templates/${f}`);
    const rendered = new Set([...defaults.sources, ...allOn.sources]);
    expect(templates.filter(t => !rendered.has(t))).toEqual([]);
    // One per object and dashboard in deploy/monitoring/; none of them, nor the NetworkPolicy, by default.
    const monitoring = readMonitoring(path.join(REPO_DIR, "deploy/monitoring"), build.uuid);
    const expected = monitoring.reduce((n, m) => n + (m.objects?.length ?? 1), 0);
    expect(expected).toBeGreaterThan(0);
    expect(allOn.sources.filter(s => s.startsWith("templates/rr-monitoring-"))).toHaveLength(expected);
    expect(defaults.sources.filter(s => s.startsWith("templates/rr-monitoring-") || s.includes("networkpolicy"))).toEqual([]);
  });

  it("sets every gateway setting from its value, in place where Pepr's environment has it and added where not", () => {
    const env = envOf(admissionDeployment(allOn));
    expect(env).toMatchObject({
      GATEWAY_AUTH: "kubernetes",
      GATEWAY_AUTH_AUDIENCES: "rr-gateway,alertmanager",
      GATEWAY_AUTH_SCOPE: "namespace",
      GATEWAY_AUTH_PRESET: "kubernaut",
      GATEWAY_AUTH_VERB: "create",
      GATEWAY_AUTH_GROUP: "core",
      GATEWAY_AUTH_RESOURCE: "services",
      GATEWAY_AUTH_RESOURCE_NAME: "gateway-service",
      GATEWAY_AUTH_NAMESPACE: "kubernaut-system",
      GATEWAY_SCOPE: "all",
      GATEWAY_STATIC_TOKENS_FILE: STATIC_TOKENS_FILE,
      EVENT_SOURCE_ENABLED: "false",
      EVENT_SOURCE_REASONS: "BackOff,OOMKilling",
      EVENT_SOURCE_EXCLUDE_REASONS: "Pulling",
      EVENT_SOURCE_NAMESPACES: "prod,staging",
      EVENT_SOURCE_KINDS: "Pod,Node",
      EVENT_SOURCE_MAX_SIGNALS_PER_SECOND: "20",
    });
    for (const s of CHART_SETTINGS) expect(env).toHaveProperty(s.env);
    const names = (container(admissionDeployment(allOn)).env as Obj[]).map(e => e.name);
    expect(names.length).toBe(new Set(names).size); // no name twice
    // The default environment has no setting it does not need.
    expect(Object.keys(envOf(admissionDeployment(defaults))).filter(n => n.startsWith("EVENT_SOURCE_") || n === "GATEWAY_STATIC_TOKENS_FILE")).toEqual([]);
  });

  it("serves with one's own TLS Secret and mounts the static-tokens Secret when they are named", () => {
    expect(find(defaults.objects, "Secret", s => s.metadata.name === "rr-gateway-tls")).toHaveLength(1);
    expect(find(allOn.objects, "Secret", s => s.metadata.name === "rr-gateway-tls")).toEqual([]);
    const pod = admissionDeployment(allOn).spec.template.spec;
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: "rr-gateway-tls", secret: { secretName: "my-gateway-cert" } },
        { name: "rr-gateway-static-tokens", secret: { secretName: "rr-gateway-static-tokens", items: [{ key: "tokens.txt", path: "tokens" }] } },
      ]),
    );
    expect(container(admissionDeployment(allOn)).volumeMounts).toContainEqual({ name: "rr-gateway-static-tokens", mountPath: path.dirname(STATIC_TOKENS_FILE), readOnly: true });
    expect(admissionDeployment(defaults).spec.template.spec.volumes.map((v: Obj) => v.name)).not.toContain("rr-gateway-static-tokens");
  });

  it("lets the gateway port in only from the listed namespaces, Pepr's webhook port from anywhere (NetworkPolicy)", () => {
    const [policy] = find(allOn.objects, "NetworkPolicy");
    expect(policy.metadata).toMatchObject({ name: "rr-gateway", namespace: "pepr-system" });
    expect(policy.spec.podSelector.matchLabels).toEqual(admissionDeployment(allOn).spec.selector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(["Ingress"]);
    expect(policy.spec.ingress[0]).toEqual({
      from: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["monitoring", "alerting"] }] } }],
      ports: [{ protocol: "TCP", port: 8080 }],
    });
    expect(policy.spec.ingress[1]).toEqual({ ports: [{ protocol: "TCP", port: 3000 }] });
    expect(policy.spec.ingress[2]).toEqual(ALL_ON.networkPolicy.additionalIngress[0]);
  });

  it("renders deploy/monitoring/ as it is, with the values' labels: ServiceMonitor, PrometheusRule, and the dashboard as a grafana_dashboard ConfigMap", () => {
    const monitoring = readMonitoring(path.join(REPO_DIR, "deploy/monitoring"), build.uuid);
    const originals = monitoring.flatMap(m => m.objects ?? []);
    for (const original of originals) {
      const [rendered] = find(allOn.objects, original.kind, o => o.metadata.name === original.metadata.name && o.metadata.labels?.release === "kube-prometheus-stack");
      // Prometheus' own {{ $labels... }} templates come through untouched.
      expect(rendered.spec).toEqual(original.spec);
      expect(rendered.metadata.labels).toEqual({ ...original.metadata.labels, release: "kube-prometheus-stack" });
    }
    const dashboards = monitoring.flatMap(m => (m.dashboard === undefined ? [] : [JSON.parse(m.dashboard)]));
    const configMaps = find(allOn.objects, "ConfigMap", c => c.metadata.labels?.grafana_dashboard === "1");
    expect(configMaps).toHaveLength(dashboards.length);
    for (const cm of configMaps) {
      expect(cm.metadata).toMatchObject({ namespace: "monitoring", annotations: { grafana_folder: "Kubernaut" } });
      const [json] = Object.values(cm.data as Record<string, string>);
      expect(dashboards).toContainEqual(JSON.parse(json));
    }
  });

  it("has every value it adds in docs/deploy.md's table, with the setting each one sets", () => {
    const doc = readFileSync(path.join(REPO_DIR, "docs/deploy.md"), "utf8");
    const table = doc.slice(doc.indexOf("### Helm chart values"), doc.indexOf("### With `npx pepr deploy`"));
    const rows = table.split("\n").filter(l => l.startsWith("| `"));
    for (const s of CHART_SETTINGS) {
      const leaf = s.path.split(".").at(-1)!;
      expect({ setting: s.env, row: rows.some(r => (r.includes(`\`${s.path}\``) || r.includes(`.${leaf}\``)) && r.includes(s.env.replace(/^GATEWAY_AUTH_(GROUP|RESOURCE|RESOURCE_NAME|NAMESPACE)$/, "_$1"))) }).toEqual({ setting: s.env, row: true });
    }
    const values = yaml.load(readFileSync(path.join(chart, "values.yaml"), "utf8")) as Obj;
    for (const key of [...Object.keys(values.networkPolicy).map(k => `networkPolicy.${k}`), ...Object.keys(values.monitoring).map(k => `monitoring.${k}.enabled`), "gateway.auth.staticTokens.secretName", "gateway.auth.staticTokens.key"]) {
      expect({ key, row: rows.some(r => r.startsWith(`| \`${key}\``)) }).toEqual({ key, row: true });
    }
  });

  it("refuses values its schema or the gateway would refuse, naming them", () => {
    const refused = (values: Obj): string => {
      try {
        helm(["template", "rr-gateway", chart, "-f", valuesFile("refused", values)]);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`helm accepted ${JSON.stringify(values)}`);
    };
    expect(refused({ gateway: { scope: "everything" } })).toMatch(/gateway\.scope|scope/);
    expect(refused({ gateway: { auth: { preset: "admin" } } })).toMatch(/preset/);
    expect(refused({ gateway: { auth: { audiencez: ["x"] } } })).toMatch(/audiencez/);
    expect(refused({ eventSource: { maxSignalsPerSecond: "lots" } })).toMatch(/maxSignalsPerSecond/);
    expect(refused({ networkPolicy: { enabled: true, allowedNamespaces: [] } })).toMatch(/allowedNamespaces/);
    expect(refused({ monitoring: { serviceMonitr: { enabled: true } } })).toMatch(/serviceMonitr/);
    expect(refused({ gateway: { auth: { mode: "static" } } })).toMatch(/gateway\.auth\.staticTokens\.secretName/);
    expect(refused({ gateway: { auth: { mode: "none", scope: "namespace" } } })).toMatch(/gateway\.auth\.mode=kubernetes/);
  });
});

describe("the API server", () => {
  beforeAll(() => {
    // Namespaces for real (a dry-run cannot create objects in a namespace that does not exist), and the stand-in monitoring CRDs.
    const namespaces = [...find(defaults.objects, "Namespace"), { apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring" } }];
    kubectl("admin", ["apply", "--server-side", "-f", "-"], yaml.dump({ apiVersion: "v1", kind: "List", items: namespaces }));
    kubectl("admin", ["apply", "--server-side", "-f", path.join(REPO_DIR, "test/fixtures/monitoring-coreos-crds.yaml")]);
    waitEstablished(["servicemonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"]);
  }, 120_000);

  it.each([
    ["the defaults", () => defaults],
    ["every optional value switched on", () => allOn],
  ])("accepts the chart rendered with %s (kubectl apply --dry-run=server)", (_, rendered) => {
    const r = rendered();
    const out = kubectl("admin", ["apply", "--dry-run=server", "-f", "-"], r.text);
    const lines = out.trim().split("\n");
    expect(lines).toHaveLength(r.objects.length);
    for (const line of lines) expect(line).toMatch(/\(server dry run\)$/);
  }, 120_000);
});
