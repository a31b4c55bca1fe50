import pino from "pino";
import type { RemediationRequestClient } from "../k8s/rr-client";
import type { RemediationRequest, StormAggregationStatus } from "../model/remediation-request";
import { GatewayMetrics } from "./metrics";
import { ConflictError } from "../k8s/errors";
import { StormTracker, type StormTrackerOptions } from "./storm-tracker";
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
function tracker(known: () => RemediationRequest | undefined = () => undefined, options: StormTrackerOptions = {}) {
  const writes: StormAggregationStatus[] = [];
  const rrs = {
    get: async (): Promise<RemediationRequest> => known() ?? rr(0),
    async applyStatus(_name: string, { stormAggregation }: { stormAggregation: StormAggregationStatus }): Promise<RemediationRequest> {
      writes.push(stormAggregation);
      return rr(stormAggregation.aggregatedCount ?? 0, stormAggregation);
    },
  };
  const storm = new StormTracker({ threshold: 3, windowMs: 60_000 }, rrs as unknown as RemediationRequestClient, new GatewayMetrics(), pino({ level: "silent" }), {
    flushIntervalMs: 10,
    current: () => known(),
    random: () => 0,
    ...options,
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

  it("writes through betweenCountWrites with the problem's fingerprint, so the write never overlaps a count write of that problem", async () => {
    const serialized: string[] = [];
    const { storm, writes } = tracker(undefined, {
      betweenCountWrites: async (fingerprint, write) => {
        serialized.push(fingerprint);
        await write();
      },
    });
    storm.observe(rr(5), 5);
    await settle();
    expect(serialized).toEqual([FINGERPRINT]);
    expect(writes).toMatchObject([{ aggregatedCount: 5 }]);
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

  it("writes the RR's own count when it is ahead of this replica's, so a replica flushing later finds the storm written", async () => {
    // Replica A saw the storm at 5; the RR has reached 12 through the other replicas' writes.
    const a = tracker(() => rr(12));
    a.storm.observe(rr(5), 5);
    await settle();
    expect(a.writes).toMatchObject([{ isPartOfStorm: true, aggregatedCount: 12 }]);
    await a.storm.stop();
    // Replica B saw the same storm at 9 and flushes after A's write reached its cache: nothing to write.
    const b = tracker(() => rr(12, a.writes[0]));
    b.storm.observe(rr(9), 9);
    await settle();
    expect(b.writes).toEqual([]);
    await b.storm.stop();
  });

  describe("aggregatedCount never goes backwards", () => {
    /**
     * One RR on a fake API server: a status apply takes the next of `latencies`
     * (ms) and honours the resourceVersion precondition when it lands, as the
     * API server does; every landed write's aggregatedCount is kept in order.
     */
    class OneRR {
      rr: RemediationRequest = rr(0);
      readonly landed: number[] = [];
      writing = 0;
      mostWritingAtOnce = 0;
      private writes = 0;
      constructor(private readonly latencies: number[]) {}
      get = async (): Promise<RemediationRequest> => structuredClone(this.rr);
      applyStatus = async (_name: string, { stormAggregation }: { stormAggregation: StormAggregationStatus }, { resourceVersion }: { resourceVersion?: string }): Promise<RemediationRequest> => {
        this.writing++;
        this.mostWritingAtOnce = Math.max(this.mostWritingAtOnce, this.writing);
        await new Promise(r => setTimeout(r, this.latencies[this.writes++ % this.latencies.length]));
        this.writing--;
        if (resourceVersion !== undefined && resourceVersion !== this.rr.metadata.resourceVersion) {
          throw new ConflictError("Operation cannot be fulfilled: the object has been modified", { reason: "Conflict", code: 409 });
        }
        this.commit({ ...this.rr.status, stormAggregation });
        this.landed.push(stormAggregation.aggregatedCount ?? 0);
        return structuredClone(this.rr);
      };
      /** Any other write (a count write, another replica's storm write): moves the resourceVersion. */
      commit(status: RemediationRequest["status"]): void {
        this.rr = { ...this.rr, metadata: { ...this.rr.metadata, resourceVersion: String(Number(this.rr.metadata.resourceVersion) + 1) }, status };
      }
    }

    const newTracker = (server: OneRR, current: () => RemediationRequest | undefined) =>
      new StormTracker({ threshold: 3, windowMs: 60_000 }, server as unknown as RemediationRequestClient, new GatewayMetrics(), pino({ level: "silent" }), {
        flushIntervalMs: 10,
        current,
        random: () => 0,
      });
    const isNonDecreasing = (list: number[]): boolean => list.every((n, i) => i === 0 || n >= list[i - 1]);

    it("writes one flush at a time, even when writes take longer than the refresh interval and their latency varies", async () => {
      // A slow write then a fast one: overlapping flushes would land the newer count first, then the older.
      const server = new OneRR([80, 5]);
      const storm = newTracker(server, () => server.rr);
      for (let count = 1; count <= 40; count++) {
        storm.observe(rr(count), 1);
        await new Promise(r => setTimeout(r, 7));
      }
      await storm.stop();
      expect(server.mostWritingAtOnce).toBe(1);
      expect(server.landed.length).toBeGreaterThan(1);
      expect(isNonDecreasing(server.landed)).toBe(true);
      expect(server.rr.status?.stormAggregation?.aggregatedCount).toBe(40);
    });

    it("does not lower a count another replica wrote while its own view was stale: the stale write fails and is decided again", async () => {
      const server = new OneRR([5]);
      const stale = structuredClone(server.rr); // this replica's cache, before the other replica's write
      server.commit({ deduplication: { occurrenceCount: 20 }, stormAggregation: { isPartOfStorm: true, aggregatedCount: 20, stormDetectedAt: "2026-11-28T00:00:00Z" } });
      const storm = newTracker(server, () => stale);
      storm.observe(rr(9), 9);
      await storm.stop();
      expect(server.landed).toEqual([]);
      expect(server.rr.status?.stormAggregation?.aggregatedCount).toBe(20);
    });

    it("keeps the count for the next flush when the RR changes under every attempt, and writes it then", async () => {
      const server = new OneRR([5]);
      let busy = true;
      const applyStatus = server.applyStatus;
      server.applyStatus = async (...args) => {
        if (busy) server.commit(server.rr.status); // a count write lands just before each storm write
        return applyStatus(...args);
      };
      const storm = newTracker(server, () => server.rr);
      storm.observe(rr(5), 5);
      await new Promise(r => setTimeout(r, 100));
      expect(server.landed).toEqual([]);
      busy = false;
      storm.observe(rr(6), 1);
      await storm.stop();
      // The kept 5 and the newer 6 may land as one write or two, in order.
      expect(server.landed.at(-1)).toBe(6);
      expect(isNonDecreasing(server.landed)).toBe(true);
    });
  });
});
