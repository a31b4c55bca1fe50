import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_DIR } from "./helpers/controlplane";

// Benchmarks are not tests: this only keeps `npm run bench` working. It runs
// the quick mode as a child process against the shared control plane (the one
// jest's global setup started) and checks that it completes and writes its
// JSON with every scenario. No figure is asserted: on a shared, loaded
// machine they mean nothing.
const out = mkdtempSync(path.join(os.tmpdir(), "rr-bench-smoke-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it("npm run bench -- --quick completes and writes its results", async () => {
  const { code, output } = await run(["--import", "tsx", "bench/run.ts", "--quick", "--controlplane=shared", `--out=${out}`]);
  if (code !== 0) throw new Error(`bench --quick exited with ${code}:\n${output.slice(-6_000)}`);
  const files = readdirSync(out).filter(f => f.endsWith("-quick.json"));
  expect(files).toHaveLength(1);
  const result = JSON.parse(readFileSync(path.join(out, files[0]), "utf8"));
  expect(result.mode).toBe("quick");
  // Every scenario (11 at the quick sizes: 100, 300 and 1,000 RRs stored).
  const scenarios = ["1a", "1b", "1c", "1d", "1e", "1f", "1g", "2a", "2b", "3", "4a", "4b", "5a", "5b", "6", "7", "8a", "8b", "9a", "9b", "10a", "10b", "10c"];
  const stored = [100, 300, 1_000].flatMap(n => ["11a", "11b", "11c", "11d"].map(kind => `${kind}-${n}`));
  expect(Object.keys(result.measurements).sort()).toEqual([...scenarios, ...stored, "12"].sort());
}, 300_000);

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_DIR, env: { ...process.env, NODE_OPTIONS: "" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", chunk => (output += chunk));
    child.stderr.on("data", chunk => (output += chunk));
    child.once("error", reject);
    child.once("exit", code => resolve({ code, output }));
  });
}
