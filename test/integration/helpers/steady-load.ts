import { Agent, request } from "undici";
import { resourceFingerprint } from "../../../src/dedup/fingerprint";
import type { RemediationRequestClient } from "../../../src/k8s/rr-client";
import { alert, PROMETHEUS_PATH, webhook } from "../../helpers/signals";

/** One signal sent and what came back. status 0: no HTTP answer (connection refused or reset). */
export interface SentSignal {
  pod: string;
  target: string;
  status: number;
  /** The occurrence count a 2xx carried. */
  count?: number;
  code?: string;
  retryAfter?: string;
  error?: string;
  sentAt: number;
  ms: number;
}

export interface SteadyLoadOptions {
  /** Gateway base URLs; worker i sends to targets[i % n]. */
  targets: string[];
  /** Signals in flight at once. */
  workers?: number;
  /** Share of signals that start a new problem; the rest repeat a known one. */
  newShare?: number;
  /** Pause after each answer, and after a failure (a sender backing off). */
  pauseMs?: number;
  failurePauseMs?: number;
  /** Makes pod names unique to this load. */
  prefix: string;
  alertname?: string;
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/**
 * A steady, bounded load of single-alert Alertmanager payloads, new problems
 * and repeats, over loopback. Every answer is kept, so that afterwards each
 * signal can be checked against what the RemediationRequests recorded.
 */
export class SteadyLoad {
  readonly sent: SentSignal[] = [];
  private readonly pods: string[] = [];
  private readonly agent: Agent;
  private running: Promise<void>[] = [];
  private stopping = false;
  private readonly options: Required<SteadyLoadOptions>;

  constructor(options: SteadyLoadOptions) {
    this.options = { workers: 4, newShare: 0.25, pauseMs: 10, failurePauseMs: 50, alertname: "FaultLoad", ...options };
    // Patient senders: the gateway may hold a signal while it learns whether a write without an answer landed.
    this.agent = new Agent({ connections: this.options.workers, headersTimeout: 300_000, bodyTimeout: 300_000 });
  }

  start(): void {
    this.stopping = false;
    this.running = Array.from({ length: this.options.workers }, (_, i) => this.worker(i));
  }

  /** Lets the signals in flight finish, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  async close(): Promise<void> {
    await this.stop();
    await this.agent.close();
  }

  /** Signals sent at or after a time (ms since the epoch). */
  since(time: number): SentSignal[] {
    return this.sent.filter(s => s.sentAt >= time);
  }

  private pickPod(): string {
    if (this.pods.length === 0 || Math.random() < this.options.newShare) {
      const pod = `${this.options.prefix}-${this.pods.length}`;
      this.pods.push(pod);
      return pod;
    }
    return this.pods[Math.floor(Math.random() * this.pods.length)];
  }

  /** Sends one signal of a new problem now, besides the load, and keeps its answer with the others. */
  async sendOne(target: string): Promise<SentSignal> {
    const pod = `${this.options.prefix}-${this.pods.length}`;
    this.pods.push(pod);
    const answer = await this.send(target, pod);
    this.sent.push(answer);
    return answer;
  }

  /** Sends what went to one gateway to another from now on (a replacement replica). */
  retarget(from: string, to: string): void {
    this.options.targets = this.options.targets.map(t => (t === from ? to : t));
  }

  private async worker(index: number): Promise<void> {
    while (!this.stopping) {
      const target = this.options.targets[index % this.options.targets.length];
      const answer = await this.send(target, this.pickPod());
      this.sent.push(answer);
      await sleep(answer.status >= 200 && answer.status < 300 ? this.options.pauseMs : this.options.failurePauseMs);
    }
  }

  private async send(target: string, pod: string): Promise<SentSignal> {
    const sentAt = Date.now();
    const body = JSON.stringify(webhook([alert({ alertname: this.options.alertname, pod })]));
    try {
      const res = await request(target + PROMETHEUS_PATH, { method: "POST", dispatcher: this.agent, headers: { "content-type": "application/json" }, body });
      const text = await res.body.text();
      const parsed = parseJson(text) as { metadata?: { count?: number }; code?: string } | undefined;
      return {
        pod,
        target,
        status: res.statusCode,
        count: parsed?.metadata?.count,
        code: parsed?.code,
        retryAfter: res.headers["retry-after"] as string | undefined,
        sentAt,
        ms: Date.now() - sentAt,
      };
    } catch (err) {
      return { pod, target, status: 0, error: (err as NodeJS.ErrnoException).code ?? String(err), sentAt, ms: Date.now() - sentAt };
    }
  }

  get alertname(): string {
    return this.options.alertname;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What the RemediationRequests say about a load's signals. */
export interface LoadAccount {
  sent: number;
  ok: number;
  failed5xx: number;
  connectionErrors: number;
  /** Answers that are none of 2xx, 503, or no answer from a gateway that had exited. */
  unexpected: string[];
  /** Sum of occurrenceCount over the load's RRs. */
  recorded: number;
  /** Problems with more than one RR. */
  duplicates: number;
  /** Signals answered 2xx but not counted. */
  lost: number;
  /** Counted signals that were not answered 2xx (at least once, not exactly once). */
  extra: number;
  /** Problems whose 2xx answers did not carry the counts 1..n, each once. */
  badCounts: string[];
}

/**
 * Checks every signal of a load against the RRs: per problem, the number of
 * 2xx answers equals the RR's occurrenceCount, the answers carried 1..n each
 * once, and there is one RR. A signal without an answer is fine only when
 * `gone(signal)` says its gateway had been stopped and exited: a gateway that
 * is up must answer (2xx, or 503 with Retry-After), whatever else fails.
 */
export async function account(load: SteadyLoad, admin: RemediationRequestClient, gone: (signal: SentSignal) => boolean): Promise<LoadAccount> {
  const byFingerprint = new Map<string, { count: number; rrs: number }>();
  for (const rr of (await admin.list()).items) {
    const entry = byFingerprint.get(rr.spec.signalFingerprint) ?? { count: 0, rrs: 0 };
    entry.count += rr.status?.deduplication?.occurrenceCount ?? 0;
    entry.rrs++;
    byFingerprint.set(rr.spec.signalFingerprint, entry);
  }
  const byPod = new Map<string, SentSignal[]>();
  for (const s of load.sent) byPod.set(s.pod, [...(byPod.get(s.pod) ?? []), s]);

  const result: LoadAccount = { sent: load.sent.length, ok: 0, failed5xx: 0, connectionErrors: 0, unexpected: [], recorded: 0, duplicates: 0, lost: 0, extra: 0, badCounts: [] };
  for (const [pod, signals] of byPod) {
    const fingerprint = resourceFingerprint({ name: load.alertname, target: { kind: "Pod", name: pod, namespace: "prod" } });
    accountProblem(result, pod, signals, byFingerprint.get(fingerprint) ?? { count: 0, rrs: 0 }, gone);
  }
  return result;
}

/** Adds one problem's signals and RRs to the account. */
function accountProblem(result: LoadAccount, pod: string, signals: SentSignal[], rr: { count: number; rrs: number }, gone: (signal: SentSignal) => boolean): void {
  const ok = signals.filter(s => s.status >= 200 && s.status < 300);
  result.ok += ok.length;
  result.failed5xx += signals.filter(s => s.status === 503).length;
  result.connectionErrors += signals.filter(s => s.status === 0).length;
  for (const s of signals) {
    if (!(s.status === 0 || s.status === 503 || (s.status >= 200 && s.status < 300))) result.unexpected.push(`${pod}: ${s.status} ${s.code ?? ""} ${s.error ?? ""}`);
    if (s.status === 503 && !s.retryAfter) result.unexpected.push(`${pod}: 503 without Retry-After`);
    if (s.status === 0 && !gone(s)) result.unexpected.push(`${pod}: no answer (${s.error}) from ${s.target}, a gateway that had not been stopped and exited`);
  }
  result.recorded += rr.count;
  result.duplicates += Math.max(0, rr.rrs - 1);
  result.lost += Math.max(0, ok.length - rr.count);
  result.extra += Math.max(0, rr.count - ok.length);
  const counts = ok.map(s => s.count ?? 0).sort((a, b) => a - b);
  if (counts.some((c, i) => c !== i + 1)) {
    const answers = signals.map(s => `${s.status}${s.count ? `#${s.count}` : ""}${s.code ? ` ${s.code}` : ""}${s.error ? ` ${s.error}` : ""} after ${s.ms} ms`);
    result.badCounts.push(`${pod}: ${counts.join(",")} (recorded ${rr.count}); answers: ${answers.join("; ")}`);
  }
}

/** Median and maximum of a list of durations. */
export function spread(ms: number[]): { p50: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
}
