/**
 * Gathers a soak run's figures into one results file, as the bench keeps its
 * runs (hack/soak.sh calls it; docs cite soak figures only from such files):
 *
 *   node --import tsx test/soak-report.ts start  <fragments-dir>
 *   node --import tsx test/soak-report.ts finish <fragments-dir> <jest exit code> [jest args...]
 *
 * `start` notes the code measured (commit and dirty-tree flag, before the
 * tests run); `finish` writes test/soak-results/soak-<time>.json with the
 * machine, the jest arguments and exit code, and every figure the tests
 * recorded (test/helpers/soak.ts's recordSoakFigures).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sourceState } from "../bench/source-state";

const REPO_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
export const SOAK_RESULTS_DIR = path.join(REPO_DIR, "test/soak-results");
const SOURCE_FILE = "_source.json";

function start(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, SOURCE_FILE), JSON.stringify({ startedAt: new Date().toISOString(), source: sourceState(REPO_DIR), loadAverageBefore: os.loadavg() }));
}

function finish(dir: string, exitCode: number, jestArgs: string[]): string {
  const { startedAt, source, loadAverageBefore } = JSON.parse(readFileSync(path.join(dir, SOURCE_FILE), "utf8")) as { startedAt: string; source: unknown; loadAverageBefore: number[] };
  const figures = readdirSync(dir)
    .filter(f => f.endsWith(".json") && f !== SOURCE_FILE)
    .sort()
    .map(f => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as Record<string, unknown>);
  const cpus = os.cpus();
  const result = {
    schema: 1,
    kind: "soak",
    startedAt,
    finishedAt: new Date().toISOString(),
    passed: exitCode === 0,
    jestExitCode: exitCode,
    jestArgs,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => /^RRGW_(SEED|LANES|SOAK_TESTS)$/.test(k))),
    machine: {
      ...(source as object),
      cpus: cpus.length,
      cpuModel: cpus[0]?.model,
      memoryBytes: os.totalmem(),
      node: process.version,
      loadAverageBefore: loadAverageBefore.map(x => Math.round(x * 100) / 100),
      loadAverageAfter: os.loadavg().map(x => Math.round(x * 100) / 100),
    },
    tests: figures,
  };
  mkdirSync(SOAK_RESULTS_DIR, { recursive: true });
  const file = path.join(SOAK_RESULTS_DIR, `soak-${startedAt.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

const [command, dir, code, ...rest] = process.argv.slice(2);
if (command === "start" && dir) start(dir);
else if (command === "finish" && dir && code !== undefined) process.stdout.write(`soak results: ${path.relative(process.cwd(), finish(dir, Number(code), rest))}\n`);
else {
  process.stderr.write("usage: soak-report.ts start <dir> | finish <dir> <exit code> [jest args...]\n");
  process.exit(2);
}
