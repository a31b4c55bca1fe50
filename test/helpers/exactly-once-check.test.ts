import { remediationRequestName } from "../../src/dedup/naming";
import { ANNOTATIONS, type RemediationRequest } from "../../src/model/remediation-request";
import { checkTrial, TrialTotals, type SignalReply } from "./exactly-once-check";
import { testSpec } from "./rr-spec";

const FP = "b".repeat(64);

function rr(uid: string, occurrenceCount: number, phase?: string, predecessor?: RemediationRequest): RemediationRequest {
  return {
    apiVersion: "kubernaut.ai/v1alpha1",
    kind: "RemediationRequest",
    metadata: {
      name: remediationRequestName(FP, predecessor?.metadata.uid),
      uid,
      annotations: predecessor ? { [ANNOTATIONS.predecessor]: predecessor.metadata.name! } : {},
    },
    spec: testSpec(FP, { signalName: "X" }),
    status: { overallPhase: phase, deduplication: { occurrenceCount } },
  };
}

/** count replies 1..n on an RR: 201 for the first, 202 after. */
const acks = (target: RemediationRequest, from: number, to: number): SignalReply[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ status: from + i === 1 ? 201 : 202, rrName: target.metadata.name, count: from + i }));

describe("checkTrial", () => {
  it("passes one RR whose count matches the 2xx replies, each with its own count", () => {
    const one = rr("u1", 3);
    const report = checkTrial(FP, [...acks(one, 1, 3), { status: 503 }], [one]);
    expect(report).toMatchObject({ signals: 4, acknowledged: 3, counted: 3, rrs: 1, activeRRs: 1, duplicateRRs: 0, lostAcknowledged: 0, violations: [] });
  });

  it("passes a chain of terminal RRs followed by one active RR", () => {
    const first = rr("u1", 2, "Completed");
    const second = rr("u2", 1, "Failed", first);
    const third = rr("u3", 2, "Pending", second);
    const report = checkTrial(FP, [...acks(first, 1, 2), ...acks(second, 1, 1), ...acks(third, 1, 2)], [third, first, second]);
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ rrs: 3, duplicateRRs: 0 });
  });

  it("reports a lost acknowledged signal: a count beyond the RR's occurrenceCount", () => {
    const one = rr("u1", 2);
    const report = checkTrial(FP, acks(one, 1, 3), [one]);
    expect(report.lostAcknowledged).toBe(1);
    expect(report.violations).toEqual(expect.arrayContaining([expect.stringMatching(/count 3 on .* occurrenceCount is 2/), expect.stringMatching(/3 signals acknowledged but only 2 counted/)]));
  });

  it("reports a count handed out twice, and an RR name that does not exist", () => {
    const one = rr("u1", 2);
    const report = checkTrial(FP, [...acks(one, 1, 2), { status: 202, rrName: one.metadata.name, count: 2 }, { status: 202, rrName: "rr-gone", count: 1 }], [one]);
    expect(report.lostAcknowledged).toBe(2);
    expect(report.violations).toEqual(expect.arrayContaining([expect.stringMatching(/two 2xx responses report count 2/), expect.stringMatching(/rr-gone, which does not exist/)]));
  });

  it("reports signals counted without a 2xx, unless a crash interrupted them", () => {
    const one = rr("u1", 3);
    expect(checkTrial(FP, [...acks(one, 1, 2), { status: 503 }], [one]).violations).toEqual([expect.stringMatching(/3 counted but only 2 acknowledged/)]);
    expect(checkTrial(FP, [...acks(one, 1, 2), { status: 0, interrupted: true }], [one]).violations).toEqual([]);
  });

  it("allows a missing response only from a killed replica", () => {
    const one = rr("u1", 1);
    expect(checkTrial(FP, [...acks(one, 1, 1), { status: 0 }], [one]).violations).toEqual([expect.stringMatching(/unexpected reply status 0/)]);
  });

  it("reports two active RRs and a second first RR as a duplicate", () => {
    const first = rr("u1", 1);
    const twin: RemediationRequest = { ...rr("u9", 1), metadata: { name: "rr-twin", uid: "u9", annotations: {} } };
    const report = checkTrial(FP, [...acks(first, 1, 1), { status: 201, rrName: "rr-twin", count: 1 }], [first, twin]);
    expect(report.duplicateRRs).toBe(1);
    expect(report.violations).toEqual(expect.arrayContaining([expect.stringMatching(/2 active RRs/), expect.stringMatching(/2 RRs without a predecessor/)]));
  });

  it("reports a successor of an active RR, and a successor not named after its predecessor", () => {
    const first = rr("u1", 1);
    const second: RemediationRequest = { ...rr("u2", 1, undefined, first), metadata: { name: "rr-other", uid: "u2", annotations: { [ANNOTATIONS.predecessor]: first.metadata.name! } } };
    const report = checkTrial(FP, [...acks(first, 1, 1), { status: 201, rrName: "rr-other", count: 1 }], [first, second]);
    expect(report.violations).toEqual(expect.arrayContaining([expect.stringMatching(/has a successor .* but is still active/), expect.stringMatching(/rr-other is not the name derived/)]));
  });

  it("adds reports up", () => {
    const one = rr("u1", 2);
    const totals = new TrialTotals();
    totals.add(checkTrial(FP, acks(one, 1, 2), [one]));
    totals.add(checkTrial(FP, acks(one, 1, 2), [one]));
    expect(totals).toMatchObject({ trials: 2, signals: 4, acknowledged: 4, rrs: 2, duplicateRRs: 0, lostAcknowledged: 0, violations: 0 });
  });
});
