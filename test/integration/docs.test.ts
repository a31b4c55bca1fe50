import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { REPO_DIR } from "./helpers/controlplane";

/** The README stays true to the code and keeps its promises to a new user. */
const readme = readFileSync(path.join(REPO_DIR, "README.md"), "utf8");

it("opens with the two commands", () => {
  expect(readme).toMatch(/^# rr-gateway\n\n```bash\nnpm run dev {3}# [^\n]+\nnpm test {6}# [^\n]+\n```\n/);
});

it("has current configuration and metrics tables (npm run docs regenerates them)", () => {
  execFileSync(process.execPath, ["--import", "tsx", path.join(REPO_DIR, "hack/gen-docs.ts"), "--check"], { cwd: REPO_DIR, stdio: "pipe" });
});

it("carries an Alertmanager receiver block that is valid YAML for the deployed install: HTTPS with the gateway's CA, a token for the audience rr-gateway", () => {
  const block = /<!-- alertmanager-receiver:begin -->\n```yaml\n([\s\S]*?)```\n<!-- alertmanager-receiver:end -->/.exec(readme);
  expect(block).not.toBeNull();
  const config = yaml.load(block![1]) as { receivers: { name: string; webhook_configs: { url: string; send_resolved: boolean; http_config: { authorization: { type: string; credentials_file: string }; tls_config: { ca_file: string } } }[] }[] };
  const [hook] = config.receivers[0].webhook_configs;
  expect(hook.url).toMatch(/\/api\/v1\/signals\/prometheus$/);
  expect(hook.send_resolved).toBe(true);
  expect(hook.http_config.authorization.type).toBe("Bearer");
  expect(hook.url).toBe("https://rr-gateway.pepr-system.svc:8080/api/v1/signals/prometheus");
  // The projected token volume and the CA's mount that docs/operations.md shows.
  expect(hook.http_config.authorization.credentials_file).toBe("/var/run/secrets/rr-gateway/token");
  expect(hook.http_config.tls_config.ca_file).toBe("/etc/rr-gateway/ca.crt");
  const operations = readFileSync(path.join(REPO_DIR, "docs/operations.md"), "utf8");
  expect(operations).toContain("audience: rr-gateway");
  expect(operations).toContain("mountPath: /var/run/secrets/rr-gateway");
  expect(operations).toContain("mountPath: /etc/rr-gateway,");
});

it("names only npm scripts that exist", () => {
  const scripts = Object.keys((JSON.parse(readFileSync(path.join(REPO_DIR, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
  const named = [...readme.matchAll(/npm run ([\w:-]+)/g)].map(m => m[1]);
  expect(named.filter(n => !scripts.includes(n))).toEqual([]);
});

it("links only to files that exist", () => {
  const links = [...readme.matchAll(/\]\(((?:docs|deploy|hack|src)\/[^)#]+)/g)].map(m => m[1]);
  const missing = links.filter(l => {
    try {
      readFileSync(path.join(REPO_DIR, l));
      return false;
    } catch {
      return true;
    }
  });
  expect(missing).toEqual([]);
});

it("cites only measurements kept in git: every results file a doc names is committed", () => {
  const docs = ["README.md", ...execFileSync("git", ["ls-files", "docs"], { cwd: REPO_DIR, encoding: "utf8" }).split("\n").filter(f => f.endsWith(".md"))];
  const tracked = new Set(execFileSync("git", ["ls-files", "bench/results", "test/soak-results"], { cwd: REPO_DIR, encoding: "utf8" }).split("\n").map(f => path.basename(f)));
  const cited = docs.flatMap(doc =>
    [...readFileSync(path.join(REPO_DIR, doc), "utf8").matchAll(/\b((?:bench|soak|gateway-storm)-\d{4}-\d\d-\d\dT[\w.-]+?\.json)\b/g)].map(m => ({ doc, file: m[1] })),
  );
  expect(cited.length).toBeGreaterThan(0);
  expect(cited.filter(c => !tracked.has(c.file))).toEqual([]);
});
