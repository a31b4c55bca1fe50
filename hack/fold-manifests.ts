/**
 * Folds what `pepr build` cannot generate into its output, so one build
 * yields a complete install:
 *
 *   node --import tsx hack/fold-manifests.ts [dist-dir]     (npm run build:manifests)
 *   node --import tsx hack/fold-manifests.ts --extras [patch]   (hack/deploy-extras.sh)
 *
 * - dist/pepr-module-<uuid>.yaml (what `kubectl apply` and zarf.yaml use):
 *   the RemediationRequest CRD (crds/), the extra objects in deploy/module/
 *   (namespace, the gateway's Service and PodDisruptionBudget, the
 *   signal-sender ClusterRole), the gateway's TLS Secret (a certificate made
 *   for this build, hack/gateway-certificate.ts), and the admission
 *   Deployment changed as deploy/module/admission-gateway.yaml says (gateway
 *   port, HTTPS with the mounted certificate, readiness on /readyz, replicas,
 *   graceful stop, resources);
 * - dist/<uuid>-chart: the same, as chart templates, values and crds/, plus
 *   what only the chart offers, all off or as the manifest has it by default
 *   (docs/deploy.md, "Helm chart values"): gateway settings as structured
 *   values (hack/chart-settings.ts), one's own TLS Secret, a static-tokens
 *   Secret, a NetworkPolicy (deploy/chart/), and the monitoring objects of
 *   deploy/monitoring/ (hack/chart-monitoring.ts).
 *
 * `pepr build` has no hook for extra manifests and regenerates both on every
 * build, so this runs after each build (hack/build.sh). Running it twice is
 * harmless: a folded file is recognised by an annotation and left alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import yaml from "js-yaml";
import { GATEWAY_TLS_SECRET, gatewayTlsSecret, generateGatewayCertificate } from "./gateway-certificate";
import { settingsSchema, settingsTemplate, settingsValues, STATIC_TOKENS_FILE } from "./chart-settings";
import { monitoringChart, monitoringSchema, monitoringValues, readMonitoring, type MonitoringInput } from "./chart-monitoring";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Kubernetes objects of any kind

export const FOLDED_ANNOTATION = "rr-gateway.kubernaut.ai/folded";

export interface AdmissionGatewayPatch {
  replicas: number;
  terminationGracePeriodSeconds: number;
  topologySpreadConstraints: Obj[];
  volumes: Obj[];
  container: { ports: Obj[]; env: Obj[]; volumeMounts: Obj[]; readinessProbe: Obj; lifecycle: Obj; resources: Obj };
}

export interface FoldInputs {
  uuid: string;
  /** package.json's version: the chart's appVersion. */
  version: string;
  /** CRDs and the other extra objects, ${UUID} already replaced. */
  crds: Obj[];
  extras: Obj[];
  patch: AdmissionGatewayPatch;
  /** package.json's pepr.env: the chart's defaults for the settings it sets from values. */
  peprEnv: Record<string, string>;
  /** deploy/chart/: values, their schema and templates only the chart has. */
  chart: { values: Obj; schema: Obj; templates: Record<string, string> };
  /** deploy/monitoring/: ServiceMonitor, PrometheusRule, dashboards. */
  monitoring: MonitoringInput[];
}

const REPO_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

export function readInputs(repoDir = REPO_DIR): FoldInputs {
  const pkg = JSON.parse(readFileSync(path.join(repoDir, "package.json"), "utf8")) as { version: string; pepr: { uuid: string; env?: Record<string, string> } };
  const uuid = pkg.pepr.uuid;
  const load = (dir: string, filter: (f: string) => boolean): Obj[] =>
    readdirSync(dir)
      .filter(f => /\.ya?ml$/.test(f) && filter(f))
      .sort()
      .flatMap(f => yaml.loadAll(readFileSync(path.join(dir, f), "utf8").replaceAll("${UUID}", uuid)) as Obj[])
      .filter(Boolean);
  const moduleDir = path.join(repoDir, "deploy/module");
  const chartDir = path.join(repoDir, "deploy/chart");
  const templatesDir = path.join(chartDir, "templates");
  return {
    uuid,
    version: pkg.version,
    crds: load(path.join(repoDir, "crds"), () => true),
    extras: load(moduleDir, f => f !== "admission-gateway.yaml"),
    patch: yaml.load(readFileSync(path.join(moduleDir, "admission-gateway.yaml"), "utf8")) as AdmissionGatewayPatch,
    peprEnv: pkg.pepr.env ?? {},
    chart: {
      values: yaml.load(readFileSync(path.join(chartDir, "values.yaml"), "utf8")) as Obj,
      schema: JSON.parse(readFileSync(path.join(chartDir, "values.schema.json"), "utf8")) as Obj,
      templates: Object.fromEntries(readdirSync(templatesDir).sort().map(f => [f, readFileSync(path.join(templatesDir, f), "utf8")])),
    },
    monitoring: readMonitoring(path.join(repoDir, "deploy/monitoring"), uuid),
  };
}

const isAdmissionDeployment = (o: Obj): boolean => o.kind === "Deployment" && o.metadata?.labels?.["pepr.dev/controller"] === "admission";
const key = (o: Obj): string => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
const isGatewayTlsSecret = (o: Obj): boolean => o.kind === "Secret" && o.metadata?.name === GATEWAY_TLS_SECRET;

/** A list with the additions, replacing the entries of the same name (env, ports, volumes). */
const mergeByName = (list: Obj[] | undefined, additions: Obj[]): Obj[] => {
  const names = new Set(additions.map(a => a.name));
  return [...(list ?? []).filter(o => !names.has(o.name)), ...additions];
};

/**
 * The pod's termination settings as the environment its processes read
 * (src/module/shutdown-budget.ts): their shutdown budget follows from the
 * grace period and the preStop sleep the Deployment really has.
 */
export function terminationEnv(patch: AdmissionGatewayPatch): Obj[] {
  return [
    { name: "TERMINATION_GRACE_PERIOD_SECONDS", value: String(patch.terminationGracePeriodSeconds) },
    { name: "PRESTOP_SLEEP_SECONDS", value: String(patch.container.lifecycle.preStop?.sleep?.seconds ?? 0) },
  ];
}

/** Applies the gateway's changes to Pepr's admission Deployment (returns a changed copy). */
export function patchAdmissionDeployment(deployment: Obj, patch: AdmissionGatewayPatch): Obj {
  const d = structuredClone(deployment);
  d.metadata.annotations = { ...d.metadata.annotations, [FOLDED_ANNOTATION]: "true" };
  d.spec.replicas = patch.replicas;
  const pod = d.spec.template.spec;
  pod.terminationGracePeriodSeconds = patch.terminationGracePeriodSeconds;
  pod.topologySpreadConstraints = patch.topologySpreadConstraints;
  pod.volumes = mergeByName(pod.volumes, patch.volumes);
  const container = (pod.containers as Obj[]).find(c => c.name === "server");
  if (!container) throw new Error(`the admission Deployment ${d.metadata.name} has no "server" container: has Pepr changed its manifests?`);
  container.ports = mergeByName(container.ports, patch.container.ports);
  container.env = mergeByName(container.env, [...patch.container.env, ...terminationEnv(patch)]);
  container.volumeMounts = mergeByName(container.volumeMounts, patch.container.volumeMounts);
  container.readinessProbe = patch.container.readinessProbe;
  container.lifecycle = patch.container.lifecycle;
  container.resources = patch.container.resources;
  return d;
}

/** The folded manifest: CRDs and namespaces first (so one `kubectl apply` works), then Pepr's objects, then ours. */
export function foldObjects(objects: Obj[], inputs: FoldInputs): Obj[] {
  const admission = objects.filter(isAdmissionDeployment);
  if (admission.length !== 1) throw new Error(`expected one admission Deployment in the build output, found ${admission.length}: does a capability still have a Validate binding?`);
  if (admission[0].metadata?.annotations?.[FOLDED_ANNOTATION]) return objects; // already folded
  const peprKeys = new Set(objects.map(key));
  const extras = inputs.extras.filter(o => !peprKeys.has(key(o)));
  const namespaces = extras.filter(o => o.kind === "Namespace");
  const others = extras.filter(o => o.kind !== "Namespace");
  return [...inputs.crds, ...namespaces, ...objects.map(o => (isAdmissionDeployment(o) ? patchAdmissionDeployment(o, inputs.patch) : o)), ...others];
}

/** What the API server allows for all annotations of one object together. */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

/**
 * Client-side `kubectl apply` keeps a copy of each object in its
 * last-applied-configuration annotation; for the module's Secret (the bundled
 * code) that copy can outgrow the annotations limit, and the install fails
 * there. Fail the build instead, naming the object.
 */
export function checkClientSideApplyFits(objects: Obj[], limit = ANNOTATIONS_LIMIT_BYTES): void {
  const tooBig = objects
    .map(o => ({ key: key(o), bytes: Buffer.byteLength(JSON.stringify(o)) }))
    .filter(o => o.bytes >= limit * 0.9);
  if (tooBig.length > 0) {
    const list = tooBig.map(o => `${o.key} (${o.bytes} bytes)`).join(", ");
    throw new Error(
      `${list}: within 10% of the ${limit}-byte annotations limit that \`kubectl apply\` needs for its last-applied copy; ` +
        "the module bundle has grown: import less (see src/k8s/kube-client.ts) or install with `kubectl apply --server-side`",
    );
  }
}

export function dumpAll(objects: Obj[]): string {
  return objects.map(o => yaml.dump(o, { noRefs: true, lineWidth: -1 })).join("---\n");
}

function replaceOnce(text: string, anchor: string | RegExp, replacement: string, file: string): string {
  const match = typeof anchor === "string" ? text.includes(anchor) : anchor.test(text);
  if (!match) throw new Error(`${file}: cannot find ${String(anchor)}: has Pepr changed its chart? Update hack/fold-manifests.ts`);
  return text.replace(anchor, replacement);
}

/**
 * Pepr's values.schema.json admits only its own values and probe shapes
 * (additionalProperties: false, integer probe ports, CPU limits required), so
 * Helm would refuse the folded values: admit the gateway's.
 */
function foldValuesSchema(file: string, inputs: FoldInputs, monitoringKeys: string[]): void {
  if (!existsSync(file)) return;
  const schema = JSON.parse(readFileSync(file, "utf8")) as Obj;
  const defs = schema.definitions;
  if (!defs?.Values?.properties || !defs.HTTPGet?.properties || !defs.NessProbe || !defs.Limits) {
    throw new Error(`${file}: not the schema layout this script knows: has Pepr changed its chart? Update hack/fold-manifests.ts`);
  }
  defs.Values.properties.gateway = {
    type: "object",
    additionalProperties: false,
    properties: {
      replicas: { type: "integer", minimum: 1 },
      port: { type: "integer", minimum: 1, maximum: 65535 },
      preStopSleepSeconds: { type: "integer", minimum: 0 },
      podDisruptionBudget: { type: "object", properties: { enabled: { type: "boolean" }, maxUnavailable: { type: ["integer", "string"] } } },
      topologySpreadConstraints: { type: "array", items: { type: "object" } },
      tls: { type: "object", additionalProperties: false, properties: { secretName: { type: "string" } }, required: ["secretName"] },
    },
    required: ["replicas", "port", "preStopSleepSeconds", "podDisruptionBudget", "tls"],
    title: "Gateway",
  };
  // The settings set from structured values (hack/chart-settings.ts) and deploy/chart/'s values.
  const settings = settingsSchema() as Obj;
  const extra = inputs.chart.schema;
  const gateway = defs.Values.properties.gateway;
  gateway.properties.auth = settings.gateway.properties.auth;
  gateway.properties.auth.properties.staticTokens = extra.gateway.auth.staticTokens;
  gateway.properties.scope = settings.gateway.properties.scope;
  defs.Values.properties.eventSource = settings.eventSource;
  defs.Values.properties.networkPolicy = extra.networkPolicy;
  defs.Values.properties.monitoring = { ...extra.monitoring, properties: monitoringSchema(monitoringKeys) };
  defs.HTTPGet.properties.port = { type: ["integer", "string"] };
  defs.NessProbe.additionalProperties = true;
  defs.Limits.required = (defs.Limits.required as string[]).filter(r => r !== "cpu");
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
}

/**
 * The chart's admission Deployment mounts the gateway's certificate from the
 * Secret gateway.tls.secretName names, else the build's rr-gateway-tls.
 */
function foldTlsVolume(deployment: string, patch: AdmissionGatewayPatch, file: string): string {
  const mounts = patch.container.volumeMounts.map(m => `            - name: ${m.name}\n              mountPath: ${m.mountPath}\n              readOnly: true\n`).join("");
  const volumes = patch.volumes.map(v => `        - name: ${v.name}\n          secret:\n            secretName: {{ .Values.gateway.tls.secretName | default "${v.secret.secretName}" }}\n`).join("");
  let text = replaceOnce(deployment, "              mountPath: /app/load\n              readOnly: true\n", `              mountPath: /app/load\n              readOnly: true\n${mounts}`, file);
  text = replaceOnce(text, /( {12}secretName: \{\{ \.Values\.uuid \}\}-module) *\n/, `$1\n${volumes}`, file);
  return text;
}

/**
 * The container's environment from "rr-gateway.env" (admission.env with the
 * structured values' settings, deploy/chart/templates/_rr-gateway-env.tpl),
 * Pepr's PEPR_WATCH_MODE first as in the plain manifest; and the
 * static-tokens Secret mounted when gateway.auth.staticTokens.secretName
 * names one.
 */
function foldEnvAndStaticTokens(deployment: string, file: string): string {
  let text = replaceOnce(
    deployment,
    '          env:\n            {{- toYaml .Values.admission.env | nindent 12 }}\n            - name: PEPR_WATCH_MODE\n              value: "false"\n',
    '          env:\n            - name: PEPR_WATCH_MODE\n              value: "false"\n            {{- include "rr-gateway.env" . | nindent 12 }}\n',
    file,
  );
  text = replaceOnce(
    text,
    "              mountPath: /etc/rr-gateway/tls\n              readOnly: true\n",
    `              mountPath: /etc/rr-gateway/tls\n              readOnly: true\n            {{- if .Values.gateway.auth.staticTokens.secretName }}\n            - name: rr-gateway-static-tokens\n              mountPath: ${path.dirname(STATIC_TOKENS_FILE)}\n              readOnly: true\n            {{- end }}\n`,
    file,
  );
  return replaceOnce(
    text,
    /( {12}secretName: \{\{ \.Values\.gateway\.tls\.secretName \| default "[^"]+" \}\}\n)/,
    `$1        {{- with .Values.gateway.auth.staticTokens }}\n        {{- if .secretName }}\n        - name: rr-gateway-static-tokens\n          secret:\n            secretName: {{ .secretName }}\n            items:\n              - key: {{ .key }}\n                path: ${path.basename(STATIC_TOKENS_FILE)}\n        {{- end }}\n        {{- end }}\n`,
    file,
  );
}

const isPlainObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** b over a, maps merged key by key (as Helm merges values), anything else replaced. */
function deepMerge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

/**
 * Pepr's Chart.yaml writes package.json's description unquoted, so one with
 * ": " in it (ours) makes the chart unloadable; appVersion is Pepr's
 * placeholder. Quote the one, set the other to the module's version.
 */
function foldChartYaml(file: string, version: string): void {
  const text = readFileSync(file, "utf8");
  const folded = text
    .replace(/^description: (?!")(.*)$/m, (_, d: string) => `description: ${JSON.stringify(d)}`)
    .replace(/^appVersion: .*$/m, `appVersion: ${JSON.stringify(version)}`);
  yaml.load(folded); // fail here, not in helm, if it still does not parse
  writeFileSync(file, folded);
}

/** Folds the same changes into the Helm chart `pepr build` wrote. */
export function foldChart(chartDir: string, inputs: FoldInputs): void {
  const templates = path.join(chartDir, "templates");
  const deploymentFile = path.join(templates, "admission-deployment.yaml");
  let deployment = readFileSync(deploymentFile, "utf8");
  if (deployment.includes(FOLDED_ANNOTATION)) return;
  foldChartYaml(path.join(chartDir, "Chart.yaml"), inputs.version);
  const monitoring = monitoringChart(inputs.monitoring);

  // Values: the gateway section, and Pepr's admission values the probe, grace period and resources come from.
  const valuesFile = path.join(chartDir, "values.yaml");
  const values = yaml.load(readFileSync(valuesFile, "utf8")) as Obj;
  const { patch } = inputs;
  values.admission.readinessProbe = patch.container.readinessProbe;
  values.admission.resources = patch.container.resources;
  values.admission.terminationGracePeriodSeconds = patch.terminationGracePeriodSeconds;
  // The certificate's paths (the volume is in the template: its Secret's name comes from gateway.tls.secretName).
  values.admission.env = mergeByName(values.admission.env, patch.container.env);
  values.gateway = {
    replicas: patch.replicas,
    // Must equal GATEWAY_PORT in admission.env.
    port: patch.container.ports.find(p => p.name === "gateway")?.containerPort,
    preStopSleepSeconds: patch.container.lifecycle.preStop.sleep.seconds,
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    topologySpreadConstraints: patch.topologySpreadConstraints,
    // An existing kubernetes.io/tls Secret in pepr-system (e.g. cert-manager's) to serve with; empty: the build's rr-gateway-tls.
    tls: { secretName: "" },
  };
  // The settings as structured values (defaults: pepr.env's, else the gateway's), deploy/chart's values, monitoring (all off).
  const folded = deepMerge(deepMerge(deepMerge(values, settingsValues(inputs.peprEnv)), inputs.chart.values), { monitoring: monitoringValues(monitoring.keys) });
  writeFileSync(valuesFile, yaml.dump(folded, { noRefs: true, lineWidth: -1 }));
  foldValuesSchema(path.join(chartDir, "values.schema.json"), inputs, monitoring.keys);

  // The admission Deployment template: replicas, gateway port, preStop, spread. Anchors fail loudly if Pepr changes.
  deployment = replaceOnce(deployment, /\n {2}annotations:\n/, `\n  annotations:\n    ${FOLDED_ANNOTATION}: "true"\n`, deploymentFile);
  deployment = replaceOnce(deployment, /\n {2}replicas: \d+\n/, "\n  replicas: {{ .Values.gateway.replicas }}\n", deploymentFile);
  deployment = replaceOnce(
    deployment,
    "            - containerPort: 3000\n",
    "            - containerPort: 3000\n            - name: gateway\n              containerPort: {{ .Values.gateway.port }}\n              protocol: TCP\n",
    deploymentFile,
  );
  deployment = replaceOnce(
    deployment,
    "          resources:\n",
    "          lifecycle:\n            preStop:\n              sleep:\n                seconds: {{ .Values.gateway.preStopSleepSeconds }}\n          resources:\n",
    deploymentFile,
  );
  // The termination settings as env, from the values the pod spec uses (so the shutdown budget follows them).
  deployment = replaceOnce(
    deployment,
    '            - name: PEPR_WATCH_MODE\n              value: "false"\n',
    '            - name: PEPR_WATCH_MODE\n              value: "false"\n' +
      '            - name: TERMINATION_GRACE_PERIOD_SECONDS\n              value: "{{ .Values.admission.terminationGracePeriodSeconds }}"\n' +
      '            - name: PRESTOP_SLEEP_SECONDS\n              value: "{{ .Values.gateway.preStopSleepSeconds }}"\n',
    deploymentFile,
  );
  deployment = replaceOnce(
    deployment,
    "      serviceAccountName: {{ .Values.uuid }}\n",
    "      serviceAccountName: {{ .Values.uuid }}\n      {{- with .Values.gateway.topologySpreadConstraints }}\n      topologySpreadConstraints:\n        {{- toYaml . | nindent 8 }}\n      {{- end }}\n",
    deploymentFile,
  );
  deployment = foldTlsVolume(deployment, inputs.patch, deploymentFile);
  deployment = foldEnvAndStaticTokens(deployment, deploymentFile);
  writeFileSync(deploymentFile, deployment);
  // A ClusterRole has no namespace (the plain manifest's has none; the API server would drop it).
  const clusterRoleFile = path.join(templates, "cluster-role.yaml");
  writeFileSync(clusterRoleFile, replaceOnce(readFileSync(clusterRoleFile, "utf8"), /(\n {2}name: \{\{ \.Values\.uuid \}\}\n) {2}namespace: pepr-system\n/, "$1", clusterRoleFile));

  // deploy/chart/templates (the environment helper, the NetworkPolicy), the settings' template, the monitoring objects.
  for (const [name, text] of Object.entries(inputs.chart.templates)) writeFileSync(path.join(templates, name), text);
  writeFileSync(path.join(templates, "_rr-gateway-settings.tpl"), settingsTemplate());
  for (const [file, text] of Object.entries(monitoring.files)) {
    mkdirSync(path.dirname(path.join(chartDir, file)), { recursive: true });
    writeFileSync(path.join(chartDir, file), text);
  }

  // Extra objects as templates (the uuid from the values), the CRD in crds/ (Helm installs it first).
  const asTemplate = (o: Obj): string => yaml.dump(o, { noRefs: true, lineWidth: -1 }).replaceAll(`pepr-${inputs.uuid}`, "{{ .Values.uuid }}");
  for (const o of inputs.extras) {
    const name = `rr-${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
    let text = asTemplate(o);
    if (o.kind === "PodDisruptionBudget") {
      text = `{{- if .Values.gateway.podDisruptionBudget.enabled }}\n${text.replace(/maxUnavailable: \d+/, "maxUnavailable: {{ .Values.gateway.podDisruptionBudget.maxUnavailable }}")}{{- end }}\n`;
    }
    if (isGatewayTlsSecret(o)) text = `{{- if not .Values.gateway.tls.secretName }}\n${text}{{- end }}\n`;
    writeFileSync(path.join(templates, name), text);
  }
  const crdDir = path.join(chartDir, "crds");
  mkdirSync(crdDir, { recursive: true });
  for (const crd of inputs.crds) writeFileSync(path.join(crdDir, `${crd.metadata.name}.yaml`), yaml.dump(crd, { noRefs: true, lineWidth: -1 }));
}

export function foldDist(distDir: string, inputs: FoldInputs = readInputs()): { manifest: string; chart: string } {
  const manifest = path.join(distDir, `pepr-module-${inputs.uuid}.yaml`);
  const chart = path.join(distDir, `${inputs.uuid}-chart`);
  if (!existsSync(manifest)) throw new Error(`${manifest} not found: run \`npx pepr build\` first (npm run build does both)`);
  const objects = (yaml.loadAll(readFileSync(manifest, "utf8")) as Obj[]).filter(Boolean);
  checkClientSideApplyFits(objects);
  if (objects.some(o => isAdmissionDeployment(o) && o.metadata?.annotations?.[FOLDED_ANNOTATION])) return { manifest, chart }; // already folded
  // A certificate of this build's own, as Pepr makes its webhook's: the same in the manifest and the chart.
  const withTls = { ...inputs, extras: [...inputs.extras, gatewayTlsSecret(generateGatewayCertificate())] };
  writeFileSync(manifest, dumpAll(foldObjects(objects, withTls)));
  if (existsSync(chart)) foldChart(chart, withTls);
  return { manifest, chart };
}

/**
 * For clusters installed with `npx pepr deploy`, which applies only what Pepr
 * generates: the extra objects to apply, and a strategic merge patch that
 * gives Pepr's admission Deployment the gateway's port, probe and the rest.
 * The TLS Secret is not among the objects: hack/deploy-extras.sh creates it
 * (`--extras tls-secret`) only where none exists, so a rerun neither rotates
 * the certificate nor replaces one's own.
 */
export function extrasForPeprDeploy(inputs: FoldInputs): { objects: Obj[]; deployment: string; patch: Obj } {
  const { patch } = inputs;
  return {
    objects: [...inputs.crds, ...inputs.extras],
    deployment: `pepr-${inputs.uuid}`,
    patch: {
      metadata: { annotations: { [FOLDED_ANNOTATION]: "true" } },
      spec: {
        replicas: patch.replicas,
        template: {
          spec: {
            terminationGracePeriodSeconds: patch.terminationGracePeriodSeconds,
            topologySpreadConstraints: patch.topologySpreadConstraints,
            volumes: patch.volumes,
            containers: [
              {
                name: "server",
                ports: patch.container.ports,
                env: [...patch.container.env, ...terminationEnv(patch)],
                volumeMounts: patch.container.volumeMounts,
                readinessProbe: { $patch: "replace", ...patch.container.readinessProbe },
                lifecycle: patch.container.lifecycle,
                resources: { $patch: "replace", ...patch.container.resources },
              },
            ],
          },
        },
      },
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === "--extras") {
  // hack/deploy-extras.sh: the objects as YAML on stdout, or (--extras patch) the Deployment's name and patch,
  // or (--extras tls-secret) a new TLS Secret.
  if (process.argv[3] === "tls-secret") {
    process.stdout.write(dumpAll([gatewayTlsSecret(generateGatewayCertificate())]));
  } else {
    const extras = extrasForPeprDeploy(readInputs());
    process.stdout.write(process.argv[3] === "patch" ? `${extras.deployment}\n${JSON.stringify(extras.patch)}\n` : dumpAll(extras.objects));
  }
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const distDir = path.resolve(process.argv[2] ?? path.join(REPO_DIR, "dist"));
  try {
    const { manifest, chart } = foldDist(distDir);
    process.stdout.write(`folded the CRD, the gateway's Service, PodDisruptionBudget, RBAC and TLS Secret, and the gateway's port, certificate and probes into\n  ${manifest}\n  ${chart}\n`);
  } catch (err) {
    process.stderr.write(`fold-manifests: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
