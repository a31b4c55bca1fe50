import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { kubeconfigPath, REPO_DIR } from "./controlplane";

/** One pino log line of the orchestrator (the fields tests look at). */
export interface LogLine {
  level: number;
  msg: string;
  identity?: string;
  rr?: string;
  from?: string;
  to?: string;
  [field: string]: unknown;
}

export interface OrchestratorProcessOptions {
  namespace: string;
  /** ORCHESTRATOR_IDENTITY: names the process in the Lease and in its logs. */
  identity: string;
  /** Extra or overriding ORCHESTRATOR_* variables. Defaults here: 150ms phases, a 2s lease. */
  env?: Record<string, string>;
  /** Scripted-outcome rules, written to a temporary YAML/JSON file (ORCHESTRATOR_CONFIG_FILE). */
  rules?: unknown[];
  /** Resolve without waiting for the start log line (to test start failures). */
  noWait?: boolean;
}

const started = new Set<OrchestratorProcess>();

/**
 * The orchestrator as a real child process (node --import tsx
 * src/orchestrator/main.ts), running as the "orchestrator" identity of the
 * local control plane, so tests can stop, kill and restart it. Its JSON log
 * lines are collected in `lines`.
 */
export class OrchestratorProcess {
  readonly lines: LogLine[] = [];
  private stderr = "";
  private exitCodeValue: number | null | undefined;
  /** Resolves with the exit code (null after a signal) once the process ended and its output was read. */
  readonly exited: Promise<number | null>;

  private constructor(
    readonly identity: string,
    private readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on("line", line => this.lines.push(parseLine(line)));
    child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise(resolve =>
      // "close", not "exit": by then stdout is drained, so every log line is in `lines`.
      child.on("close", code => {
        this.exitCodeValue = code;
        started.delete(this);
        resolve(code);
      }),
    );
  }

  static async start(options: OrchestratorProcessOptions): Promise<OrchestratorProcess> {
    const env: Record<string, string> = {};
    // Only the parent's non-orchestrator variables: a stray ORCHESTRATOR_* must not change a test.
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("ORCHESTRATOR_")) env[k] = v;
    Object.assign(env, {
      KUBECONFIG: kubeconfigPath("orchestrator"),
      ORCHESTRATOR_NAMESPACE: options.namespace,
      ORCHESTRATOR_IDENTITY: options.identity,
      ORCHESTRATOR_PHASE_DURATION: "150ms",
      ORCHESTRATOR_LEASE_DURATION: "2s",
      ORCHESTRATOR_LOG_LEVEL: "debug",
      ...options.env,
    });
    if (options.rules) {
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), "ro-script-")), "rules.json");
      writeFileSync(file, JSON.stringify({ rules: options.rules }, null, 2));
      env.ORCHESTRATOR_CONFIG_FILE = file;
    }
    const child = spawn(process.execPath, ["--import", "tsx", "src/orchestrator/main.ts"], { cwd: REPO_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    const proc = new OrchestratorProcess(options.identity, child);
    started.add(proc);
    if (!options.noWait) await proc.waitForLog(l => l.msg === "mock remediation orchestrator started", "the start log line", 30_000);
    return proc;
  }

  /** undefined while running; the exit code (null after a signal) once exited. */
  get exitCode(): number | null | undefined {
    return this.exitCodeValue;
  }

  get isLeading(): boolean {
    const changes = this.lines.filter(l => l.msg.startsWith("leading:") || l.msg.startsWith("not leading:"));
    return changes.length > 0 && changes[changes.length - 1].msg.startsWith("leading:");
  }

  /** The lifecycle transitions this process wrote (optionally of one RR), in order. */
  transitions(rr?: string): { rr: string; from: string; to: string }[] {
    return this.lines
      .filter(l => typeof l.to === "string" && typeof l.rr === "string" && (rr === undefined || l.rr === rr))
      .map(l => ({ rr: l.rr as string, from: l.from ?? "", to: l.to as string }));
  }

  /** Waits for a log line; fails at once, with the output, if the process exits first. */
  async waitForLog(match: (line: LogLine) => boolean, what: string, timeoutMs = 20_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (this.exitCodeValue !== undefined) throw new Error(`orchestrator ${this.identity} exited (${this.exitCodeValue}) before ${what}\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} from orchestrator ${this.identity}\n${this.output()}`);
      await new Promise(r => setTimeout(r, 50));
    }
  }

  /** Starts one and waits until it holds the Lease. */
  static async startLeading(options: OrchestratorProcessOptions): Promise<OrchestratorProcess> {
    const ro = await OrchestratorProcess.start(options);
    await ro.waitUntilLeading();
    return ro;
  }

  waitUntilLeading(timeoutMs = 20_000): Promise<LogLine> {
    return this.waitForLog(l => l.msg.startsWith("leading:"), "the Lease", timeoutMs);
  }

  /** Sends SIGTERM (graceful: finishes writes, releases the Lease) and waits for the exit code. */
  stop(): Promise<number | null> {
    return this.signal("SIGTERM");
  }

  /** SIGKILL: dies without releasing the Lease, as a crashed pod would. */
  kill(): Promise<number | null> {
    return this.signal("SIGKILL");
  }

  private async signal(signal: NodeJS.Signals): Promise<number | null> {
    if (this.exitCodeValue !== undefined) return this.exitCodeValue;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Everything the process printed, for failure messages. */
  output(): string {
    const out = this.lines.map(l => JSON.stringify(l)).join("\n");
    return `--- stdout ---\n${out.slice(-8_000)}\n--- stderr ---\n${this.stderr.slice(-4_000)}`;
  }
}

/** Stops every orchestrator process a test file started, gracefully (for afterAll). */
export async function stopAllOrchestrators(): Promise<void> {
  await Promise.all([...started].map(p => p.stop()));
}

/** Kills every orchestrator process a test file started and has not stopped (for afterAll). */
export async function killAllOrchestrators(): Promise<void> {
  await Promise.all([...started].map(p => p.kill()));
}

function parseLine(line: string): LogLine {
  try {
    const parsed = JSON.parse(line) as LogLine;
    if (typeof parsed === "object" && parsed !== null && typeof parsed.msg === "string") return parsed;
  } catch {
    // not JSON: keep it as a message
  }
  return { level: 0, msg: line };
}
