import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import yaml from "js-yaml";
import { REPO_DIR } from "../integration/helpers/controlplane";
import { prometheusBinary, ruleFileOfPrometheusRule } from "./helpers/prometheus";

/**
 * The alert rules of deploy/monitoring/prometheusrule.yaml, checked by
 * Prometheus' own promtool (Debian package prometheus): they parse, and each
 * alert's unit tests in test/monitoring/rules-tests.yaml pass: it fires on
 * the series it is about (with its labels and annotations) and stays quiet
 * before its `for` and on healthy or unrelated series.
 */
const TESTS_FILE = path.join(REPO_DIR, "test/monitoring/rules-tests.yaml");

interface RuleTests {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

let promtool: string;
let dir: string;
const ruleFile = ruleFileOfPrometheusRule();
const alerts = ruleFile.groups.flatMap(g => g.rules.map(r => r.alert)).filter((a): a is string => Boolean(a));

beforeAll(() => {
  promtool = prometheusBinary("promtool");
  dir = mkdtempSync(path.join(tmpdir(), "rrgw-rules-"));
  // promtool reads the rule groups, which a PrometheusRule holds in its spec.
  writeFileSync(path.join(dir, "rules.yaml"), yaml.dump(ruleFile));
  copyFileSync(TESTS_FILE, path.join(dir, "rules-tests.yaml"));
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs promtool in the temporary directory; returns its output, or throws with it. */
function run(args: string[]): string {
  try {
    return execFileSync(promtool, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

it("passes `promtool check rules`", () => {
  expect(run(["check", "rules", "rules.yaml"])).toContain(`SUCCESS: ${alerts.length} rules found`);
});

it("passes `promtool test rules` (test/monitoring/rules-tests.yaml)", () => {
  expect(run(["test", "rules", "rules-tests.yaml"])).toContain("SUCCESS");
});

it("tests every alert both firing and quiet", () => {
  const tests = yaml.load(readFileSync(TESTS_FILE, "utf8")) as RuleTests;
  expect(tests.rule_files).toEqual(["rules.yaml"]);
  const cases = tests.tests.flatMap(t => t.alert_rule_test ?? []);
  const firing = new Set(cases.filter(c => (c.exp_alerts ?? []).length > 0).map(c => c.alertname));
  const quiet = new Set(cases.filter(c => (c.exp_alerts ?? []).length === 0).map(c => c.alertname));
  expect(alerts.filter(a => !firing.has(a))).toEqual([]);
  expect(alerts.filter(a => !quiet.has(a))).toEqual([]);
  // And nothing tests an alert that does not exist (a renamed alert leaves no test behind).
  expect([...firing, ...quiet].filter(a => !alerts.includes(a))).toEqual([]);
});

it("gives every alert a severity, a summary and a description", () => {
  for (const rule of ruleFile.groups.flatMap(g => g.rules).filter(r => r.alert)) {
    const { labels, annotations } = rule as { labels?: Record<string, string>; annotations?: Record<string, string> };
    expect({ alert: rule.alert, severity: labels?.severity }).toEqual({ alert: rule.alert, severity: expect.stringMatching(/^(critical|warning|info)$/) });
    expect(annotations?.summary && annotations.description).toBeTruthy();
  }
});
