import { ANNOTATIONS, RemediationRequest } from "../model/remediation-request";
import { decide } from "./decision";
import { remediationRequestName } from "./naming";
import { testSpec } from "../../test/helpers/rr-spec";

const FP = "a".repeat(64);
let seq = 0;
function rr(name: string, phase?: string, predecessor?: string, created = `2026-11-28T07:00:${String(++seq).padStart(2, "0")}Z`): RemediationRequest {
  return {
    apiVersion: "kubernaut.ai/v1alpha1",
    kind: "RemediationRequest",
    metadata: { name, uid: `uid-${name}`, creationTimestamp: created, annotations: predecessor ? { [ANNOTATIONS.predecessor]: predecessor } : {} },
    spec: testSpec(FP, { signalName: "X" }),
    status: phase ? { overallPhase: phase } : {},
  };
}

describe("decide: create, duplicate or successor", () => {
  it("creates the problem's first RR under the fingerprint's first name", () => {
    expect(decide(FP, [])).toEqual({ action: "create", name: remediationRequestName(FP) });
  });

  it.each([undefined, "Pending", "Processing", "Blocked", "AwaitingApproval", "Verifying"])("deduplicates into an RR whose phase is %s", phase => {
    const active = rr("one", phase);
    expect(decide(FP, [active])).toEqual({ action: "duplicate", rr: active });
  });

  it.each(["Completed", "Failed", "TimedOut", "Skipped", "Cancelled"])("creates the successor of an RR that is %s, named after its uid", phase => {
    const done = rr("one", phase);
    expect(decide(FP, [done])).toEqual({ action: "create", name: remediationRequestName(FP, "uid-one"), predecessor: done });
  });

  it("follows the chain to its head, whatever the order the RRs come in", () => {
    const first = rr("first", "Completed");
    const second = rr("second", "Failed", "first");
    const third = rr("third", "Completed", "second");
    for (const order of [[first, second, third], [third, first, second], [second, third, first]]) {
      expect(decide(FP, order)).toMatchObject({ action: "create", name: remediationRequestName(FP, "uid-third") });
    }
  });

  it("prefers an active RR anywhere in the chain", () => {
    const first = rr("first", "Completed");
    const second = rr("second", "Executing", "first");
    expect(decide(FP, [second, first])).toEqual({ action: "duplicate", rr: second });
  });

  it("picks the oldest of two active RRs, so every replica picks the same", () => {
    const older = rr("b-older", "Pending", undefined, "2026-11-28T07:00:00Z");
    const newer = rr("a-newer", "Pending", undefined, "2026-11-28T07:00:05Z");
    expect(decide(FP, [newer, older])).toMatchObject({ action: "duplicate", rr: older });
  });

  describe("an RR kubernaut's RO holds after its end takes the repeats, as kubernaut's gateway decides", () => {
    const NOW = Date.parse("2026-12-01T12:00:00Z");
    const held = (name: string, status: RemediationRequest["status"], predecessor?: string): RemediationRequest => ({ ...rr(name, undefined, predecessor), status });

    it.each(["Completed", "Failed", "TimedOut"])("a %s RR whose outcome is ManualReviewRequired, however old", phase => {
      const review = held("review", { overallPhase: phase, completionStatus: { outcome: "ManualReviewRequired" } });
      expect(decide(FP, [review], NOW)).toEqual({ action: "duplicate", rr: review });
    });

    it("a terminal RR whose nextAllowedExecution is still to come, until it comes", () => {
      const backoff = held("backoff", { overallPhase: "Failed", routingStatus: { nextAllowedExecution: "2026-12-01T12:05:00Z" } });
      expect(decide(FP, [backoff], NOW)).toEqual({ action: "duplicate", rr: backoff });
      expect(decide(FP, [backoff], Date.parse("2026-12-01T12:05:00Z"))).toMatchObject({ action: "create", predecessor: backoff });
    });

    it("an active RR before a held one", () => {
      const review = held("review", { overallPhase: "Completed", completionStatus: { outcome: "ManualReviewRequired" } });
      const active = rr("active", "Executing", "review");
      expect(decide(FP, [review, active], NOW)).toEqual({ action: "duplicate", rr: active });
    });

    it("the newest of two held RRs", () => {
      const older = held("older", { overallPhase: "Failed", routingStatus: { nextAllowedExecution: "2026-12-01T13:00:00Z" } });
      const newer = held("newer", { overallPhase: "Completed", completionStatus: { outcome: "ManualReviewRequired" } }, "older");
      expect(decide(FP, [newer, older], NOW)).toEqual({ action: "duplicate", rr: newer });
    });

    it.each(["Remediated", "NoActionRequired", "Inconclusive", "VerificationTimedOut"] as const)("but not one whose outcome is %s", outcome => {
      const done = held("done", { overallPhase: "Completed", completionStatus: { outcome } });
      expect(decide(FP, [done], NOW)).toMatchObject({ action: "create", predecessor: done });
    });
  });

  it("survives a deleted link: the newest unreferenced terminal RR is the head", () => {
    const first = rr("first", "Completed");
    const third = rr("third", "Completed", "second-deleted");
    expect(decide(FP, [third, first])).toMatchObject({ name: remediationRequestName(FP, "uid-third") });
  });
});

describe("remediationRequestName", () => {
  it("is deterministic, short, and differs per predecessor", () => {
    expect(remediationRequestName(FP)).toBe(remediationRequestName(FP));
    expect(remediationRequestName(FP)).toMatch(/^rr-aaaaaaaaaaaa-[a-f0-9]{8}$/);
    expect(remediationRequestName(FP, "uid-1")).not.toBe(remediationRequestName(FP));
    expect(remediationRequestName(FP, "uid-1")).not.toBe(remediationRequestName(FP, "uid-2"));
  });
});
