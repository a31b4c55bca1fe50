import pino from "pino";
import type { RemediationRequestClient } from "../k8s/rr-client";
import type { RemediationRequest, StormAggregationStatus } from "../model/remediation-request";
import { GatewayMetrics } from "./metrics";
import { StormTracker } from "./storm-tracker";
import { testSpec } from "../../test/helpers/rr-spec";

const FINGERPRINT = "a".repeat(64);

function rr(count: number, stormAggregation?: StormAggregationStatus): RemediationRequest {
  return {
    apiVersion: "kubernaut.ai/v1alpha1",
    kind: "RemediationRequest",
    metadata: { name: "rr-1", resourceVersion: "1" },
    spec: testSpec(FINGERPRINT, { signalName: "X" }),
    status: { deduplication: { occurrenceCount: count }, stormAggregation },
  };
}

/** A tracker (threshold 3 in a minute, 10 ms refresh) whose writes are recorded; `known` is what its cache shows. */
function tracker(known: () => RemediationRequest | undefined = () => undefined) {
  const writes: StormAggregationStatus[] = [];
  const rrs = {
    async applyStatus(_name: string, { stormAggregation }: { stormAggregation: StormAggregationStatus }): Promise<RemediationRequest> {
      writes.push(stormAggregation);
      return rr(stormAggregation.aggregatedCount ?? 0, stormAggregation);
    },
  };
  const storm = new StormTracker({ threshold: 3, windowMs: 60_000 }, rrs as unknown as RemediationRequestClient, new GatewayMetrics(), pino({ level: "silent" }), {
    flushIntervalMs: 10,
    current: () => known(),
    random: () => 0,
  });
  return { storm, writes };
}

const settle = (): Promise<void> => new Promise(r => setTimeout(r, 50));

describe("StormTracker", () => {
  it("writes the storm status once the occurrences in the window reach the threshold", async () => {
    const { storm, writes } = tracker();
    storm.observe(rr(1), 1);
    storm.observe(rr(2), 1);
    await settle();
    expect(writes).toEqual([]);
    storm.observe(rr(5), 3);
    await settle();
    expect(writes).toMatchObject([{ isPartOfStorm: true, aggregatedCount: 5 }]);
    await storm.stop();
  });

  it("skips the write when another replica has already written the storm with a count as high", async () => {
    const { storm, writes } = tracker(() => rr(7, { isPartOfStorm: true, aggregatedCount: 7, stormDetectedAt: "2026-11-28T00:00:00Z" }));
    storm.observe(rr(5), 5);
    await settle();
    expect(writes).toEqual([]);
    await storm.stop();
  });

  it("writes when its count is higher than the one the RR shows (never lowers it)", async () => {
    const { storm, writes } = tracker(() => rr(4, { isPartOfStorm: true, aggregatedCount: 4, stormDetectedAt: "2026-11-28T00:00:00Z" }));
    storm.observe(rr(4, { isPartOfStorm: true, aggregatedCount: 4, stormDetectedAt: "2026-11-28T00:00:00Z" }), 0);
    storm.observe(rr(9, { isPartOfStorm: true, aggregatedCount: 4, stormDetectedAt: "2026-11-28T00:00:00Z" }), 5);
    await settle();
    expect(writes).toMatchObject([{ aggregatedCount: 9, stormDetectedAt: "2026-11-28T00:00:00Z" }]);
    await storm.stop();
  });
});
