import { request } from "undici";
import type { SignalReply } from "./exactly-once-check";
import { PROMETHEUS_PATH } from "./signals";

/** One signal's reply in a burst, with where it went and how long it took. */
export interface BurstReply extends SignalReply {
  /** Index of the signal in the burst. */
  index: number;
  /** Which replica (slot) it was sent to. */
  slot: number;
  /** From sending the request to reading the whole response. */
  ms: number;
  /** The parsed response body (2xx: the signal response; 5xx: the problem document). */
  body?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response shapes vary by status
  /** Why no response came (status 0). */
  error?: string;
}

export interface BurstOptions {
  /** Number of signals: bounded, loopback only. */
  count: number;
  /** The replica signal i goes to, decided when it is sent (so a dead replica can be skipped). */
  target: (i: number) => { slot: number; url: string };
  /** The request body of signal i (an Alertmanager webhook payload). */
  body: (i: number) => unknown;
  path?: string;
  /** Most requests in flight at once (default: all of them at once). */
  concurrency?: number;
  /**
   * Called after each reply, with every reply so far (to script a phase change
   * or a crash mid-burst). If it returns a promise, no further signal is sent
   * until it settles (those in flight go on): what it does is then known to
   * fall between the signals before and after it.
   */
  onReply?: (reply: BurstReply, replies: readonly BurstReply[]) => void | Promise<unknown>;
  /** Per-request limit (default 30 s). */
  timeoutMs?: number;
}

/**
 * Fires a burst of signals at gateway replicas and collects every reply. A
 * request that gets no response (refused, reset, timed out) is a reply with
 * status 0 and the error: the driver never throws for a failed signal.
 */
export async function fireBurst(options: BurstOptions): Promise<BurstReply[]> {
  const { count, concurrency = count, timeoutMs = 30_000, path = PROMETHEUS_PATH } = options;
  const replies: BurstReply[] = [];
  let next = 0;
  let gate: Promise<unknown> | undefined;
  const worker = async (): Promise<void> => {
    for (;;) {
      while (gate) await gate;
      if (next >= count) return;
      const index = next++;
      const { slot, url } = options.target(index);
      const reply = await send(index, slot, url + path, options.body(index), timeoutMs);
      replies.push(reply);
      const hold = options.onReply?.(reply, replies);
      if (hold) {
        const held: Promise<unknown> = hold.finally(() => {
          if (gate === held) gate = undefined;
        });
        gate = held;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return replies.sort((a, b) => a.index - b.index);
}

async function send(index: number, slot: number, url: string, body: unknown, timeoutMs: number): Promise<BurstReply> {
  const started = performance.now();
  try {
    const res = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    let parsed: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return {
      index,
      slot,
      status: res.statusCode,
      rrName: ok ? parsed?.remediationRequestName : undefined,
      count: ok ? parsed?.metadata?.count : undefined,
      body: parsed,
      ms: performance.now() - started,
    };
  } catch (err) {
    return { index, slot, status: 0, error: String((err as { code?: string }).code ?? err), ms: performance.now() - started };
  }
}

/** The p-th percentile (0..100) of some numbers, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
