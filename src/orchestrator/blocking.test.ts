import type { RemediationRequest } from "../model/remediation-request";
import { blockDecision, consecutiveFailures } from "./blocking";

const FP = "a".repeat(64);

/** An RR of fingerprint FP: phase and completedAt second (t) are all a test needs. */
function rr(name: string, phase?: string, t = 0, extra: { failurePhase?: string; fingerprint?: string; createdAt?: string } = {}): RemediationRequest {
  return {
    apiVersion: "kubernaut.ai/v1alpha1",
    kind: "RemediationRequest",
    metadata: { name, creationTimestamp: extra.createdAt ?? "2025-01-01T00:00:00Z" },
    spec: { signalFingerprint: extra.fingerprint ?? FP, signalName: "A" },
    status: phase
      ? { overallPhase: phase, completedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, t)).toISOString(), completionStatus: extra.failurePhase ? { failurePhase: extra.failurePhase } : undefined }
      : undefined,
  };
}

const current = rr("new");

describe("consecutiveFailures", () => {
  it.each<[string, RemediationRequest[], number]>([
    ["no predecessors", [], 0],
    ["the RR itself is not its own predecessor", [current], 0],
    ["three failures", [rr("f1", "Failed", 1), rr("f2", "Failed", 2), rr("f3", "Failed", 3)], 3],
    ["a success ends the run (newest first)", [rr("f1", "Failed", 1), rr("ok", "Completed", 2), rr("f3", "Failed", 3), rr("f4", "Failed", 4)], 2],
    ["a success newer than all failures resets to 0", [rr("f1", "Failed", 1), rr("f2", "Failed", 2), rr("ok", "Completed", 3)], 0],
    ["order comes from completedAt, not list order", [rr("f3", "Failed", 3), rr("ok", "Completed", 2), rr("f1", "Failed", 1)], 1],
    ["an expired block ends the run", [rr("f1", "Failed", 1), rr("f2", "Failed", 2), rr("f3", "Failed", 3), rr("b", "Failed", 4, { failurePhase: "Blocked" }), rr("f5", "Failed", 5)], 1],
    ["TimedOut, Skipped and Cancelled are skipped", [rr("f1", "Failed", 1), rr("t", "TimedOut", 2), rr("f3", "Failed", 3), rr("s", "Skipped", 4), rr("c", "Cancelled", 5)], 2],
    ["active RRs are skipped", [rr("f1", "Failed", 1), rr("active", "Executing", 2), rr("pending")], 1],
    ["other fingerprints are ignored", [rr("f1", "Failed", 1), rr("x", "Failed", 2, { fingerprint: "b".repeat(64) })], 1],
    ["RRs created after this one are not predecessors", [rr("f1", "Failed", 1), rr("later", "Failed", 2, { createdAt: "2025-01-01T00:01:00Z" })], 1],
  ])("%s → %i", (_title, history, count) => {
    expect(consecutiveFailures(current, history).count).toBe(count);
  });

  it("names the failed predecessors newest first", () => {
    expect(consecutiveFailures(current, [rr("f1", "Failed", 1), rr("f3", "Failed", 3), rr("f2", "Failed", 2)]).names).toEqual(["f3", "f2", "f1"]);
  });
});

describe("blockDecision", () => {
  const failures = (n: number): RemediationRequest[] => Array.from({ length: n }, (_, i) => rr(`f${i}`, "Failed", i));
  it.each([
    [2, 3, false],
    [3, 3, true],
    [4, 3, true],
    [1, 1, true],
    [0, 1, false],
  ])("%i failures with threshold %i → blocked %p", (n, threshold, blocked) => {
    expect(blockDecision(current, failures(n), threshold)).toMatchObject({ blocked, count: n });
  });
});
