import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:tls";
import path from "node:path";
import Ajv from "ajv";
import yaml from "js-yaml";
import { Agent, request } from "undici";
import { fingerprintLabelValue } from "../../src/dedup/fingerprint";
import { LABELS } from "../../src/model/remediation-request";
import { alert, PROMETHEUS_PATH, post, webhook } from "../helpers/signals";
import { kubeconfigPath, kubectl, kubectlBinary, REPO_DIR, tokenOf, waitEstablished } from "./helpers/controlplane";
import { checkClientSideApplyFits } from "../../hack/fold-manifests";
import { drainPlan } from "../../src/gateway/drain-plan";
import { shutdownBudgetFromEnv } from "../../src/module/shutdown-budget";
import { randomFingerprint, TestEnvironment } from "./helpers/environment";
import { freePort } from "./helpers/gateway-process";
import { controllerOf, find, kubectlWith, ModuleBuild, moduleBuild, ModuleProcess, Obj, serviceAccountCan, serviceAccountKubeconfig, startModuleProcess, unpackModule } from "./helpers/module-build";
import { signalSenderAccount } from "./helpers/rbac";
import { waitFor } from "./helpers/wait";
import pino from "pino";
import { KUBERNETES_FEATURES, MIN_KUBERNETES_VERSION, parseKubernetesVersion, servedVersion, type VersionInfo } from "../../src/model/kubernetes-version";
import { startTestGateway } from "./helpers/gateway";
import { PrivateControlPlane } from "./helpers/private-controlplane";

/**
 * What `npm run build` (pepr build + hack/fold-manifests.ts) emits, checked
 * against the real local API server: every object passes server-side
 * dry-run; the module's service account may do what the gateway and the
 * orchestrator need and nothing else; and the bundled module, started with
 * the environment the Deployments give their pods, serves the gateway,
 * answers admission reviews and runs the orchestrator.
 *
 * Only RBAC objects and namespaces are applied for real on the shared control
 * plane: the build's webhook (failurePolicy Fail, every namespace) and
 * Deployments are dry-run only.
 */

const env = new TestEnvironment();
let build: ModuleBuild;
const admin = kubeconfigPath("admin");

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
const rbacFile = yaml.loadAll(readFileSync(path.join(REPO_DIR, "deploy/rbac.yaml"), "utf8")) as Obj[];
const clusterRoleRules = (name: string): Rule[] => rbacFile.find(o => o.kind === "ClusterRole" && o.metadata.name === name)!.rules;

/** "group/resource[/subresource]" → verbs, from a list of rules. */
function grants(rules: Rule[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const r of rules) for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) map.set(`${g}/${res}`, (map.get(`${g}/${res}`) ?? new Set()).add(v));
  return map;
}
/** Splits a grants() key into SubjectAccessReview attributes. */
function attributes(key: string): { group: string; resource: string; subresource?: string } {
  const slash = key.indexOf("/");
  const [resource, subresource] = key.slice(slash + 1).split("/");
  return { group: key.slice(0, slash), resource, subresource };
}
const sorted = (m: Map<string, Set<string>>): Record<string, string[]> => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));

/** Pepr's own needs in scoped mode: its store, and the store's CRD (its controller applies it at start). */
const PEPR_RULES: Rule[] = [
  { apiGroups: ["pepr.dev"], resources: ["peprstores"], verbs: ["create", "get", "patch", "watch"] },
  { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["patch", "create"] },
];
const NEEDED = [...clusterRoleRules("rr-gateway"), ...clusterRoleRules("rr-orchestrator")];

beforeAll(() => {
  build = moduleBuild();
  // The install's namespaces, for real (dry-run cannot create objects in a namespace that does not exist).
  kubectl("admin", ["apply", "--server-side", "-f", "-"], yaml.dump({ apiVersion: "v1", kind: "List", items: find(build.objects, "Namespace") }));
  // The build's RBAC objects, for real: cluster-scoped or in pepr-system, they change nothing else.
  const rbac = build.objects.filter(o => ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"].includes(o.kind));
  kubectl("admin", ["apply", "--server-side", "--force-conflicts", "-f", "-"], yaml.dump({ apiVersion: "v1", kind: "List", items: rbac }));
}, 600_000);

afterAll(() => env.close());

describe("the build output", () => {
  it("holds a complete install: CRD, namespaces, scoped RBAC, module, gateway Deployment, Service, PodDisruptionBudget, webhook", () => {
    const kinds = build.objects.map(o => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "CustomResourceDefinition/remediationrequests.kubernaut.ai",
        "Namespace/kubernaut-system",
        "Namespace/pepr-system",
        `ClusterRole/${build.name}`,
        `ClusterRoleBinding/${build.name}`,
        `ServiceAccount/${build.name}`,
        `Secret/${build.name}-module`,
        `Deployment/${build.name}`,
        "Service/rr-gateway",
        "Secret/rr-gateway-tls",
        "PodDisruptionBudget/rr-gateway",
        "ClusterRole/rr-signal-sender",
        `ValidatingWebhookConfiguration/${build.name}`,
      ]),
    );
    // The CRD and namespaces come first, so one `kubectl apply` works.
    expect(build.objects[0].kind).toBe("CustomResourceDefinition");
  });

  it("keeps every object, the module's bundled code included, well below what client-side `kubectl apply` can store in its annotation; the build refuses one that is not", () => {
    expect(() => checkClientSideApplyFits(build.objects)).not.toThrow();
    const [secret] = find(build.objects, "Secret", s => s.metadata.name === `${build.name}-module`);
    expect(() => checkClientSideApplyFits([secret], 1_000)).toThrow(`Secret/pepr-system/${build.name}-module`);
  });

  it("serves the gateway from the replicated admission Deployment: port, HTTPS, readiness on /readyz, graceful stop, and a Service and PDB that select it", () => {
    const [deployment] = find(build.objects, "Deployment", d => controllerOf(d) === "admission");
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(3);
    expect(container.ports).toEqual(expect.arrayContaining([{ name: "gateway", containerPort: 8080, protocol: "TCP" }]));
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "gateway", scheme: "HTTPS" });
    expect(container.livenessProbe.httpGet.path).toBe("/healthz"); // Pepr's own, on 3000
    expect(container.lifecycle.preStop.sleep.seconds).toBeGreaterThan(0);
    expect(container.resources.requests).toBeDefined();
    const envOf = Object.fromEntries((container.env as { name: string; value: string }[]).map(e => [e.name, e.value]));
    expect(envOf).toMatchObject({ PEPR_WATCH_MODE: "false", GATEWAY_PORT: "8080", GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_AUDIENCES: "rr-gateway", GATEWAY_AUTH_SCOPE: "gateway", GATEWAY_SCOPE: "managed-label" });
    // The certificate: the Secret rr-gateway-tls, mounted where GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE point.
    const volume = (pod.volumes as Obj[]).find(v => v.secret?.secretName === "rr-gateway-tls")!;
    const mount = (container.volumeMounts as Obj[]).find(m => m.name === volume.name)!;
    expect(envOf).toMatchObject({ GATEWAY_TLS_CERT_FILE: `${mount.mountPath}/tls.crt`, GATEWAY_TLS_KEY_FILE: `${mount.mountPath}/tls.key` });
    // The processes read the pod's termination settings (their shutdown budget follows from them), and the
    // budget holds the gateway's whole configured drain plus its final writes (docs/operations.md, "Graceful shutdown").
    expect(envOf).toMatchObject({ TERMINATION_GRACE_PERIOD_SECONDS: String(pod.terminationGracePeriodSeconds), PRESTOP_SLEEP_SECONDS: String(container.lifecycle.preStop.sleep.seconds) });
    const { budgetMs } = shutdownBudgetFromEnv(envOf);
    expect(drainPlan({ delayMs: Number(envOf.GATEWAY_SHUTDOWN_DELAY_SECONDS ?? 0) * 1000, graceMs: Number(envOf.GATEWAY_SHUTDOWN_GRACE_SECONDS ?? 20) * 1000 }, budgetMs).shortened).toBe(false);

    const podLabels = deployment.spec.template.metadata.labels;
    const [service] = find(build.objects, "Service", s => s.metadata.name === "rr-gateway");
    const [pdb] = find(build.objects, "PodDisruptionBudget");
    for (const selector of [service.spec.selector, pdb.spec.selector.matchLabels]) expect(podLabels).toMatchObject(selector);
    expect(service.spec.ports[0]).toMatchObject({ name: "https", port: 8080, targetPort: "gateway" });
    expect(pdb.spec.maxUnavailable).toBeLessThan(deployment.spec.replicas);
  });

  it("makes the gateway a certificate of its own for the Service's DNS names, signed by a CA the Secret carries for Alertmanager (ca.crt)", () => {
    const [secret] = find(build.objects, "Secret", s => s.metadata.name === "rr-gateway-tls");
    expect(secret).toMatchObject({ type: "kubernetes.io/tls", metadata: { namespace: "pepr-system" } });
    const pem = (k: string): Buffer => Buffer.from(secret.data[k], "base64");
    const leaf = new X509Certificate(pem("tls.crt"));
    const ca = new X509Certificate(pem("ca.crt"));
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(ca.ca).toBe(true);
    for (const name of ["rr-gateway.pepr-system.svc", "rr-gateway.pepr-system.svc.cluster.local", "rr-gateway"]) expect(leaf.checkHost(name)).toBe(name);
    expect(leaf.checkPrivateKey(createPrivateKey(pem("tls.key")))).toBe(true);
    expect(new Date(leaf.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  });

  it("validates RemediationRequests on create, update and delete only (status writes, the hot path, never reach the webhook)", () => {
    const [hook] = find(build.objects, "ValidatingWebhookConfiguration");
    const rules = hook.webhooks.flatMap((w: Obj) => w.rules);
    expect(rules).toEqual([
      { apiGroups: ["kubernaut.ai"], apiVersions: ["v1alpha1"], operations: ["CREATE", "UPDATE"], resources: ["remediationrequests"] },
      { apiGroups: ["kubernaut.ai"], apiVersions: ["v1alpha1"], operations: ["DELETE"], resources: ["remediationrequests"] },
    ]);
    expect(hook.webhooks[0].clientConfig.service).toMatchObject({ name: build.name, namespace: "pepr-system" });
  });

  it("folds the same into the Helm chart: its values satisfy its values.schema.json (what helm checks first), and the templates use only values that exist", () => {
    const chart = path.join(build.dir, `${build.uuid}-chart`);
    const values = yaml.load(readFileSync(path.join(chart, "values.yaml"), "utf8")) as Obj;
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addMetaSchema(JSON.parse(readFileSync(path.join(REPO_DIR, "node_modules/ajv/dist/refs/json-schema-draft-06.json"), "utf8")));
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(chart, "values.schema.json"), "utf8")));
    expect(validate(values) ? [] : validate.errors).toEqual([]);
    expect(values.gateway).toMatchObject({ replicas: 3, port: 8080, tls: { secretName: "" } });
    expect(values.admission.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "gateway", scheme: "HTTPS" });

    const templates = readdirSync(path.join(chart, "templates")).map(f => readFileSync(path.join(chart, "templates", f), "utf8"));
    const used = [...new Set(templates.flatMap(t => [...t.matchAll(/\.Values\.gateway\.([\w.]+)/g)].map(m => m[1])))];
    const missing = used.filter(p => p.split(".").reduce((at: Obj | undefined, k) => at?.[k], values.gateway) === undefined);
    expect(missing).toEqual([]);
    expect(readdirSync(path.join(chart, "crds"))).toEqual(["remediationrequests.kubernaut.ai.yaml"]);
    expect(templates.some(t => t.includes("kind: PodDisruptionBudget"))).toBe(true);
    expect(templates.some(t => /name: rr-gateway\n/.test(t) && t.includes("kind: Service"))).toBe(true);
    // gateway.tls.secretName names one's own Secret: then the generated one is left out and the pods mount that one.
    expect(templates.find(t => t.includes("name: rr-gateway-tls\n") && t.includes("kind: Secret"))).toMatch(/^\{\{- if not \.Values\.gateway\.tls\.secretName \}\}\n[\s\S]*\{\{- end \}\}\n$/);
    expect(templates.find(t => t.includes("kind: Deployment") && t.includes("pepr.dev/controller: admission"))).toContain('secretName: {{ .Values.gateway.tls.secretName | default "rr-gateway-tls" }}');
  });

  it("grants the module's ClusterRole exactly package.json's pepr.rbac plus Pepr's store, and pepr.rbac is what the gateway and orchestrator roles hold", () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_DIR, "package.json"), "utf8")) as { pepr: { rbac: Rule[]; rbacMode: string } };
    expect(pkg.pepr.rbacMode).toBe("scoped");
    expect(sorted(grants(pkg.pepr.rbac))).toEqual(sorted(grants(NEEDED)));
    const [role] = find(build.objects, "ClusterRole", r => r.metadata.name === build.name);
    expect(sorted(grants(role.rules))).toEqual(sorted(grants([...NEEDED, ...PEPR_RULES])));
    for (const rule of role.rules as Rule[]) expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain("*");
  });
});

describe("the API server", () => {
  it("accepts everything the build emits (kubectl apply --dry-run=server, client-side and server-side apply)", () => {
    removeInstalledWorkloads(); // left by an interrupted earlier run
    for (const mode of [[], ["--server-side"]]) {
      const out = kubectl("admin", ["apply", ...mode, "--dry-run=server", "-f", build.manifestPath]);
      const lines = out.trim().split("\n");
      expect(lines).toHaveLength(build.objects.length);
      for (const line of lines) expect(line).toMatch(/\(server dry run\)$/);
    }
  }, 60_000);
});

describe("npm run deploy:extras, after `npx pepr deploy`", () => {
  it("gives the Deployment Pepr applies what the folded build has: the gateway's port, certificate, readiness probe, replicas, graceful stop", () => {
    // What `pepr deploy` applies (the unfolded build), under Pepr's field manager; no pod runs here.
    const unfolded = (yaml.loadAll(readFileSync(path.join(build.dir, ".pepr-module-unfolded.yaml"), "utf8")) as Obj[]).filter(Boolean);
    const [peprDeployment] = find(unfolded, "Deployment", d => controllerOf(d) === "admission");
    kubectl("admin", ["apply", "--server-side", "--force-conflicts", "--field-manager=pepr", "-f", "-"], yaml.dump(peprDeployment));
    try {
      execFileSync("bash", [path.join(REPO_DIR, "hack/deploy-extras.sh"), "--kubeconfig", admin], { env: { ...process.env, KUBECTL: kubectlBinary() }, stdio: "pipe" });
      checkDeployExtras();
    } finally {
      removeInstalledWorkloads();
    }
  }, 120_000);

  function checkDeployExtras(): void {

    const live = JSON.parse(kubectl("admin", ["get", "deployment", "-n", "pepr-system", build.name, "-o", "json"])) as Obj;
    const [folded] = find(build.objects, "Deployment", d => controllerOf(d) === "admission");
    const pick = (d: Obj): Obj => {
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      const byName = (list: Obj[]): Record<string, Obj> => Object.fromEntries(list.map(o => [o.name, o]));
      return {
        replicas: d.spec.replicas,
        grace: pod.terminationGracePeriodSeconds,
        spread: pod.topologySpreadConstraints,
        ports: [...c.ports].sort((a: Obj, b: Obj) => a.containerPort - b.containerPort),
        env: byName(c.env),
        volumeMounts: byName(c.volumeMounts),
        volumes: byName(pod.volumes),
        readinessProbe: c.readinessProbe,
        livenessProbe: c.livenessProbe,
        lifecycle: c.lifecycle,
        resources: c.resources,
      };
    };
    // The API server fills in defaults (probe timeouts, protocols); compare what the build states.
    expect(pick(live)).toMatchObject(pick(folded));
    expect(live.spec.template.spec.containers[0].resources.limits).toEqual(folded.spec.template.spec.containers[0].resources.limits);
    for (const [kind, name] of [["service", "rr-gateway"], ["poddisruptionbudget", "rr-gateway"]]) kubectl("admin", ["get", kind, "-n", "pepr-system", name]);
    kubectl("admin", ["get", "clusterrole", "rr-signal-sender"]);
    // A certificate of its own: made by the script, as the build makes one.
    const secret = JSON.parse(kubectl("admin", ["get", "secret", "-n", "pepr-system", "rr-gateway-tls", "-o", "json"])) as Obj;
    const leaf = new X509Certificate(Buffer.from(secret.data["tls.crt"], "base64"));
    expect(leaf.checkIssued(new X509Certificate(Buffer.from(secret.data["ca.crt"], "base64")))).toBe(true);
    expect(leaf.checkHost("rr-gateway.pepr-system.svc")).toBe("rr-gateway.pepr-system.svc");
  }
});

/** Deletes the Deployment, Service, PodDisruptionBudget and TLS Secret a deploy-extras run left, so the next dry-run is a fresh install's. */
function removeInstalledWorkloads(): void {
  kubectl("admin", ["delete", "-n", "pepr-system", "--ignore-not-found", `deployment/${build.name}`, "service/rr-gateway", "poddisruptionbudget/rr-gateway", "secret/rr-gateway-tls"]);
}

describe("the module's service account", () => {
  const sa = (): { namespace: string; name: string } => ({ namespace: "pepr-system", name: build.name });
  const STANDARD_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

  it("may do everything the gateway and the orchestrator need, in any namespace", async () => {
    const client = await env.kube("admin");
    const denied: string[] = [];
    for (const [groupResource, verbs] of grants([...NEEDED, ...PEPR_RULES])) {
      for (const verb of verbs) {
        for (const namespace of ["kubernaut-system", "some-other-namespace"]) {
          if (!(await serviceAccountCan(client, sa(), { verb, ...attributes(groupResource), namespace }))) denied.push(`${verb} ${groupResource} in ${namespace}`);
        }
      }
    }
    expect(denied).toEqual([]);
  }, 60_000);

  it("may do nothing more: every other verb on the granted resources, and other resources, are denied", async () => {
    const client = await env.kube("admin");
    const allowed: string[] = [];
    const granted = grants([...NEEDED, ...PEPR_RULES]);
    for (const [groupResource, verbs] of granted) {
      for (const verb of STANDARD_VERBS.filter(v => !verbs.has(v))) {
        if (await serviceAccountCan(client, sa(), { verb, ...attributes(groupResource), namespace: "kubernaut-system" })) allowed.push(`${verb} ${groupResource}`);
      }
    }
    const others: [string, string, string, string?][] = [
      ["get", "", "secrets"],
      ["list", "", "secrets"],
      ["get", "", "configmaps"],
      ["create", "", "pods"],
      // Scope filtering lists and watches the labelled kinds, never ConfigMaps or Secrets (docs/operations.md#scope).
      ["list", "", "configmaps"],
      ["watch", "", "secrets"],
      ["delete", "", "pods"],
      ["create", "", "serviceaccounts", "token"],
      ["create", "", "pods", "exec"],
      ["delete", "", "namespaces"],
      ["get", "", "nodes"],
      ["patch", "apps", "deployments"],
      ["create", "rbac.authorization.k8s.io", "clusterrolebindings"],
      ["escalate", "rbac.authorization.k8s.io", "clusterroles"],
      ["bind", "rbac.authorization.k8s.io", "clusterroles"],
      ["patch", "admissionregistration.k8s.io", "validatingwebhookconfigurations"],
      ["delete", "apiextensions.k8s.io", "customresourcedefinitions"],
      ["delete", "coordination.k8s.io", "leases"],
      // The event source reads events; it never changes or removes them.
      ["delete", "", "events"],
      ["update", "", "events"],
      ["create", "kubernaut.ai", "signals"], // the module receives signals; it may not send them
      ["update", "kubernaut.ai", "remediationrequests", "status"],
    ];
    for (const [verb, group, resource, subresource] of others) {
      if (await serviceAccountCan(client, sa(), { verb, group, resource, subresource, namespace: "kubernaut-system" })) allowed.push(`${verb} ${group}/${resource}${subresource ? `/${subresource}` : ""}`);
    }
    expect(allowed).toEqual([]);
  }, 60_000);
});

describe("the bundled module, run the way the Deployment runs it", () => {
  const processes: ModuleProcess[] = [];
  let namespace: string;
  let admission: Obj;
  let watchers: Obj[];
  let admissionProcess: ModuleProcess;
  let gateway: string;
  let peprPort: number;
  let tlsCrt: Buffer;
  let orchestrated: string;
  /** Trusts the build's gateway CA and checks the certificate against the Service's name, as Alertmanager does. */
  let gatewayAgent: Agent;
  /** A token of a service account allowed to send signals, for the audience rr-gateway (GATEWAY_AUTH_AUDIENCES). */
  let senderToken: string;
  const sendSignal = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${senderToken}` }) => post(gateway, PROMETHEUS_PATH, body, headers, gatewayAgent);

  beforeAll(async () => {
    namespace = await env.freshNamespace("bundle");
    // The install filters by kubernaut's scope label (GATEWAY_SCOPE=managed-label): the signals below target this namespace.
    kubectl("admin", ["label", "namespace", namespace, "kubernaut.ai/managed=true"]);
    [admission] = find(build.objects, "Deployment", d => controllerOf(d) === "admission");
    watchers = find(build.objects, "Deployment", d => controllerOf(d) === "watcher");
    const file = unpackModule(build, admission);
    const runDir = path.dirname(file);

    // What the Pepr controller does before it forks the module: apply the PeprStore CRD, as the module's service account.
    const saConfig = serviceAccountKubeconfig(admin, "pepr-system", build.name, path.join(runDir, "kubeconfig"));
    const storeCrd = (yaml.loadAll(readFileSync(path.join(REPO_DIR, "hack/peprstore-crd.yaml"), "utf8")) as Obj[]).filter(o => o.kind === "CustomResourceDefinition");
    kubectlWith(saConfig, ["apply", "--server-side", "--force-conflicts", "-f", "-"], yaml.dump(storeCrd[0]));
    waitEstablished(["peprstores.pepr.dev"]);

    // The pod's mounts, as files: the TLS secret (/etc/certs) and the API path (/app/api-path).
    const [tls] = find(build.objects, "Secret", s => s.metadata.name === `${build.name}-tls`);
    const [apiPathSecret] = find(build.objects, "Secret", s => s.metadata.name === `${build.name}-api-path`);
    tlsCrt = Buffer.from(tls.data["tls.crt"], "base64");
    const certFile = path.join(runDir, "tls.crt");
    const keyFile = path.join(runDir, "tls.key");
    writeFileSync(certFile, tlsCrt);
    writeFileSync(keyFile, Buffer.from(tls.data["tls.key"], "base64"), { mode: 0o600 });
    // The gateway's certificate (mounted from rr-gateway-tls), and a sender with a projected-style token for its audience.
    const [gatewayTls] = find(build.objects, "Secret", s => s.metadata.name === "rr-gateway-tls");
    const gatewayCertFile = path.join(runDir, "gateway-tls.crt");
    const gatewayKeyFile = path.join(runDir, "gateway-tls.key");
    writeFileSync(gatewayCertFile, Buffer.from(gatewayTls.data["tls.crt"], "base64"));
    writeFileSync(gatewayKeyFile, Buffer.from(gatewayTls.data["tls.key"], "base64"), { mode: 0o600 });
    gatewayAgent = new Agent({ connect: { ca: Buffer.from(gatewayTls.data["ca.crt"], "base64"), servername: "rr-gateway.pepr-system.svc" } });
    senderToken = (await signalSenderAccount(await env.kube("admin"), admin, namespace))("rr-gateway");

    const gatewayPort = await freePort();
    peprPort = await freePort();
    const local = {
      // What differs from a pod: in-cluster config, mounted secrets, a network namespace of its own.
      KUBECONFIG: saConfig,
      SSL_CERT_PATH: certFile,
      SSL_KEY_PATH: keyFile,
      GATEWAY_TLS_CERT_FILE: gatewayCertFile,
      GATEWAY_TLS_KEY_FILE: gatewayKeyFile,
      PEPR_API_PATH: Buffer.from(apiPathSecret.data.value, "base64").toString(),
      GATEWAY_HOST: "127.0.0.1",
      // A namespace of this test's own, not kubernaut-system.
      GATEWAY_NAMESPACE: namespace,
      ORCHESTRATOR_NAMESPACE: namespace,
      ORCHESTRATOR_PHASE_DURATION: "300ms",
    };
    admissionProcess = startModuleProcess(file, admission, { ...local, GATEWAY_PORT: String(gatewayPort), PEPR_PORT: String(peprPort) });
    processes.push(admissionProcess);
    for (const watcher of watchers) processes.push(startModuleProcess(unpackModule(build, watcher), watcher, { ...local, PEPR_PORT: String(await freePort()) }));

    // Ready as the readiness probe sees it.
    const probe = admission.spec.template.spec.containers[0].readinessProbe.httpGet;
    expect(probe.scheme).toBe("HTTPS");
    gateway = `https://127.0.0.1:${gatewayPort}`;
    try {
      await waitFor(
        "the gateway's readiness probe",
        async () => {
          for (const p of processes) if (p.child.exitCode !== null) throw new Error(`the module exited:\n${p.output()}`);
          return (await request(`${gateway}${probe.path}`, { dispatcher: gatewayAgent })).statusCode === 200;
        },
        60_000,
      );
    } catch (err) {
      throw new Error(`${String(err)}\nthe admission process said:\n${admissionProcess.output().slice(-4_000)}`);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map(p => p.stop()));
    await gatewayAgent?.close();
  });

  it("serves the gateway over HTTPS: signals with a token for the audience rr-gateway (as Alertmanager sends a projected one) become RRs, in scope only", async () => {
    const reply = await sendSignal(webhook([alert({ alertname: "BundleSmoke", pod: "api-1", namespace })]));
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ status: "created", remediationRequestNamespace: namespace });
    expect(kubectl("admin", ["get", "rr", "-n", namespace, reply.body.remediationRequestName, "-o", "jsonpath={.spec.signalName}"])).toBe("BundleSmoke");
    expect((await sendSignal(webhook([alert({ alertname: "BundleSmoke", pod: "api-1" })]), {})).status).toBe(401);
    // A token the API server accepts, but not for the audience rr-gateway.
    expect((await sendSignal(webhook([alert({ alertname: "BundleSmoke", pod: "api-1" })]), { authorization: `Bearer ${tokenOf("alertmanager")}` })).status).toBe(401);
    // For the orchestrator test below.
    const second = await sendSignal(webhook([alert({ alertname: "BundleOrchestrated", pod: "api-2", namespace })]));
    expect(second.status).toBe(201);
    orchestrated = second.body.remediationRequestName;
    // A target in a namespace nobody labelled is out of scope: kubernaut's 200 rejection, no RR.
    const unmanaged = await sendSignal(webhook([alert({ alertname: "BundleUnmanaged", pod: "api-3", namespace: `unlabelled-${namespace}` })]));
    expect(unmanaged.status).toBe(200);
    expect(unmanaged.body).toMatchObject({ status: "rejected", rejection: { reason: "unmanaged_resource" } });
  });

  it("answers admission reviews with the build's certificate: RRs whose fingerprint label disagrees with their spec are refused", async () => {
    // Pepr's admission server presents the build's certificate, which the webhook's caBundle vouches for under the
    // Service's name. (Checked by hand: Pepr's certificates have empty subjects, which Go accepts and OpenSSL calls self-signed.)
    const [hook] = find(build.objects, "ValidatingWebhookConfiguration");
    const leaf = await peerCertificate(peprPort);
    const ca = new X509Certificate(Buffer.from(hook.webhooks[0].clientConfig.caBundle, "base64"));
    expect(leaf.fingerprint256).toBe(new X509Certificate(tlsCrt).fingerprint256);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost(`${build.name}.pepr-system.svc`)).toBe(`${build.name}.pepr-system.svc`);
    const agent = new Agent({ connect: { rejectUnauthorized: false } });
    // Pepr binds its endpoints once its store is ready: wait as the liveness probe would see it.
    const liveness = admission.spec.template.spec.containers[0].livenessProbe.httpGet;
    await waitFor("Pepr's /healthz", async () => (await request(`https://127.0.0.1:${peprPort}${liveness.path}`, { dispatcher: agent })).statusCode === 200, 30_000);

    /** label: the fingerprint label's value, or "matching" for the right one. */
    const review = async (label: string): Promise<{ allowed: boolean; status?: { code?: number; message?: string } }> => {
      const fingerprint = randomFingerprint();
      const labels = { [LABELS.fingerprint]: label === "matching" ? fingerprintLabelValue(fingerprint) : label };
      const object = { apiVersion: "kubernaut.ai/v1alpha1", kind: "RemediationRequest", metadata: { name: "rr-x", namespace, labels }, spec: { signalFingerprint: fingerprint, signalName: "X" } };
      const gvk = { group: "kubernaut.ai", version: "v1alpha1", kind: "RemediationRequest" };
      const gvr = { group: "kubernaut.ai", version: "v1alpha1", resource: "remediationrequests" };
      const res = await request(`https://127.0.0.1:${peprPort}${hook.webhooks[0].clientConfig.service.path}`, {
        method: "POST",
        dispatcher: agent,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          apiVersion: "admission.k8s.io/v1",
          kind: "AdmissionReview",
          request: {
            uid: "00000000-0000-0000-0000-000000000001",
            kind: gvk,
            resource: gvr,
            requestKind: gvk,
            requestResource: gvr,
            name: "rr-x",
            namespace,
            operation: "CREATE",
            userInfo: { username: "someone" },
            object,
            oldObject: null,
            dryRun: false,
            options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions" },
          },
        }),
      });
      expect(res.statusCode).toBe(200);
      return ((await res.body.json()) as { response: { allowed: boolean; status?: { code?: number; message?: string } } }).response;
    };
    try {
      expect((await review("matching")).allowed).toBe(true);
      const refused = await review("0".repeat(63));
      expect(refused).toMatchObject({ allowed: false, status: { code: 422 } });
      expect(refused.status?.message).toMatch(/does not match spec.signalFingerprint/);
    } finally {
      await agent.close();
    }
  });

  // The orchestrator runs in the admission pods (its Lease keeps one active): Pepr makes no watcher
  // Deployment for a module without Watch/Reconcile bindings.
  it("runs the orchestrator in one of the install's pods: an RR leaves Pending", async () => {
    const rrName = orchestrated;
    await waitFor(
      `an orchestrator in the install's pods (admission, and ${watchers.length} watcher Deployment(s)) to drive ${rrName}`,
      () => {
        const phase = kubectl("admin", ["get", "rr", "-n", namespace, rrName, "-o", "jsonpath={.status.overallPhase}"]).trim();
        return phase !== "" && phase !== "Pending" ? phase : undefined;
      },
      10_000, // phases last 300 ms: a running orchestrator is past Pending within a second
    );
  }, 60_000);

  it("stops gracefully on SIGTERM, as the kubelet stops a pod: the gateway drains, then the process exits 0 within the pod's budget", async () => {
    expect(await admissionProcess.stop()).toBe(0);
    expect(admissionProcess.output()).toMatch(/SIGTERM: stopping [^;]*gateway[^;]*; exiting within 36s \(terminationGracePeriodSeconds 45s − preStop 5s − margin 4s\)/);
    expect(admissionProcess.output()).toMatch(/gateway stopped/);
  });
});

describe(`the minimum Kubernetes version (${MIN_KUBERNETES_VERSION}, src/model/kubernetes-version.ts)`, () => {
  /** Where the build uses each feature of the table the minimum stems from, by feature gate. */
  const USES: Record<string, (objects: Obj[]) => boolean> = {
    CustomResourceFieldSelectors: objects =>
      find(objects, "CustomResourceDefinition", c => c.metadata.name === "remediationrequests.kubernaut.ai").some(crd =>
        crd.spec.versions.some((v: Obj) => v.selectableFields?.some((f: Obj) => f.jsonPath === ".spec.signalFingerprint")),
      ),
    PodLifecycleSleepAction: objects => find(objects, "Deployment", d => controllerOf(d) === "admission").some(d => d.spec.template.spec.containers.some((c: Obj) => c.lifecycle?.preStop?.sleep)),
    CRDValidationRules: objects => JSON.stringify(find(objects, "CustomResourceDefinition")).includes('"rule":"self == oldSelf"'),
  };
  /** Every "Kubernetes X.Y or later" a document states. */
  const stated = (file: string): string[] => [...readFileSync(path.join(REPO_DIR, file), "utf8").matchAll(/Kubernetes \**(\d+\.\d+) or later/g)].map(m => m[1]);
  /** A logger that keeps every line, for the test to search. */
  const capturing = (): { logger: pino.Logger; text: () => string } => {
    const lines: string[] = [];
    return { logger: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }), text: () => lines.join("") };
  };

  it("stems from features the build uses (each is in it), and is the one docs/deploy.md and the README state", () => {
    expect(Object.keys(USES).sort()).toEqual(KUBERNETES_FEATURES.map(f => f.gate).sort());
    const unused = KUBERNETES_FEATURES.filter(f => !USES[f.gate](build.objects)).map(f => f.gate);
    expect(unused).toEqual([]);
    expect(stated("README.md")).toEqual([MIN_KUBERNETES_VERSION]);
    expect(stated("docs/deploy.md")).toEqual([MIN_KUBERNETES_VERSION]);
  });

  describe("an API server emulating it (kube-apiserver --emulated-version)", () => {
    const plane = new PrivateControlPlane("min-kubernetes", 13, { emulatedVersion: MIN_KUBERNETES_VERSION });
    beforeAll(() => plane.up(), 180_000);
    afterAll(() => plane.down());

    it("accepts everything the build emits and keeps every field of it: the build uses no feature of a newer release", () => {
      const admin = plane.kubeconfig("admin");
      const info = JSON.parse(kubectlWith(admin, ["get", "--raw", "/version"])) as VersionInfo;
      expect(servedVersion(info)).toEqual(parseKubernetesVersion(MIN_KUBERNETES_VERSION));
      kubectlWith(admin, ["apply", "--server-side", "-f", "-"], yaml.dump({ apiVersion: "v1", kind: "List", items: find(build.objects, "Namespace") }));
      const out = JSON.parse(kubectlWith(admin, ["apply", "--server-side", "--dry-run=server", "-o", "json", "-f", build.manifestPath])) as Obj;
      const served: Obj[] = out.kind === "List" ? out.items : [out];
      const key = (o: Obj): string => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
      const byKey = new Map(served.map(o => [key(o), o]));
      // A field behind a feature gate the emulated release has off is dropped on the way in; an API it lacks is refused.
      const lost = build.objects.flatMap(o => (byKey.has(key(o)) ? fieldsLost(o, byKey.get(key(o)), key(o)) : [`${key(o)}: not in the answer`]));
      expect(lost).toEqual([]);
    }, 60_000);

    it("runs the gateway, which reads the release from /version and becomes ready", async () => {
      const planeEnv = new TestEnvironment(identity => plane.kubeconfig(identity));
      const log = capturing();
      const gw = await startTestGateway(await planeEnv.freshNamespace("min-k8s"), { KUBECONFIG: plane.kubeconfig("gateway") }, { logger: log.logger });
      try {
        await waitFor("the gateway ready on the emulated minimum", () => gw.gateway.isReady(), 30_000);
        expect((await request(`${gw.url}/readyz`)).statusCode).toBe(200);
        expect(log.text()).toContain(`serves ${MIN_KUBERNETES_VERSION} (minimum ${MIN_KUBERNETES_VERSION})`);
      } finally {
        await gw.stop();
        await planeEnv.close();
      }
    }, 60_000);
  });

  it("keeps a gateway unready on an API server older than its minimum: /readyz and the log say which release, what it lacks and what to do", async () => {
    // The real API server's release, and a minimum one above it: what a gateway sees on a cluster too old for it.
    const real = servedVersion(JSON.parse(kubectl("admin", ["get", "--raw", "/version"])) as VersionInfo)!;
    const above = `${real.major}.${real.minor + 1}`;
    const log = capturing();
    const gw = await startTestGateway(await env.freshNamespace("old-k8s"), {}, { logger: log.logger, minKubernetesVersion: above });
    try {
      const readyz = await waitFor(
        "/readyz to name the release",
        async () => {
          const res = await request(`${gw.url}/readyz`);
          const text = await res.body.text();
          return text.includes("older than") ? { status: res.statusCode, text } : undefined;
        },
        30_000,
      );
      expect(readyz.status).toBe(503);
      expect(readyz.text).toContain(`the Kubernetes API server serves ${real.major}.${real.minor}, older than ${above}, the oldest release rr-gateway supports. Upgrade the cluster to ${above} or later`);
      expect(gw.gateway.informer.hasSynced).toBe(true);
      expect(gw.gateway.isReady()).toBe(false);
      const errors = log.text().split("\n").filter(l => l.includes('"level":50'));
      expect(errors.join("\n")).toContain(`older than ${above}`);
    } finally {
      await gw.stop();
    }
  }, 60_000);
});

/** Paths of `sent` (every field, at any depth) that `served` lacks or holds with another value. */
function fieldsLost(sent: unknown, served: unknown, at: string): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(served) || served.length !== sent.length) return [`${at}: ${JSON.stringify(sent)} became ${JSON.stringify(served)}`];
    return sent.flatMap((item, i) => fieldsLost(item, served[i], `${at}[${i}]`));
  }
  if (sent !== null && typeof sent === "object") {
    if (served === null || typeof served !== "object") return [`${at}: missing`];
    return Object.entries(sent).flatMap(([k, v]) => (k in served ? fieldsLost(v, (served as Record<string, unknown>)[k], `${at}.${k}`) : [`${at}.${k}: dropped`]));
  }
  return sent === served ? [] : [`${at}: ${JSON.stringify(sent)} became ${JSON.stringify(served)}`];
}

/** The certificate a TLS server on loopback presents. */
function peerCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolve(new X509Certificate(raw));
    });
    socket.once("error", reject);
  });
}
