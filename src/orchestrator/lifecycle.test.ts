import type { LifecycleStatus, RemediationRequest, RemediationRequestStatus } from "../model/remediation-request";
import { CONDITIONS, step, StepInput, StepResult } from "./lifecycle";
import { sameStatus } from "./owned-status";
import { Outcome, Plan, PhaseDurations, SUCCEED } from "./script";
import { ADVANCE_ANNOTATION } from "./work-phases";

const FP = "f".repeat(64);
const T0 = Date.UTC(2025, 0, 1);
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const SECOND: PhaseDurations = { Pending: 1_000, Processing: 1_000, Analyzing: 1_000, Executing: 1_000, Verifying: 1_000 };
const BLOCKING = { threshold: 3, cooldownMs: 60_000 };

function rr(status?: RemediationRequestStatus, annotations?: Record<string, string>, name = "rr-1"): RemediationRequest {
  return {
    apiVersion: "kubernaut.ai/v1alpha1",
    kind: "RemediationRequest",
    metadata: { name, generation: 1, creationTimestamp: "2025-01-01T00:00:00Z", annotations },
    spec: { signalFingerprint: FP, signalName: "HighMemory" },
    status,
  };
}

function input(r: RemediationRequest, nowMs: number, plan: Partial<Plan> = {}, history?: RemediationRequest[]): StepInput {
  return { rr: r, plan: { durations: SECOND, outcome: SUCCEED, ...plan }, now: new Date(T0 + nowMs), blocking: BLOCKING, history };
}

function statusOf(result: StepResult): LifecycleStatus {
  if (result.kind !== "status") throw new Error(`expected a status, got ${result.kind}`);
  return result.status;
}

const failed = (name: string, t: number): RemediationRequest => ({ ...rr({ overallPhase: "Failed", completedAt: at(-t) }, undefined, name) });

describe("step: the phase table", () => {
  const fail: Outcome = { result: "fail", phase: "Analyzing", reason: "no workflow matched" };
  const timeout: Outcome = { result: "timeout", phase: "Executing" };
  const manualAnalyzing: Partial<Plan> = { durations: { ...SECOND, Analyzing: "manual" } };

  // [title, status before, annotations, now (ms after T0), plan, history, expected phase, expected fields, expected lookAgainInMs]
  const cases: [string, RemediationRequestStatus | undefined, Record<string, string> | undefined, number, Partial<Plan>, RemediationRequest[] | undefined, string, LifecycleStatus, number | undefined][] = [
    ["a new RR becomes Pending with startTime", undefined, undefined, 0, {}, undefined, "Pending", { startTime: at(0) }, 1_000],
    ["a new RR next to the gateway's status becomes Pending", { deduplication: { occurrenceCount: 3 } }, undefined, 0, {}, undefined, "Pending", { startTime: at(0) }, 1_000],
    ["Pending waits out its duration", { overallPhase: "Pending", startTime: at(0) }, undefined, 400, {}, undefined, "Pending", { startTime: at(0) }, 600],
    ["Pending moves to Processing after its duration", { overallPhase: "Pending", startTime: at(0) }, undefined, 1_000, {}, [], "Processing", { processingStartTime: at(1_000) }, 1_000],
    ["Processing moves to Analyzing", { overallPhase: "Processing", processingStartTime: at(0) }, undefined, 1_500, {}, undefined, "Analyzing", { analyzingStartTime: at(1_500) }, 1_000],
    ["Analyzing moves to Executing", { overallPhase: "Analyzing", analyzingStartTime: at(0) }, undefined, 1_000, {}, undefined, "Executing", { executingStartTime: at(1_000) }, 1_000],
    ["Executing moves to Verifying", { overallPhase: "Executing", executingStartTime: at(0) }, undefined, 1_000, {}, undefined, "Verifying", { verifyingStartTime: at(1_000) }, 1_000],
    ["Verifying ends Completed, Remediated", { overallPhase: "Verifying", verifyingStartTime: at(0) }, undefined, 1_000, {}, undefined, "Completed", { completedAt: at(1_000), completionStatus: { outcome: "Remediated" } }, undefined],
    ["a scripted failure waits for its phase", { overallPhase: "Processing", processingStartTime: at(0) }, undefined, 1_000, { outcome: fail }, undefined, "Analyzing", {}, 1_000],
    ["a scripted failure at Analyzing ends Failed", { overallPhase: "Analyzing", analyzingStartTime: at(0) }, undefined, 1_000, { outcome: fail }, undefined, "Failed", { completedAt: at(1_000), completionStatus: { outcome: "Failed", failurePhase: "Analyzing", failureReason: "no workflow matched" } }, undefined],
    ["a scripted timeout at Executing ends TimedOut", { overallPhase: "Executing", executingStartTime: at(0) }, undefined, 1_000, { outcome: timeout }, undefined, "TimedOut", { completedAt: at(1_000), completionStatus: { outcome: "TimedOut", failurePhase: "Executing", failureReason: "Executing did not finish within 1s" } }, undefined],
    ["entering a manual phase sets no timer", { overallPhase: "Processing", processingStartTime: at(0) }, undefined, 1_000, manualAnalyzing, undefined, "Analyzing", { analyzingStartTime: at(1_000) }, undefined],
    ["a manual phase waits for the annotation", { overallPhase: "Analyzing", analyzingStartTime: at(0) }, undefined, 99_000, manualAnalyzing, undefined, "Analyzing", {}, undefined],
    ["a manual phase ignores an annotation for other phases", { overallPhase: "Analyzing", analyzingStartTime: at(0) }, { [ADVANCE_ANNOTATION]: "Executing" }, 10, manualAnalyzing, undefined, "Analyzing", {}, undefined],
    ["a manual phase ends when the annotation lists it", { overallPhase: "Analyzing", analyzingStartTime: at(0) }, { [ADVANCE_ANNOTATION]: "Processing, Analyzing" }, 10, manualAnalyzing, undefined, "Executing", { executingStartTime: at(10) }, 1_000],
    ["zero durations look again at once", { overallPhase: "Pending", startTime: at(0) }, undefined, 0, { durations: { ...SECOND, Pending: 0, Processing: 0 } }, [], "Processing", {}, 0],
    ["a phase set without its start time gets one", { overallPhase: "Processing" }, undefined, 300, {}, undefined, "Processing", { processingStartTime: at(300) }, 1_000],
    ["two failures do not block", { overallPhase: "Pending", startTime: at(0) }, undefined, 1_000, {}, [failed("a", 1), failed("b", 2)], "Processing", {}, 1_000],
    ["three failures block for the cooldown", { overallPhase: "Pending", startTime: at(0) }, undefined, 1_000, {}, [failed("a", 1), failed("b", 2), failed("c", 3)], "Blocked", { blockedAt: at(1_000), routingStatus: { blockReason: "ConsecutiveFailures", blockedUntil: at(61_000), consecutiveFailureCount: 3 } }, 60_000],
    ["blocking comes before a scripted failure at Pending", { overallPhase: "Pending", startTime: at(0) }, undefined, 1_000, { outcome: { result: "fail", phase: "Pending", reason: "x" } }, [failed("a", 1), failed("b", 2), failed("c", 3)], "Blocked", {}, 60_000],
    ["Blocked waits for blockedUntil", { overallPhase: "Blocked", routingStatus: { blockReason: "ConsecutiveFailures", blockedUntil: at(60_000), consecutiveFailureCount: 3 } }, undefined, 45_000, {}, undefined, "Blocked", {}, 15_000],
    ["Blocked becomes Failed at blockedUntil", { overallPhase: "Blocked", routingStatus: { blockReason: "ConsecutiveFailures", blockedUntil: at(60_000), consecutiveFailureCount: 3 } }, undefined, 60_000, {}, undefined, "Failed", { completedAt: at(60_000), completionStatus: { outcome: "Failed", failurePhase: "Blocked", failureReason: `ConsecutiveFailures: blocked after 3 consecutive failures until ${at(60_000)}` } }, undefined],
    ["a block without an end is left alone", { overallPhase: "Blocked" }, undefined, 0, {}, undefined, "Blocked", {}, undefined],
    ["Completed is final", { overallPhase: "Completed", completedAt: at(0) }, undefined, 5_000, {}, undefined, "Completed", {}, undefined],
    ["a phase this mock does not drive is left alone", { overallPhase: "AwaitingApproval" }, undefined, 0, {}, undefined, "AwaitingApproval", {}, undefined],
  ];

  it.each(cases)("%s", (_title, before, annotations, now, plan, history, phase, fields, lookAgain) => {
    const result = step(input(rr(before, annotations), now, plan, history));
    expect(result).toMatchObject({ kind: "status", status: { overallPhase: phase, ...fields } });
    expect(result.kind === "status" && result.lookAgainInMs).toBe(lookAgain);
  });

  it("asks for the fingerprint's history only when Pending is over", () => {
    expect(step(input(rr({ overallPhase: "Pending", startTime: at(0) }), 999)).kind).toBe("status");
    expect(step(input(rr({ overallPhase: "Pending", startTime: at(0) }), 1_000))).toEqual({ kind: "needsHistory" });
  });

  it("writes a block message that says when the block ends", () => {
    const status = statusOf(step(input(rr({ overallPhase: "Pending", startTime: at(0) }), 1_000, {}, [failed("a", 1), failed("b", 2), failed("c", 3)])));
    expect(status.routingStatus?.blockMessage).toContain(`ends at ${at(61_000)}`);
    expect(status.routingStatus?.blockMessage).toMatch(/last 3 remediations .*\(a, b, c\)/);
    expect(status.message).toBe(status.routingStatus?.blockMessage);
  });

  it("never puts the gateway's sections in the desired status", () => {
    const status = statusOf(step(input(rr({ deduplication: { occurrenceCount: 3 }, stormAggregation: { aggregatedCount: 1 } }), 0))) as RemediationRequestStatus;
    expect(status.deduplication).toBeUndefined();
    expect(status.stormAggregation).toBeUndefined();
  });
});

describe("step: a whole lifecycle", () => {
  /** Applies results like the API server would, advancing the clock by `tick` ms per step, until nothing changes. */
  function run(plan: Partial<Plan>, tick: number): { phases: string[]; final: RemediationRequestStatus } {
    let current = rr();
    const phases: string[] = [];
    for (let now = 0; now < 100_000; now += tick) {
      let result = step(input(current, now, plan));
      if (result.kind === "needsHistory") result = step(input(current, now, plan, []));
      const status = statusOf(result);
      if (!sameStatus(status, current.status ?? {})) {
        phases.push(status.overallPhase ?? "");
        current = rr({ ...current.status, ...status });
      }
      if (result.kind === "status" && result.lookAgainInMs === undefined && now > 0) break;
    }
    return { phases, final: current.status! };
  }

  it("visits every phase once, in order, with increasing timestamps", () => {
    const { phases, final } = run({}, 250);
    expect(phases).toEqual(["Pending", "Processing", "Analyzing", "Executing", "Verifying", "Completed"]);
    const times = [final.startTime, final.processingStartTime, final.analyzingStartTime, final.executingStartTime, final.verifyingStartTime, final.completedAt].map(t => Date.parse(t!));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
  });

  it("does not skip a phase when it looks again long after several durations", () => {
    expect(run({}, 10_000).phases).toEqual(["Pending", "Processing", "Analyzing", "Executing", "Verifying", "Completed"]);
  });

  it("keeps Progressing's lastTransitionTime through the work phases and flips Succeeded at the end", () => {
    const { final } = run({}, 250);
    const byType = Object.fromEntries((final.conditions ?? []).map(c => [c.type, c]));
    expect(byType[CONDITIONS.progressing]).toMatchObject({ status: "False", reason: "Completed", lastTransitionTime: final.completedAt });
    expect(byType[CONDITIONS.succeeded]).toMatchObject({ status: "True", reason: "Remediated", lastTransitionTime: final.completedAt });
    expect(byType[CONDITIONS.blocked]).toMatchObject({ status: "False", reason: "NotBlocked", lastTransitionTime: final.startTime });
  });

  it("is idempotent: stepping again at the same instant changes nothing", () => {
    const first = statusOf(step(input(rr(), 0)));
    const again = step(input(rr(first), 0));
    expect(sameStatus(statusOf(again), first)).toBe(true);
  });

  it("keeps Progressing True with its first time while the reason follows the phase", () => {
    const pending = statusOf(step(input(rr(), 0)));
    const processing = statusOf(step(input(rr(pending), 1_000, {}, [])));
    const progressing = processing.conditions?.find(c => c.type === CONDITIONS.progressing);
    expect(progressing).toMatchObject({ status: "True", reason: "Processing", lastTransitionTime: at(0) });
  });

  it("marks the end of a block in the Blocked condition", () => {
    const blocked = statusOf(step(input(rr({ overallPhase: "Pending", startTime: at(0) }), 1_000, {}, [failed("a", 1), failed("b", 2), failed("c", 3)])));
    expect(blocked.conditions?.find(c => c.type === CONDITIONS.blocked)).toMatchObject({ status: "True", reason: "ConsecutiveFailures", lastTransitionTime: at(1_000) });
    const expired = statusOf(step(input(rr(blocked), 61_000)));
    expect(expired.conditions?.find(c => c.type === CONDITIONS.blocked)).toMatchObject({ status: "False", reason: "CooldownExpired", lastTransitionTime: at(61_000) });
    expect(expired.conditions?.find(c => c.type === CONDITIONS.succeeded)).toMatchObject({ status: "False", reason: "Failed" });
    expect(expired.routingStatus).toEqual(blocked.routingStatus);
  });
});
