import type { LifecycleStatus, RemediationRequestStatus } from "../model/remediation-request";
import { KUBERNAUT_ADDITIONS } from "../model/kubernaut-additions";
import { OWNED_FIELDS, ownedStatus, sameStatus } from "./owned-status";

describe("ownedStatus", () => {
  const status: RemediationRequestStatus = {
    overallPhase: "Blocked",
    startTime: "2025-01-01T00:00:00.000Z",
    routingStatus: { blockReason: "ConsecutiveFailures", consecutiveFailureCount: 3 },
    conditions: [{ type: "Ready", status: "True", reason: "Verifying", message: "m", lastTransitionTime: "2025-01-01T00:00:00.000Z" }],
    deduplication: { occurrenceCount: 9 },
    stormAggregation: { aggregatedCount: 2, isPartOfStorm: true },
  };

  it("never carries the gateway's sections", () => {
    const owned = ownedStatus(status) as RemediationRequestStatus;
    expect(owned.deduplication).toBeUndefined();
    expect(owned.stormAggregation).toBeUndefined();
    expect(Object.keys(owned).every(k => (OWNED_FIELDS as readonly string[]).includes(k))).toBe(true);
  });

  it("copies deeply, so changing the result never changes the RR", () => {
    const owned = ownedStatus(status);
    owned.routingStatus!.consecutiveFailureCount = 4;
    owned.conditions![0].status = "False";
    expect(status.routingStatus?.consecutiveFailureCount).toBe(3);
    expect(status.conditions?.[0].status).toBe("True");
  });

  it("holds kubernaut's fields only: none of rr-gateway's CRD additions (src/model/kubernaut-additions.ts)", () => {
    for (const field of OWNED_FIELDS) {
      for (const addition of KUBERNAUT_ADDITIONS.fields) expect(`status.${field}`.startsWith(addition) || addition.startsWith(`status.${field}.`)).toBe(false);
    }
  });

  it("is empty for an RR without status", () => {
    expect(ownedStatus(undefined)).toEqual({});
  });
});

describe("sameStatus", () => {
  it.each<[string, LifecycleStatus, LifecycleStatus, boolean]>([
    ["key order does not matter", { overallPhase: "Pending", startTime: "t" }, { startTime: "t", overallPhase: "Pending" }, true],
    ["undefined fields do not matter", { overallPhase: "Pending", message: undefined }, { overallPhase: "Pending" }, true],
    ["nested values matter", { routingStatus: { consecutiveFailureCount: 3 } }, { routingStatus: { consecutiveFailureCount: 4 } }, false],
    ["condition order matters", { conditions: [condition("A"), condition("B")] }, { conditions: [condition("B"), condition("A")] }, false],
    ["a new field matters", { overallPhase: "Pending" }, { overallPhase: "Pending", message: "m" }, false],
  ])("%s", (_title, a, b, same) => {
    expect(sameStatus(a, b)).toBe(same);
  });
});

function condition(type: string): NonNullable<LifecycleStatus["conditions"]>[number] {
  return { type, status: "True", reason: "R", message: "m", lastTransitionTime: "2025-01-01T00:00:00.000Z" };
}
