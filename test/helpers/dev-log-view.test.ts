import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * `npm run dev` follows the module's log through hack/log-view.sh: pino-pretty
 * on a terminal, the JSON lines untouched into a pipe or a file.
 */
const REPO_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const LOG_VIEW = path.join(REPO_DIR, "hack/log-view.sh");
const LINE = JSON.stringify({ level: 30, time: "2026-12-02T17:00:00.000Z", pid: 7, hostname: "dev", name: "gateway", msg: "gateway listening", port: 8080 });

// util-linux's script(1) runs a command on a pseudo-terminal: how a test gets "stdout is a terminal".
const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).stdout?.includes("util-linux") ?? false;

describe("the dev loop's log view (hack/log-view.sh)", () => {
  it("passes the JSON lines through untouched when stdout is not a terminal", () => {
    expect(execFileSync("bash", [LOG_VIEW], { input: `${LINE}\n${LINE}\n`, encoding: "utf8" })).toBe(`${LINE}\n${LINE}\n`);
  });

  (hasScript ? it : it.skip)("prints them with pino-pretty when stdout is a terminal: level name, logger name, message, no JSON", () => {
    const input = path.join(mkdtempSync(path.join(tmpdir(), "rrgw-log-view-")), "module.log");
    writeFileSync(input, `${LINE}\n`);
    const shown = execFileSync("script", ["-qec", `bash '${LOG_VIEW}' < '${input}'`, "/dev/null"], { encoding: "utf8" })
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;]*m/g, "");
    expect(shown).toMatch(/INFO \(gateway\): gateway listening/);
    expect(shown).toMatch(/port: 8080/);
    expect(shown).not.toContain('"msg"');
  });
});
