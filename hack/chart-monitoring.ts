/**
 * The chart's monitoring objects, made from every file in deploy/monitoring/
 * by hack/fold-manifests.ts: each Kubernetes object in a YAML file becomes a
 * template switched on by `monitoring.<kind>.enabled` (ServiceMonitor →
 * serviceMonitor, PrometheusRule → prometheusRule), and each JSON file a
 * Grafana dashboard ConfigMap labelled `grafana_dashboard: "1"` (the label
 * Grafana's dashboard sidecar looks for) switched on by
 * `monitoring.dashboard.enabled`. A Prometheus rule file in promtool's format
 * (top-level `groups`) becomes a PrometheusRule. All are off by default.
 *
 * The files go into the chart as they are (under monitoring/) and the
 * templates read them with .Files.Get: alert annotations such as
 * `{{ $labels.namespace }}` are Prometheus templates, not Helm's, and must
 * reach the cluster untouched.
 */
import { type Dirent, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Kubernetes objects of any kind

export interface MonitoringInput {
  /** File name in deploy/monitoring/. */
  file: string;
  /** The objects of a YAML file; undefined for a dashboard (JSON). */
  objects?: Obj[];
  /** A dashboard's JSON text. */
  dashboard?: string;
}

export const DASHBOARD_KEY = "dashboard";
export const DASHBOARD_NAMESPACE = "pepr-system";

/** The values key of a kind: its name with a lower-case first letter. */
export const monitoringKey = (kind: string): string => kind.charAt(0).toLowerCase() + kind.slice(1);

/** A Prometheus rule file (promtool's format: top-level `groups`) as a PrometheusRule in pepr-system. */
function ruleFileAsPrometheusRule(doc: Obj, file: string): Obj {
  const stem = path.basename(file).replace(/\.ya?ml$/, "");
  const rule = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: stem.startsWith("rr-gateway") ? stem : `rr-gateway-${stem}`, namespace: "pepr-system", labels: { "app.kubernetes.io/name": "rr-gateway" } },
    spec: { groups: doc.groups },
  };
  converted.add(rule);
  return rule;
}

/** The PrometheusRules made from rule files. */
const converted = new WeakSet<Obj>();

/**
 * Every file under deploy/monitoring/ (subfolders too): Kubernetes objects
 * from YAML, dashboards from JSON. A promtool rule file (top-level `groups`)
 * becomes a PrometheusRule, unless the folder has a PrometheusRule of its
 * own (then the rule file is taken for its source, kept for promtool, and
 * left out so no alert is defined twice). YAML documents that are neither
 * (promtool's rule tests, say) and other files are not part of the chart.
 */
export function readMonitoring(dir: string, uuid: string): MonitoringInput[] {
  const inputs = readFolder(dir, uuid, "");
  const hasOwnRule = inputs.some(i => i.objects?.some(o => o.kind === "PrometheusRule" && !converted.has(o)));
  if (!hasOwnRule) return inputs;
  return inputs.map(i => ({ ...i, objects: i.objects?.filter(o => !converted.has(o)) })).filter(i => i.dashboard !== undefined || (i.objects?.length ?? 0) > 0);
}

function readFolder(dir: string, uuid: string, relative: string): MonitoringInput[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(path.join(dir, relative), { withFileTypes: true });
  } catch {
    return []; // no deploy/monitoring/: nothing to add
  }
  return entries
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry): MonitoringInput[] => {
      const file = path.join(relative, entry.name);
      if (entry.isDirectory()) return readFolder(dir, uuid, file);
      if (!entry.isFile()) return [];
      const text = () => readFileSync(path.join(dir, file), "utf8").replaceAll("${UUID}", uuid);
      if (file.endsWith(".json")) {
        const dashboard = text();
        JSON.parse(dashboard); // a broken dashboard fails the build, not Grafana
        return [{ file, dashboard }];
      }
      if (!/\.ya?ml$/.test(file)) return [];
      const objects = (yaml.loadAll(text()) as Obj[])
        .filter(doc => doc && typeof doc === "object")
        .flatMap(doc => (doc.kind && doc.apiVersion ? [doc] : Array.isArray(doc.groups) ? [ruleFileAsPrometheusRule(doc, file)] : []));
      for (const o of objects) {
        if (!o.metadata?.name) throw new Error(`deploy/monitoring/${file}: a ${o.kind} without metadata.name`);
      }
      return objects.length > 0 ? [{ file, objects }] : [];
    });
}

export interface MonitoringChart {
  /** Chart-relative path → content: the data files and the templates. */
  files: Record<string, string>;
  /** The values keys, in order (serviceMonitor, prometheusRule, ..., dashboard). */
  keys: string[];
}

/** Labels and annotations from the values, over the object's own; namespace from the values when set. */
function objectTemplate(key: string, dataFile: string): string {
  const v = `.Values.monitoring.${key}`;
  return [
    `{{- if ${v}.enabled }}`,
    `{{- $object := .Files.Get "${dataFile}" | fromJson }}`,
    `{{- $_ := set $object.metadata "labels" (merge (dict) (${v}.labels | default dict) ($object.metadata.labels | default dict)) }}`,
    `{{- with (merge (dict) (${v}.annotations | default dict) ($object.metadata.annotations | default dict)) }}`,
    `{{- $_ := set $object.metadata "annotations" . }}`,
    "{{- end }}",
    `{{- with ${v}.namespace }}`,
    `{{- $_ := set $object.metadata "namespace" . }}`,
    "{{- end }}",
    "{{ toYaml $object }}",
    "{{- end }}",
    "",
  ].join("\n");
}

function dashboardTemplate(name: string, dataFile: string): string {
  const v = `.Values.monitoring.${DASHBOARD_KEY}`;
  return [
    `{{- if ${v}.enabled }}`,
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    `  name: ${name}`,
    `  namespace: {{ ${v}.namespace | default "${DASHBOARD_NAMESPACE}" }}`,
    "  labels:",
    '    grafana_dashboard: "1"',
    "    app.kubernetes.io/name: rr-gateway",
    `    {{- with ${v}.labels }}`,
    "    {{- toYaml . | nindent 4 }}",
    "    {{- end }}",
    `  {{- with ${v}.annotations }}`,
    "  annotations:",
    "    {{- toYaml . | nindent 4 }}",
    "  {{- end }}",
    "data:",
    `  ${name}.json: |-`,
    `    {{- .Files.Get "${dataFile}" | nindent 4 }}`,
    "{{- end }}",
    "",
  ].join("\n");
}

export function monitoringChart(inputs: MonitoringInput[]): MonitoringChart {
  const files: Record<string, string> = {};
  const keys = new Set<string>();
  for (const input of inputs) {
    if (input.dashboard !== undefined) {
      const stem = path.basename(input.file).replace(/\.json$/, "");
      const name = stem.startsWith("rr-gateway") ? stem : `rr-gateway-${stem}`;
      const dataFile = `monitoring/dashboard-${stem}.json`;
      files[dataFile] = input.dashboard;
      files[`templates/rr-monitoring-dashboard-${stem}.yaml`] = dashboardTemplate(name, dataFile);
      keys.add(DASHBOARD_KEY);
      continue;
    }
    for (const o of input.objects ?? []) {
      const key = monitoringKey(o.kind);
      const base = `${o.kind.toLowerCase()}-${o.metadata.name}`;
      const dataFile = `monitoring/${base}.json`;
      files[dataFile] = `${JSON.stringify(o, null, 2)}\n`;
      files[`templates/rr-monitoring-${base}.yaml`] = objectTemplate(key, dataFile);
      keys.add(key);
    }
  }
  const ordered = [...keys].filter(k => k !== DASHBOARD_KEY).sort();
  if (keys.has(DASHBOARD_KEY)) ordered.push(DASHBOARD_KEY);
  return { files, keys: ordered };
}

/** Default values: every object off. */
export function monitoringValues(keys: string[]): Obj {
  return Object.fromEntries(keys.map(k => [k, { enabled: false, labels: {}, annotations: {}, namespace: "" }]));
}

const STRING_MAP = { type: "object", additionalProperties: { type: "string" } };

export function monitoringSchema(keys: string[]): Obj {
  return Object.fromEntries(
    keys.map(k => [
      k,
      {
        type: "object",
        additionalProperties: false,
        properties: {
          enabled: { type: "boolean" },
          labels: { ...STRING_MAP, description: "added to the object's labels (e.g. the release label your Prometheus or Grafana selects)" },
          annotations: STRING_MAP,
          namespace: { type: "string", description: k === DASHBOARD_KEY ? `the ConfigMap's namespace; empty: ${DASHBOARD_NAMESPACE}` : "the object's namespace; empty: as deploy/monitoring/ has it" },
        },
        required: ["enabled"],
      },
    ]),
  );
}
