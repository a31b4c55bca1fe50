import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { nodeDownGroup } from "../../test/helpers/alert-group";
import { post, PROMETHEUS_PATH } from "../../test/helpers/signals";
import { startGatewayProcess } from "../../test/integration/helpers/gateway-process";
import { freshNamespace, type BenchContext } from "../context";
import type { Measurements } from "../results";
import { round, summarize } from "../stats";

/**
 * Scenario 9: one Alertmanager group of many new problems (a node going
 * down: nodeDownGroup) against a 1-alert payload, each on a gateway process
 * of its own with default limits: the time to answer, and the process's peak
 * resident memory (VmHWM: the most it ever held, start-up included), so the
 * ratio shows what holding and recording a large group costs.
 */
export async function largeGroup(ctx: BenchContext): Promise<Measurements> {
  const alerts = ctx.options.sizes.largeGroupAlerts;
  const one = await measure(ctx, 1);
  const many = await measure(ctx, alerts);
  return {
    "9a": one,
    "9b": { ...many, label: `a ${alerts}-alert Alertmanager group of new problems` },
  };
}

async function measure(ctx: BenchContext, alerts: number): Promise<Measurements[string]> {
  const namespace = await freshNamespace(ctx, `bench-group-${alerts}`);
  const gw = await startGatewayProcess(namespace, { KUBECONFIG: ctx.plane.kubeconfig("gateway"), LOG_LEVEL: "warn" });
  try {
    const payload = JSON.stringify(nodeDownGroup(alerts, { prefix: `g${alerts}` }));
    const peakBefore = peakRssBytes(gw.child.pid!);
    ctx.log(`  ${alerts}-alert payload (${round(payload.length / 1024 / 1024, 2)} MiB)`);
    const t0 = performance.now();
    const reply = await post(gw.url, PROMETHEUS_PATH, payload);
    const ms = performance.now() - t0;
    const created = alerts === 1 ? (reply.body.status === "created" ? 1 : 0) : (reply.body.summary?.created ?? 0);
    return {
      label: "a 1-alert payload of a new problem",
      concurrency: 1,
      ...summarize([ms], ms, created === alerts ? 0 : 1),
      extra: {
        alerts,
        payloadBytes: payload.length,
        status: reply.status,
        created,
        msPerAlert: round(ms / alerts, 3),
        peakRssMB: round(peakRssBytes(gw.child.pid!) / 1024 / 1024, 1),
        peakRssBeforeMB: round(peakBefore / 1024 / 1024, 1),
      },
    };
  } finally {
    await gw.kill("SIGTERM");
  }
}

/** The peak resident set size of a process so far (Linux: VmHWM in /proc/PID/status). */
function peakRssBytes(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return kb ? Number(kb[1]) * 1024 : NaN;
}
