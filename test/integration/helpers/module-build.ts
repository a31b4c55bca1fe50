import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import yaml from "js-yaml";
import { KubeClient } from "../../../src/k8s/kube-client";
import { kubectlBinary, REPO_DIR, RUN_DIR, KUBE_SECURE_PORT } from "./controlplane";
import { subjectCan, type Access } from "./rbac";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects of every kind
export type Obj = Record<string, any>;

export interface ModuleBuild {
  /** .local/build/<hash>: pepr build's output with the extra manifests folded in (hack/build.sh). */
  dir: string;
  uuid: string;
  /** pepr-<uuid>: the name of the module's service account, ClusterRole, Deployment... */
  name: string;
  manifestPath: string;
  objects: Obj[];
}

let cached: ModuleBuild | undefined;

/**
 * The module built by hack/build.sh (`pepr build` + fold), once per test
 * process; hack/build.sh itself reuses a build of unchanged inputs.
 */
export function moduleBuild(): ModuleBuild {
  if (cached) return cached;
  const dir = execFileSync("bash", [path.join(REPO_DIR, "hack/build.sh"), "--print-dir"], { cwd: REPO_DIR, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 }).trim();
  cached = moduleBuildIn(dir);
  return cached;
}

/** A build already made, e.g. of another commit (the bench compares the bundles of two commits). */
export function moduleBuildIn(dir: string): ModuleBuild {
  const uuid = (JSON.parse(readFileSync(path.join(REPO_DIR, "package.json"), "utf8")) as { pepr: { uuid: string } }).pepr.uuid;
  const manifestPath = path.join(dir, `pepr-module-${uuid}.yaml`);
  const objects = (yaml.loadAll(readFileSync(manifestPath, "utf8")) as Obj[]).filter(Boolean);
  return { dir, uuid, name: `pepr-${uuid}`, manifestPath, objects };
}

export function find(objects: Obj[], kind: string, predicate: (o: Obj) => boolean = () => true): Obj[] {
  return objects.filter(o => o.kind === kind && predicate(o));
}

export const controllerOf = (o: Obj): string | undefined => o.metadata?.labels?.["pepr.dev/controller"];

/** Runs the control plane's kubectl with a kubeconfig file. */
export function kubectlWith(kubeconfig: string, args: string[], input?: string): string {
  return execFileSync(kubectlBinary(), ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** A kubeconfig for a service account of the local control plane, with a token from the TokenRequest API (as a pod gets). */
export function serviceAccountKubeconfig(adminKubeconfig: string, namespace: string, name: string, file: string): string {
  const token = kubectlWith(adminKubeconfig, ["create", "token", name, "-n", namespace, "--duration=1h"]).trim();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    yaml.dump({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "local", cluster: clusterOf(adminKubeconfig) }],
      users: [{ name, user: { token } }],
      contexts: [{ name: "sa@local", context: { cluster: "local", user: name, namespace } }],
      "current-context": "sa@local",
    }),
    { mode: 0o600 },
  );
  return file;
}

/** The cluster (server, CA) of a kubeconfig file: the shared control plane's, or another's (the bench's). */
function clusterOf(kubeconfig: string): Obj {
  const config = yaml.load(readFileSync(kubeconfig, "utf8")) as Obj;
  const context = (config.contexts as Obj[]).find(c => c.name === config["current-context"])?.context;
  return (config.clusters as Obj[]).find(c => c.name === context?.cluster)?.cluster ?? { server: `https://127.0.0.1:${KUBE_SECURE_PORT}`, "certificate-authority": path.join(RUN_DIR, "pki/ca.crt") };
}

/** Asks the API server whether a service account may do something. */
export function serviceAccountCan(admin: KubeClient, sa: { namespace: string; name: string }, access: Access): Promise<boolean> {
  return subjectCan(admin, { user: `system:serviceaccount:${sa.namespace}:${sa.name}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${sa.namespace}`, "system:authenticated"] }, access);
}

export interface ModuleProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM (as the kubelet sends) and wait for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * What the Pepr controller image does with the module Secret
 * (node_modules/pepr/src/runtime/controller.ts): gunzip the bundle, check it
 * against the hash in the Deployment's args, write it out. Written under the
 * repository so `require` finds pino, prom-client, @kubernetes/client-node and
 * pepr in node_modules, as /app/node_modules serves them in the image.
 */
export function unpackModule(build: ModuleBuild, deployment: Obj): string {
  const hash = String(deployment.spec.template.spec.containers[0].args[1]);
  const secret = find(build.objects, "Secret", s => s.metadata.name === `${build.name}-module`)[0];
  const gz = Buffer.from(secret.data[`module-${hash}.js.gz`], "base64");
  const code = gunzipSync(gz);
  const actual = createHash("sha256").update(code).digest("hex");
  if (actual !== hash) throw new Error(`module bundle hash ${actual} does not match the Deployment's ${hash}`);
  const dir = path.join(REPO_DIR, ".local", "module-run", hash);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `module-${hash}.js`);
  writeFileSync(file, code);
  return file;
}

/** Starts the unpacked module with a Deployment's container environment plus the given overrides. */
export function startModuleProcess(file: string, deployment: Obj, overrides: Record<string, string>): ModuleProcess {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" };
  for (const { name, value } of deployment.spec.template.spec.containers[0].env as { name: string; value: string }[]) env[name] = value;
  Object.assign(env, overrides);
  const child = spawn(process.execPath, [file], { cwd: path.dirname(file), env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", chunk => (output += chunk));
  child.stderr!.on("data", chunk => (output += chunk));
  const exited = new Promise<number | null>(resolve => child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
