import { performance } from "node:perf_hooks";
import { parseAlertmanagerWebhook } from "../../src/signal/alertmanager";
import { resourceFingerprint } from "../../src/dedup/fingerprint";
import { DEFAULT_SIGNAL_LIMITS } from "../../src/signal/limits";
import { jsonDepth } from "../../src/gateway/body";
import { alert, webhook } from "../../test/helpers/signals";
import type { BenchContext } from "../context";
import type { Measurements } from "../results";
import { round, summarize } from "../stats";

/**
 * Scenario 8: what the gateway does to a payload before any I/O (JSON.parse,
 * the depth check, parsing and validating the Alertmanager payload, the
 * fingerprint), in this process, on one core. Payloads of 1 and of 10
 * alerts; figures are per signal.
 */
export function micro(ctx: BenchContext): Measurements {
  const { microMs } = ctx.options.sizes;
  const shapes: [string, number][] = [
    ["8a", 1],
    ["8b", 10],
  ];
  const out: Measurements = {};
  for (const [id, alerts] of shapes) {
    const label = `parse + fingerprint, ${alerts} alert${alerts > 1 ? "s" : ""} per payload`;
    ctx.log(`  ${label}`);
    const text = JSON.stringify(
      webhook(Array.from({ length: alerts }, (_, i) => alert({ alertname: "MicroBench", pod: `web-${i}-7d9f8b6c5d-x2x4z`, namespace: "shop", labels: { container: "web", job: "kubelet" } }))),
    );
    const once = (): number => {
      const body = JSON.parse(text) as unknown;
      if (jsonDepth(body, 32) > 32) throw new Error("too deep");
      let n = 0;
      for (const a of parseAlertmanagerWebhook(body, DEFAULT_SIGNAL_LIMITS).alerts) if (a.ok && resourceFingerprint(a.signal)) n++;
      return n;
    };
    run(once, Math.min(500, microMs / 4)); // warm-up: let the JIT settle
    const { latencies, wallMs, signals } = run(once, microMs);
    const stats = summarize(latencies, wallMs);
    out[id] = {
      label,
      concurrency: 1,
      ...stats,
      // Per signal, on one core: the measuring loop is single-threaded.
      throughputPerS: round((signals * 1000) / wallMs, 0),
      extra: { alertsPerPayload: alerts, payloadBytes: Buffer.byteLength(text), payloadsPerS: stats.throughputPerS, latencyIsPerPayload: true },
    };
  }
  return out;
}

function run(once: () => number, forMs: number): { latencies: number[]; wallMs: number; signals: number } {
  const latencies: number[] = [];
  let signals = 0;
  const started = performance.now();
  const until = started + forMs;
  for (let t0 = started; t0 < until; ) {
    signals += once();
    const t1 = performance.now();
    latencies.push(t1 - t0);
    t0 = t1;
  }
  return { latencies, wallMs: performance.now() - started, signals };
}
