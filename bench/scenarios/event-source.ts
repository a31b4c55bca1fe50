import { performance } from "node:perf_hooks";
import { mapConcurrent } from "../../src/gateway/map-concurrent";
import { startGatewayProcess } from "../../test/integration/helpers/gateway-process";
import { scrapeSum } from "../../test/helpers/metrics";
import { freshNamespace, type BenchContext } from "../context";
import { apiserverWrites, writeDelta } from "../metrics";
import type { Measurements } from "../results";
import { round, summarize } from "../stats";

/** Event writes in flight from the bench (a busy cluster's kubelets and controllers). */
const WRITERS = 32;

/**
 * Scenario 12: a burst of Warning events (5,000 over 100 problems; quick:
 * 1,000 over 20) written as fast as the API server takes them, watched by
 * the built-in event source of one gateway process with the default pacing
 * (EVENT_SOURCE_MAX_SIGNALS_PER_SECOND=1). Reports the RR writes per event
 * (the API server's own count), the time until every occurrence is on its
 * RR after the last event was written, and whether the counts are exact.
 */
export async function eventSource(ctx: BenchContext): Promise<Measurements> {
  const events = ctx.options.quick ? 1_000 : 5_000;
  const problems = ctx.options.quick ? 20 : 100;
  const [rrNamespace, eventNamespace] = [await freshNamespace(ctx, "bench-events-rrs"), await freshNamespace(ctx, "bench-events")];
  const gw = await startGatewayProcess(rrNamespace, {
    KUBECONFIG: ctx.plane.kubeconfig("gateway"),
    LOG_LEVEL: "warn",
    EVENT_SOURCE_ENABLED: "true",
    EVENT_SOURCE_NAMESPACES: eventNamespace,
  });
  try {
    const deadline = Date.now() + 60_000;
    while ((await scrapeSum(gw.url, "rr_gateway_event_source_leader")) !== 1) {
      if (Date.now() > deadline) throw new Error("the event source did not take its Lease within 60 s");
      await new Promise(resolve => setTimeout(resolve, 200));
    }
    const before = await apiserverWrites(ctx.admin);
    const gatewayBefore = await scrapeSum(gw.url, "rr_gateway_api_writes_total");
    const t0 = performance.now();
    // Each event is a new Event object (count 1) about one of the problems' pods, round robin.
    await mapConcurrent(
      Array.from({ length: events }, (_, i) => i),
      WRITERS,
      async i => {
        const pod = `web-${i % problems}`;
        await ctx.admin.request({
          method: "POST",
          path: `/api/v1/namespaces/${eventNamespace}/events`,
          body: { apiVersion: "v1", kind: "Event", metadata: { name: `${pod}.${i}` }, involvedObject: { apiVersion: "v1", kind: "Pod", name: pod, namespace: eventNamespace }, reason: "BackOff", message: `Back-off restarting failed container (${i})`, type: "Warning", count: 1, source: { component: "kubelet" } },
          what: `create Event ${i}`,
        });
      },
    );
    const writtenMs = performance.now() - t0;
    ctx.log(`  ${events} events written in ${round(writtenMs / 1000, 1)} s`);
    const rrs = await ctx.env.rrClient("admin", rrNamespace);
    // A busy API server may time a list out: that poll counts as "not yet".
    const total = async (): Promise<number> => (await rrs.list().catch(() => ({ items: [] }))).items.reduce((sum, rr) => sum + (rr.status?.deduplication?.occurrenceCount ?? 0), 0);
    let counted = 0;
    const drainDeadline = Date.now() + 300_000;
    while ((counted = await total()) < events && Date.now() < drainDeadline) await new Promise(resolve => setTimeout(resolve, 250));
    const doneMs = performance.now() - t0;
    await new Promise(resolve => setTimeout(resolve, 1_500)); // a late double count would show now
    counted = await total();
    const apiserver = writeDelta(before, await apiserverWrites(ctx.admin));
    const gatewayWrites = (await scrapeSum(gw.url, "rr_gateway_api_writes_total")) - gatewayBefore;
    const rrCount = (await rrs.list()).items.length;
    ctx.log(`  all counted ${round((doneMs - writtenMs) / 1000, 1)} s after the last event: ${counted} occurrences on ${rrCount} RRs, ${apiserver.total} RR writes`);
    return {
      "12": {
        label: `${events} Warning events over ${problems} problems, built-in event source`,
        concurrency: WRITERS,
        ...summarize([doneMs - writtenMs], doneMs, counted === events && rrCount === problems ? 0 : 1),
        throughputPerS: round((events * 1000) / doneMs, 1),
        writes: { apiserver, gateway: { total: gatewayWrites, byKind: {} }, perSignal: round(apiserver.total / events, 4) },
        extra: { events, problems, rrs: rrCount, occurrencesCounted: counted, eventsWrittenMs: round(writtenMs, 1), allCountedMs: round(doneMs, 1), writesPerProblem: round(apiserver.total / problems, 1), writesPerProblemSecond: round(apiserver.total / problems / (doneMs / 1000), 3) },
      },
    };
  } finally {
    await gw.kill("SIGTERM");
  }
}
