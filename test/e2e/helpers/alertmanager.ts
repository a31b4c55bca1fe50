import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import { request } from "undici";
import { scrapeSum } from "../../helpers/metrics";
import { REPO_DIR } from "../../integration/helpers/controlplane";
import { startLoopbackServer } from "./loopback-server";

export interface AlertmanagerOptions {
  /** Where the receiver posts: the gateway's Prometheus endpoint. */
  webhookUrl: string;
  /** The bearer token Alertmanager sends (http_config.authorization.credentials_file). */
  token: string;
  /** The CA it trusts the gateway's certificate by (http_config.tls_config.ca_file); required for an https:// webhookUrl. */
  caFile?: string;
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

export interface RunningAlertmanager {
  url: string;
  /** The configuration it runs (README's receiver block inside a route). */
  config: string;
  /** POST /api/v2/alerts. */
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** A counter from its /metrics, summed over label sets matching the filter. */
  metric(name: string, labelFilter?: RegExp): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/**
 * A real Prometheus Alertmanager (the Debian package, installed by
 * hack/ensure-alertmanager.sh when missing), on loopback only, with a data
 * directory of its own and clustering off, configured by
 * hack/alertmanager-config.sh from the README's receiver block.
 */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const binary = execFileSync("bash", [path.join(REPO_DIR, "hack/ensure-alertmanager.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 600_000 }).trim();
  mkdirSync(path.join(REPO_DIR, ".local"), { recursive: true });
  const dir = mkdtempSync(path.join(REPO_DIR, ".local", "e2e-alertmanager-"));
  const tokenFile = path.join(dir, "token");
  writeFileSync(tokenFile, options.token, { mode: 0o600 });
  const config = execFileSync(
    "bash",
    [path.join(REPO_DIR, "hack/alertmanager-config.sh"), options.webhookUrl, tokenFile, options.caFile ?? "", options.groupWait ?? "1s", options.groupInterval ?? "2s", options.repeatInterval ?? "3s"],
    { encoding: "utf8" },
  );
  writeFileSync(path.join(dir, "alertmanager.yml"), config);
  const server = await startLoopbackServer(
    "Alertmanager",
    binary,
    [`--config.file=${path.join(dir, "alertmanager.yml")}`, `--storage.path=${path.join(dir, "data")}`, "--cluster.listen-address=", "--log.level=debug"],
    dir,
    30_000,
  );
  const url = server.url;
  return {
    url,
    config,
    async postAlerts(alerts) {
      const res = await request(`${url}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alerts) });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`Alertmanager refused the alerts (${res.statusCode}): ${text}`);
    },
    metric: (name, labelFilter) => scrapeSum(url, name, labelFilter),
    output: server.output,
    stop: server.stop,
  };
}
