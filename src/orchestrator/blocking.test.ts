import type { Outcome as CompletionOutcome, RemediationRequest, RemediationRequestStatus } from "../model/remediation-request";
import { minimalRR } from "../../test/helpers/minimal-rr";
import { blockDecision, blockMessage, consecutiveFailures, fingerprintHistory } from "./blocking";

/**
 * kubernaut's rules (pkg/remediationorchestrator/routing/blocking.go), one
 * case each; docs/orchestrator.md lists them with their sources.
 */
const FP = "a".repeat(64);

/** An RR of fingerprint FP created `t` seconds after the first one. */
function rr(name: string, status?: RemediationRequestStatus, t = 0, extra: { fingerprint?: string; targetNamespace?: string; uid?: string; startTime?: string } = {}): RemediationRequest {
  return minimalRR({
    metadata: { name, uid: extra.uid ?? `uid-${name}`, creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, t)).toISOString() },
    spec: { signalFingerprint: extra.fingerprint ?? FP, targetResource: { kind: "Pod", name: "p", namespace: extra.targetNamespace ?? "default" } },
    status: status && extra.startTime ? { ...status, startTime: extra.startTime } : status,
  });
}
const failed = (name: string, t: number, failurePhase?: "Blocked" | "Deduplicated"): RemediationRequest => rr(name, { overallPhase: "Failed", completionStatus: failurePhase ? { failurePhase } : undefined }, t);
const completed = (name: string, t: number, outcome: CompletionOutcome = "Remediated"): RemediationRequest =>
  rr(name, { overallPhase: "Completed", completionStatus: { outcome } }, t);
const inPhase = (name: string, phase: string, t: number): RemediationRequest => rr(name, { overallPhase: phase }, t);

const current = rr("new", undefined, 100);

describe("consecutiveFailures", () => {
  it.each<[string, RemediationRequest[], number]>([
    ["no history", [], 0],
    ["the RR itself is not in its history (same uid)", [current], 0],
    ["three failures", [failed("f1", 1), failed("f2", 2), failed("f3", 3)], 3],
    ["a Remediated success ends the walk (newest first)", [failed("f1", 1), completed("ok", 2), failed("f3", 3), failed("f4", 4)], 2],
    ["a success newer than all failures resets to 0", [failed("f1", 1), failed("f2", 2), completed("ok", 3)], 0],
    ["order comes from creationTimestamp, not list order", [failed("f3", 3), completed("ok", 2), failed("f1", 1)], 1],
    ["Completed with Inconclusive counts as a failure", [failed("f1", 1), completed("i", 2, "Inconclusive"), failed("f3", 3)], 3],
    ["NoActionRequired, ManualReviewRequired and VerificationTimedOut end the walk", [failed("f0", 0), completed("n", 1, "NoActionRequired"), failed("f2", 2), completed("m", 3, "ManualReviewRequired"), failed("f4", 4), completed("v", 5, "VerificationTimedOut"), failed("f6", 6)], 1],
    ["an RR that is Blocked right now counts", [failed("f1", 1), inPhase("b", "Blocked", 2)], 2],
    ["a Failed RR whose block expired (failurePhase Blocked) counts", [failed("f1", 1), failed("f2", 2), failed("f3", 3), failed("b", 4, "Blocked")], 4],
    ["an inherited failure (failurePhase Deduplicated) counts too", [failed("d", 1, "Deduplicated")], 1],
    ["TimedOut, Skipped and Cancelled are passed over", [failed("f1", 1), inPhase("t", "TimedOut", 2), failed("f3", 3), inPhase("s", "Skipped", 4), inPhase("c", "Cancelled", 5)], 2],
    ["active RRs are passed over", [failed("f1", 1), inPhase("active", "Executing", 2), rr("fresh", undefined, 3)], 1],
    ["RRs created after this one are in the history too", [failed("f1", 1), failed("later", 200)], 2],
    ["other fingerprints are ignored", [failed("f1", 1), rr("x", { overallPhase: "Failed" }, 2, { fingerprint: "b".repeat(64) })], 1],
    ["RRs about another target namespace are ignored (multi-tenant isolation)", [failed("f1", 1), rr("x", { overallPhase: "Failed" }, 2, { targetNamespace: "other" })], 1],
  ])("%s → %i", (_title, history, count) => {
    expect(consecutiveFailures(current, history).count).toBe(count);
  });

  it("names the counted RRs newest first", () => {
    expect(consecutiveFailures(current, [failed("f1", 1), failed("f3", 3), failed("f2", 2)]).names).toEqual(["f3", "f2", "f1"]);
  });
});

describe("fingerprintHistory", () => {
  it("breaks same-second ties by startTime (milliseconds), then name, newest first", () => {
    const a = rr("a", { overallPhase: "Failed" }, 5, { startTime: "2025-01-01T00:00:05.900Z" });
    const b = rr("b", { overallPhase: "Completed" }, 5, { startTime: "2025-01-01T00:00:05.100Z" });
    expect(fingerprintHistory(current, [b, a]).map(p => p.metadata.name)).toEqual(["a", "b"]);
  });
});

describe("blockDecision", () => {
  const failures = (n: number): RemediationRequest[] => Array.from({ length: n }, (_, i) => failed(`f${i}`, i));
  it.each([
    [2, 3, false],
    [3, 3, true],
    [4, 3, true],
    [1, 1, true],
    [0, 1, false],
  ])("%i failures with threshold %i → blocked %p", (n, threshold, blocked) => {
    expect(blockDecision(current, failures(n), threshold)).toMatchObject({ blocked, count: n });
  });

  it("writes kubernaut's message", () => {
    expect(blockMessage(3, "2025-01-01T01:00:00.000Z")).toBe("3 consecutive failures. Cooldown expires: 2025-01-01T01:00:00.000Z");
  });
});
