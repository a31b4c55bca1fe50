import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { request } from "undici";
import { REPO_DIR } from "../../integration/helpers/controlplane";
import { startLoopbackServer } from "./loopback-server";

/** The path of `prometheus` or `promtool`, installing the Debian package prometheus when missing (hack/ensure-prometheus.sh). */
export function prometheusBinary(which: "prometheus" | "promtool"): string {
  return execFileSync("bash", [path.join(REPO_DIR, "hack/ensure-prometheus.sh"), which], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 600_000 }).trim();
}

export const PROMETHEUS_RULE_FILE = path.join(REPO_DIR, "deploy/monitoring/prometheusrule.yaml");

/** The rule groups of deploy/monitoring/prometheusrule.yaml (a PrometheusRule), as a Prometheus rule file's content. */
export function ruleFileOfPrometheusRule(file = PROMETHEUS_RULE_FILE): { groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[] } {
  const rule = yaml.load(readFileSync(file, "utf8")) as { kind?: string; spec?: { groups?: unknown } };
  if (rule.kind !== "PrometheusRule" || !Array.isArray(rule.spec?.groups)) throw new Error(`${file} is not a PrometheusRule with spec.groups`);
  return { groups: rule.spec.groups as { name: string; rules: { alert?: string; record?: string; expr: string }[] }[] };
}

export interface ScrapeTarget {
  job: string;
  /** host:port */
  target: string;
  scheme: "http" | "https";
  /** CA of the target's certificate (https). */
  caFile?: string;
  /** Labels every series of the target gets (as a ServiceMonitor's target gets namespace, pod, ...). */
  labels?: Record<string, string>;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query (GET /api/v1/query); throws on an error answer. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** GET /api/v1/rules: every rule with its health and last error. */
  rules(): Promise<{ name: string; type: string; health: string; lastError?: string; lastEvaluation: string; query: string }[]>;
  /** GET /api/v1/targets: the active targets' job and health. */
  targets(): Promise<{ job: string; health: string; lastError: string }[]>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (the Debian package), on loopback only, with a data
 * directory of its own: it scrapes the given targets every second and
 * evaluates the given rule file every second.
 */
export async function startPrometheus(targets: ScrapeTarget[], ruleFile?: object): Promise<RunningPrometheus> {
  const binary = prometheusBinary("prometheus");
  mkdirSync(path.join(REPO_DIR, ".local"), { recursive: true });
  const dir = mkdtempSync(path.join(REPO_DIR, ".local", "e2e-prometheus-"));
  const config = {
    global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
    rule_files: ruleFile ? ["rules.yaml"] : [],
    scrape_configs: targets.map(t => ({
      job_name: t.job,
      scheme: t.scheme,
      ...(t.caFile ? { tls_config: { ca_file: t.caFile } } : {}),
      static_configs: [{ targets: [t.target], labels: t.labels ?? {} }],
    })),
  };
  writeFileSync(path.join(dir, "prometheus.yml"), yaml.dump(config));
  if (ruleFile) writeFileSync(path.join(dir, "rules.yaml"), yaml.dump(ruleFile));
  const server = await startLoopbackServer(
    "Prometheus",
    binary,
    [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, "--log.level=warn"],
    dir,
    60_000,
    200,
  );
  const url = server.url;
  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const res = await request(`${url}${pathAndQuery}`);
    const body = (await res.body.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`Prometheus ${pathAndQuery}: ${body.error ?? res.statusCode}`);
    return body.data;
  };
  return {
    url,
    async query(expr) {
      const data = await api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      return data.result;
    },
    async rules() {
      const data = await api<{ groups: { rules: { name: string; type: string; health: string; lastError?: string; lastEvaluation: string; query: string }[] }[] }>("/api/v1/rules");
      return data.groups.flatMap(g => g.rules);
    },
    async targets() {
      const data = await api<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] }>("/api/v1/targets");
      return data.activeTargets.map(t => ({ job: t.labels.job, health: t.health, lastError: t.lastError }));
    },
    output: server.output,
    stop: server.stop,
  };
}
