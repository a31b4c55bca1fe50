/**
 * Keeps the README's reference sections true to the code:
 *
 *   node --import tsx hack/gen-docs.ts          rewrite them (npm run docs)
 *   node --import tsx hack/gen-docs.ts --check  exit 1 if any is stale (a test runs this)
 *
 * - gateway configuration: every variable of GATEWAY_ENV (src/gateway/config.ts) with its default;
 * - orchestrator configuration: the table of docs/orchestrator.md's "Configuration" section;
 * - metrics: every metric the gateway registers (src/gateway/metrics.ts) and the orchestrator's (src/orchestrator/metrics.ts);
 * - error codes: the table of src/model/error-codes.ts.
 *
 * Each section sits between <!-- gen:NAME:begin --> and <!-- gen:NAME:end --> in README.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { GATEWAY_ENV } from "../src/gateway/config";
import { GatewayMetrics } from "../src/gateway/metrics";
import { metricName } from "../src/metrics/prefix";
import { ANSWER_CODES, PROCESS_CODES, type AnswerCodeSpec } from "../src/model/error-codes";
import { processRegistry } from "../src/metrics/process-registry";
import { reportOrchestrator } from "../src/orchestrator/metrics";

const REPO_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function gatewayConfigTable(): string {
  const rows = Object.entries(GATEWAY_ENV).map(([name, [def, meaning]]) => `| \`${name}\` | ${def === "" ? "(none)" : `\`${def}\``} | ${cell(meaning)} |`);
  return ["| variable | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

export function orchestratorConfigTable(repoDir = REPO_DIR): string {
  const doc = readFileSync(path.join(repoDir, "docs/orchestrator.md"), "utf8");
  const section = doc.split(/^## Configuration\s*$/m)[1];
  if (!section) throw new Error('docs/orchestrator.md has no "## Configuration" section');
  const lines = section.split("\n");
  const start = lines.findIndex(l => l.startsWith("|"));
  if (start < 0) throw new Error("docs/orchestrator.md's Configuration section has no table");
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

export function metricsTable(): string {
  const metrics = new GatewayMetrics();
  // The orchestrator's gauge is registered (on the process registry) by the first orchestrator a process starts.
  const unreport = reportOrchestrator(() => false);
  const leader = processRegistry().getSingleMetric(metricName("orchestrator_leader"));
  unreport();
  const rows = [...metrics.registry.getMetricsAsArray(), ...(leader ? [leader] : [])].map(m => {
    const { name, help, labelNames } = m as unknown as { name: string; help: string; labelNames?: string[] };
    const type = (m as unknown as { constructor: { name: string } }).constructor.name.toLowerCase();
    return `| \`${name}\` | ${type} | ${labelNames?.length ? labelNames.map(l => `\`${l}\``).join(", ") : ""} | ${cell(help)} |`;
  });
  return [
    "| metric | type | labels | meaning |",
    "|---|---|---|---|",
    ...rows,
    "| `process_*`, `nodejs_*` | | | Node.js process metrics under their standard names (prom-client's defaults), once per process |",
  ].join("\n");
}

export function errorCodesTable(): string {
  const reasons = (spec: AnswerCodeSpec): string => {
    const own = Object.entries(spec.reason ?? {}).map(([reason, meaning]) => `\`${reason}\`: ${meaning}`);
    const narrower = Object.entries(spec.narrower ?? {}).map(([reason, meaning]) => `narrower \`${reason}\`: ${meaning}`);
    return own.length === 0 ? "not a signal: not counted" : [...own, ...narrower].join("; ");
  };
  const answers = Object.entries(ANSWER_CODES).map(
    ([code, spec]: [string, AnswerCodeSpec]) => `| \`${code}\` | ${spec.status}${spec.problem === null ? " (per signal)" : ""} | ${spec.title} | ${spec.retryable ? "yes" : "no"} | ${cell(reasons(spec))} |`,
  );
  const processes = Object.entries(PROCESS_CODES).map(([code, spec]) => `| \`${code}\` | (stops) | ${cell(spec.title)} | ${spec.retryable ? "yes" : "no"} | fix: ${cell(spec.fix)} |`);
  return ["| code | status | title | retry | rejection reason |", "|---|---|---|---|---|", ...answers, ...processes].join("\n");
}

export function generatedSections(repoDir = REPO_DIR): Record<string, string> {
  return { "gateway-config": gatewayConfigTable(), "orchestrator-config": orchestratorConfigTable(repoDir), metrics: metricsTable(), "error-codes": errorCodesTable() };
}

/** The README with every generated section replaced; throws if a marker is missing. */
export function renderReadme(readme: string, sections: Record<string, string>): string {
  let out = readme;
  for (const [name, body] of Object.entries(sections)) {
    const re = new RegExp(`(<!-- gen:${name}:begin -->\\n)[\\s\\S]*?(<!-- gen:${name}:end -->)`);
    if (!re.test(out)) throw new Error(`README.md lacks the <!-- gen:${name}:begin --> ... <!-- gen:${name}:end --> markers`);
    out = out.replace(re, (_m, begin: string, end: string) => `${begin}${body}\n${end}`);
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = path.join(REPO_DIR, "README.md");
  const current = readFileSync(file, "utf8");
  const wanted = renderReadme(current, generatedSections());
  if (process.argv.includes("--check")) {
    if (wanted !== current) {
      process.stderr.write("README.md's generated sections are stale: run `npm run docs`\n");
      process.exit(1);
    }
  } else if (wanted !== current) {
    writeFileSync(file, wanted);
    process.stdout.write("README.md updated\n");
  }
}
