import type { LifecycleStatus, RemediationRequest, RemediationRequestStatus } from "../model/remediation-request";
import { Schema, violations } from "../../test/helpers/crd-schema";
import { kubernautCrd } from "../../test/helpers/kubernaut-schema";
import { minimalRR } from "../../test/helpers/minimal-rr";
import { CONDITION_TYPES } from "./kubernaut-conditions";
import { RoutingSettings, step, StepInput, StepResult } from "./lifecycle";
import { Outcome } from "./outcomes";
import { sameStatus } from "./owned-status";
import { Plan, PhaseDurations, SUCCEED } from "./script";
import { ADVANCE_ANNOTATION } from "./work-phases";

const T0 = Date.UTC(2025, 0, 1);
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const SECOND: PhaseDurations = { Pending: 1_000, Processing: 1_000, Analyzing: 1_000, Executing: 1_000, Verifying: 1_000 };
const ROUTING: RoutingSettings = { threshold: 3, cooldownMs: 60_000, backoff: { baseMs: 60_000, maxMs: 600_000 }, noActionHoldMs: 86_400_000, dryRunHoldMs: 3_600_000 };

function rr(status?: RemediationRequestStatus, annotations?: Record<string, string>, name = "rr-1"): RemediationRequest {
  return minimalRR({ metadata: { name, uid: `uid-${name}`, generation: 1, creationTimestamp: "2025-01-01T00:00:00Z", annotations }, status });
}

function input(r: RemediationRequest, nowMs: number, plan: Partial<Plan> = {}, history?: RemediationRequest[]): StepInput {
  return { rr: r, plan: { durations: SECOND, outcome: SUCCEED, ...plan }, now: new Date(T0 + nowMs), routing: ROUTING, history };
}

function statusOf(result: StepResult): LifecycleStatus {
  if (result.kind !== "status") throw new Error(`expected a status, got ${result.kind}`);
  return result.status;
}

const failed = (name: string, createdSecondsAgo: number): RemediationRequest =>
  minimalRR({ metadata: { name, uid: `uid-${name}`, creationTimestamp: new Date(T0 - createdSecondsAgo * 1_000).toISOString() }, status: { overallPhase: "Failed" } });
const THREE_FAILURES = [failed("a", 1), failed("b", 2), failed("c", 3)];

const fail = (phase: "Pending" | "Processing" | "Analyzing" | "Executing", failurePhase: Extract<Outcome, { result: "fail" }>["failurePhase"]): Partial<Plan> => ({ outcome: { result: "fail", phase, failurePhase, reason: "scripted" } });
const complete = (outcome: Extract<Outcome, { result: "complete" }>["outcome"]): Partial<Plan> => ({ outcome: { result: "complete", outcome } });

describe("step: the phase table", () => {
  const manualAnalyzing: Partial<Plan> = { durations: { ...SECOND, Analyzing: "manual" } };

  // [title, status before, annotations, now (ms after T0), plan, history, expected phase, expected fields, expected lookAgainInMs]
  const cases: [string, RemediationRequestStatus | undefined, Record<string, string> | undefined, number, Partial<Plan>, RemediationRequest[] | undefined, string, LifecycleStatus, number | undefined][] = [
    ["a new RR becomes Pending with startTime", undefined, undefined, 0, {}, undefined, "Pending", { startTime: at(0) }, 1_000],
    ["a new RR next to the gateway's status becomes Pending", { deduplication: { occurrenceCount: 3 } }, undefined, 0, {}, undefined, "Pending", { startTime: at(0) }, 1_000],
    ["Pending waits out its duration", { overallPhase: "Pending", startTime: at(0) }, undefined, 400, {}, undefined, "Pending", { startTime: at(0) }, 600],
    ["Pending moves to Processing after its duration", { overallPhase: "Pending", startTime: at(0) }, undefined, 1_000, {}, [], "Processing", { phaseProgress: { processingStartTime: at(1_000) } }, 1_000],
    ["Processing moves to Analyzing", { overallPhase: "Processing", phaseProgress: { processingStartTime: at(0) } }, undefined, 1_500, {}, undefined, "Analyzing", { phaseProgress: { processingStartTime: at(0), analyzingStartTime: at(1_500) } }, 1_000],
    ["Analyzing moves to Executing", { overallPhase: "Analyzing", phaseProgress: { analyzingStartTime: at(0) } }, undefined, 1_000, {}, [], "Executing", { phaseProgress: { executingStartTime: at(1_000) } }, 1_000],
    ["Executing moves to Verifying with its deadline", { overallPhase: "Executing", phaseProgress: { executingStartTime: at(0) } }, undefined, 1_000, {}, undefined, "Verifying", { phaseProgress: { verificationDeadline: at(2_000) } }, 1_000],
    ["Verifying waits for its deadline", { overallPhase: "Verifying", phaseProgress: { verificationDeadline: at(1_000) } }, undefined, 300, {}, undefined, "Verifying", {}, 700],
    ["Verifying ends Completed, Remediated", { overallPhase: "Verifying", phaseProgress: { verificationDeadline: at(1_000) } }, undefined, 1_000, {}, undefined, "Completed", { completedAt: at(1_000), completionStatus: { outcome: "Remediated" } }, undefined],
    ["a scripted failure waits for its phase", { overallPhase: "Processing", phaseProgress: { processingStartTime: at(0) } }, undefined, 1_000, fail("Analyzing", "AIAnalysis"), undefined, "Analyzing", {}, 1_000],
    ["entering a manual phase sets no timer", { overallPhase: "Processing", phaseProgress: { processingStartTime: at(0) } }, undefined, 1_000, manualAnalyzing, undefined, "Analyzing", { phaseProgress: { analyzingStartTime: at(1_000) } }, undefined],
    ["a manual phase waits for the annotation", { overallPhase: "Analyzing", phaseProgress: { analyzingStartTime: at(0) } }, undefined, 99_000, manualAnalyzing, undefined, "Analyzing", {}, undefined],
    ["a manual phase ignores an annotation for other phases", { overallPhase: "Analyzing", phaseProgress: { analyzingStartTime: at(0) } }, { [ADVANCE_ANNOTATION]: "Executing" }, 10, manualAnalyzing, undefined, "Analyzing", {}, undefined],
    ["a manual phase ends when the annotation lists it", { overallPhase: "Analyzing", phaseProgress: { analyzingStartTime: at(0) } }, { [ADVANCE_ANNOTATION]: "Processing, Analyzing" }, 10, manualAnalyzing, [], "Executing", { phaseProgress: { executingStartTime: at(10) } }, 1_000],
    ["a manual Verifying has no deadline", { overallPhase: "Executing", phaseProgress: { executingStartTime: at(0) } }, undefined, 1_000, { durations: { ...SECOND, Verifying: "manual" } }, undefined, "Verifying", { phaseProgress: { executingStartTime: at(0) } }, undefined],
    ["zero durations look again at once", { overallPhase: "Pending", startTime: at(0) }, undefined, 0, { durations: { ...SECOND, Pending: 0, Processing: 0 } }, [], "Processing", {}, 0],
    ["a phase set without its start time gets one", { overallPhase: "Processing" }, undefined, 300, {}, undefined, "Processing", { phaseProgress: { processingStartTime: at(300) } }, 1_000],
    ["Completed is final", { overallPhase: "Completed", completedAt: at(0) }, undefined, 5_000, {}, undefined, "Completed", {}, undefined],
    ["a phase this mock does not drive is left alone", { overallPhase: "AwaitingApproval" }, undefined, 0, {}, undefined, "AwaitingApproval", {}, undefined],
  ];

  it.each(cases)("%s", (_title, before, annotations, now, plan, history, phase, fields, lookAgain) => {
    const result = step(input(rr(before, annotations), now, plan, history));
    expect(result).toMatchObject({ kind: "status", status: { overallPhase: phase, ...fields } });
    expect(result.kind === "status" && result.lookAgainInMs).toBe(lookAgain);
  });

  it("asks for the fingerprint's history at the end of Pending and of Analyzing only (kubernaut's pre- and post-analysis routing)", () => {
    expect(step(input(rr({ overallPhase: "Pending", startTime: at(0) }), 999)).kind).toBe("status");
    expect(step(input(rr({ overallPhase: "Pending", startTime: at(0) }), 1_000))).toEqual({ kind: "needsHistory" });
    expect(step(input(rr({ overallPhase: "Processing", phaseProgress: { processingStartTime: at(0) } }), 1_000)).kind).toBe("status");
    expect(step(input(rr({ overallPhase: "Analyzing", phaseProgress: { analyzingStartTime: at(0) } }), 1_000))).toEqual({ kind: "needsHistory" });
    expect(step(input(rr({ overallPhase: "Executing", phaseProgress: { executingStartTime: at(0) } }), 1_000)).kind).toBe("status");
  });

  it("never puts the gateway's sections in the desired status", () => {
    const status = statusOf(step(input(rr({ deduplication: { occurrenceCount: 3 }, stormAggregation: { aggregatedCount: 1 } }), 0))) as RemediationRequestStatus;
    expect(status.deduplication).toBeUndefined();
    expect(status.stormAggregation).toBeUndefined();
  });
});

describe("step: every kubernaut ending", () => {
  const analyzing = { overallPhase: "Analyzing", phaseProgress: { analyzingStartTime: at(0) } };
  const verifying = { overallPhase: "Verifying", phaseProgress: { verificationDeadline: at(1_000) } };

  it.each<[string, RemediationRequestStatus, Partial<Plan>, LifecycleStatus]>([
    ["Failed, Configuration (at Pending)", { overallPhase: "Pending", startTime: at(0) }, fail("Pending", "Configuration"), { overallPhase: "Failed", completionStatus: { failurePhase: "Configuration", failureReason: "scripted" } }],
    ["Failed, SignalProcessing", { overallPhase: "Processing", phaseProgress: { processingStartTime: at(0) } }, fail("Processing", "SignalProcessing"), { overallPhase: "Failed", completionStatus: { failurePhase: "SignalProcessing" } }],
    ["Failed, AIAnalysis", analyzing, fail("Analyzing", "AIAnalysis"), { overallPhase: "Failed", completionStatus: { failurePhase: "AIAnalysis" } }],
    ["Failed, Approval (after the analysis)", analyzing, fail("Analyzing", "Approval"), { overallPhase: "Failed", completionStatus: { failurePhase: "Approval" } }],
    ["Failed, WorkflowExecution", { overallPhase: "Executing", phaseProgress: { executingStartTime: at(0) } }, fail("Executing", "WorkflowExecution"), { overallPhase: "Failed", completionStatus: { failurePhase: "WorkflowExecution" } }],
    ["Failed, Deduplicated", { overallPhase: "Pending", startTime: at(0) }, fail("Pending", "Deduplicated"), { overallPhase: "Failed", completionStatus: { failurePhase: "Deduplicated" } }],
    ["TimedOut at Executing", { overallPhase: "Executing", phaseProgress: { executingStartTime: at(0) } }, { outcome: { result: "timeout", phase: "Executing" } }, { overallPhase: "TimedOut", completionStatus: { timeoutPhase: "Executing", timeoutTime: at(1_000) }, message: "Phase Executing exceeded timeout of 1s (default plan: times out at Executing)" }],
    ["TimedOut at Verifying", verifying, { outcome: { result: "timeout", phase: "Verifying" } }, { overallPhase: "TimedOut", completionStatus: { timeoutPhase: "Verifying", timeoutTime: at(1_000) } }],
    ["Completed, NoActionRequired (after the analysis, held 24h)", analyzing, complete("NoActionRequired"), { overallPhase: "Completed", completionStatus: { outcome: "NoActionRequired" }, routingStatus: { nextAllowedExecution: at(1_000 + 86_400_000) } }],
    ["Completed, ManualReviewRequired (held, requiresManualReview)", analyzing, complete("ManualReviewRequired"), { overallPhase: "Completed", completionStatus: { outcome: "ManualReviewRequired", requiresManualReview: true }, routingStatus: { nextAllowedExecution: at(1_000 + 86_400_000) } }],
    ["Completed, DryRun (held 1h)", analyzing, complete("DryRun"), { overallPhase: "Completed", completionStatus: { outcome: "DryRun" }, routingStatus: { nextAllowedExecution: at(1_000 + 3_600_000) } }],
    ["Completed, Remediated", verifying, complete("Remediated"), { overallPhase: "Completed", completionStatus: { outcome: "Remediated" } }],
    ["Completed, Inconclusive (a functional failure: count and backoff)", verifying, complete("Inconclusive"), { overallPhase: "Completed", completionStatus: { outcome: "Inconclusive" }, routingStatus: { consecutiveFailureCount: 1, nextAllowedExecution: at(61_000) } }],
    ["Completed, VerificationTimedOut (at the deadline)", verifying, complete("VerificationTimedOut"), { overallPhase: "Completed", completionStatus: { outcome: "VerificationTimedOut" } }],
  ])("%s", (_title, before, plan, expected) => {
    const status = statusOf(step(input(rr(before), 1_000, plan, [])));
    expect(status).toMatchObject({ completedAt: at(1_000), observedGeneration: 1, ...expected });
  });

  it("a failure counts on the RR and sets kubernaut's backoff while below the threshold", () => {
    const status = statusOf(step(input(rr(analyzing), 1_000, fail("Analyzing", "AIAnalysis"))));
    expect(status.routingStatus).toEqual({ consecutiveFailureCount: 1, nextAllowedExecution: at(61_000) });
  });

  it("a failure at the threshold sets no backoff (routing blocks the next RR instead)", () => {
    const before = { ...analyzing, routingStatus: { consecutiveFailureCount: 2 } };
    expect(statusOf(step(input(rr(before), 1_000, fail("Analyzing", "AIAnalysis")))).routingStatus).toEqual({ consecutiveFailureCount: 3 });
  });

  it("an inherited (Deduplicated) failure counts nothing", () => {
    expect(statusOf(step(input(rr({ overallPhase: "Pending", startTime: at(0) }), 1_000, fail("Pending", "Deduplicated")))).routingStatus).toBeUndefined();
  });

  it("a completion after the analysis comes before routing: no history needed", () => {
    expect(step(input(rr(analyzing), 1_000, complete("ManualReviewRequired"))).kind).toBe("status");
  });

  it("a zero hold leaves nextAllowedExecution unset", () => {
    const status = statusOf(step({ ...input(rr(analyzing), 1_000, complete("NoActionRequired")), routing: { ...ROUTING, noActionHoldMs: 0 } }));
    expect(status.routingStatus).toBeUndefined();
  });

  it("entering Verifying clears the RR's backoff (a success resets it)", () => {
    const before = { overallPhase: "Executing", phaseProgress: { executingStartTime: at(0) }, routingStatus: { consecutiveFailureCount: 1, nextAllowedExecution: at(5_000) } };
    expect(statusOf(step(input(rr(before), 1_000))).routingStatus).toBeUndefined();
  });
});

describe("step: consecutive-failure blocking", () => {
  const pendingOver = rr({ overallPhase: "Pending", startTime: at(0) });

  it("two failures do not block", () => {
    expect(statusOf(step(input(pendingOver, 1_000, {}, THREE_FAILURES.slice(0, 2)))).overallPhase).toBe("Processing");
  });

  it("three failures block for the cooldown, with kubernaut's reason and message, and nothing else", () => {
    const result = step(input(pendingOver, 1_000, {}, THREE_FAILURES));
    const status = statusOf(result);
    expect(status).toMatchObject({ overallPhase: "Blocked", routingStatus: { blockReason: "ConsecutiveFailures", blockedUntil: at(61_000), blockMessage: `3 consecutive failures. Cooldown expires: ${at(61_000)}` } });
    expect(status.routingStatus?.consecutiveFailureCount).toBeUndefined();
    expect(status.conditions).toBeUndefined();
    expect(result.kind === "status" && result.lookAgainInMs).toBe(60_001);
  });

  it("blocks at the end of Analyzing too, when failures piled up meanwhile", () => {
    const status = statusOf(step(input(rr({ overallPhase: "Analyzing", phaseProgress: { analyzingStartTime: at(0) } }), 1_000, {}, THREE_FAILURES)));
    expect(status).toMatchObject({ overallPhase: "Blocked", routingStatus: { blockReason: "ConsecutiveFailures" } });
  });

  it("a scripted ending of the phase comes before routing", () => {
    expect(statusOf(step(input(pendingOver, 1_000, fail("Pending", "Configuration"), THREE_FAILURES))).overallPhase).toBe("Failed");
  });

  const blocked: RemediationRequestStatus = {
    overallPhase: "Blocked",
    startTime: at(-1_000),
    routingStatus: { blockReason: "ConsecutiveFailures", blockMessage: `3 consecutive failures. Cooldown expires: ${at(60_000)}`, blockedUntil: at(60_000) },
  };

  it("Blocked waits until after blockedUntil", () => {
    const result = step(input(rr(blocked), 45_000));
    expect(result).toMatchObject({ kind: "status", status: { overallPhase: "Blocked" }, lookAgainInMs: 15_000 });
    expect(statusOf(step(input(rr(blocked), 60_000))).overallPhase).toBe("Blocked");
  });

  it("after blockedUntil becomes Failed (Blocked): blockedUntil cleared, reason and message kept, no completedAt, Ready False RemediationBlocked", () => {
    const status = statusOf(step(input(rr(blocked), 60_001)));
    expect(status).toMatchObject({ overallPhase: "Failed", completionStatus: { failurePhase: "Blocked", failureReason: "cooldown expired after blocking due to ConsecutiveFailures" } });
    expect(status.routingStatus).toEqual({ blockReason: "ConsecutiveFailures", blockMessage: blocked.routingStatus?.blockMessage });
    expect(status.completedAt).toBeUndefined();
    expect(status.conditions).toEqual([{ type: "Ready", status: "False", reason: "RemediationBlocked", message: "Remediation blocked", lastTransitionTime: at(60_001), observedGeneration: 1 }]);
  });

  it("leaves a block it did not set alone (no end, or another reason)", () => {
    expect(statusOf(step(input(rr({ overallPhase: "Blocked" }), 0))).overallPhase).toBe("Blocked");
    expect(statusOf(step(input(rr({ overallPhase: "Blocked", routingStatus: { blockReason: "ResourceBusy", blockedUntil: at(0) } }), 10_000))).overallPhase).toBe("Blocked");
  });
});

describe("step: conditions", () => {
  const byType = (status: LifecycleStatus): Record<string, { status: string; reason: string; message: string; lastTransitionTime: string }> =>
    Object.fromEntries((status.conditions ?? []).map(c => [c.type, c]));

  it("Pending has none; each phase sets kubernaut's Ready reason and marks the child before it complete", () => {
    const pending = statusOf(step(input(rr(), 0)));
    expect(pending.conditions).toBeUndefined();
    const processing = statusOf(step(input(rr(pending), 1_000, {}, [])));
    expect(byType(processing)).toEqual({ Ready: expect.objectContaining({ status: "False", reason: "Processing", lastTransitionTime: at(1_000) }) });
    const analyzing = statusOf(step(input(rr(processing), 2_000)));
    expect(byType(analyzing)).toMatchObject({ SignalProcessingComplete: { status: "True", reason: "SignalProcessingSucceeded" }, Ready: { reason: "Analyzing", lastTransitionTime: at(1_000) } });
    const executing = statusOf(step(input(rr(analyzing), 3_000, {}, [])));
    expect(byType(executing)).toMatchObject({ AIAnalysisComplete: { status: "True", reason: "AIAnalysisSucceeded" }, Ready: { status: "False", reason: "Executing" } });
    const verifying = statusOf(step(input(rr(executing), 4_000)));
    // Ready flips to True when the workflow succeeded: its lastTransitionTime moves.
    expect(byType(verifying)).toMatchObject({ WorkflowExecutionComplete: { status: "True", reason: "WorkflowSucceeded" }, Ready: { status: "True", reason: "Verifying", lastTransitionTime: at(4_000) } });
    const completed = statusOf(step(input(rr(verifying), 5_000)));
    expect(byType(completed)).toMatchObject({ [CONDITION_TYPES.effectivenessAssessed]: { status: "True", reason: "AssessmentCompleted" }, Ready: { status: "True", reason: "Verifying" } });
  });

  it.each<[string, Partial<Plan>, RemediationRequestStatus, Record<string, { status: string; reason: string }>]>([
    ["a SignalProcessing failure", fail("Processing", "SignalProcessing"), { overallPhase: "Processing", phaseProgress: { processingStartTime: at(0) } }, { SignalProcessingComplete: { status: "False", reason: "SignalProcessingFailed" }, Ready: { status: "False", reason: "RemediationFailed" } }],
    ["an AIAnalysis failure", fail("Analyzing", "AIAnalysis"), { overallPhase: "Analyzing", phaseProgress: { analyzingStartTime: at(0) } }, { AIAnalysisComplete: { status: "False", reason: "AIAnalysisFailed" }, Ready: { status: "False", reason: "RemediationFailed" } }],
    ["a WorkflowExecution failure", fail("Executing", "WorkflowExecution"), { overallPhase: "Executing", phaseProgress: { executingStartTime: at(0) } }, { WorkflowExecutionComplete: { status: "False", reason: "WorkflowFailed" }, Ready: { status: "False", reason: "RemediationFailed" } }],
    ["a timeout", { outcome: { result: "timeout", phase: "Processing" } }, { overallPhase: "Processing", phaseProgress: { processingStartTime: at(0) } }, { Ready: { status: "False", reason: "RemediationTimedOut" } }],
    ["NoActionRequired", complete("NoActionRequired"), { overallPhase: "Analyzing", phaseProgress: { analyzingStartTime: at(0) } }, { AIAnalysisComplete: { status: "True", reason: "AIAnalysisSucceeded" }, Ready: { status: "True", reason: "NoActionRequired" } }],
    ["ManualReviewRequired", complete("ManualReviewRequired"), { overallPhase: "Analyzing", phaseProgress: { analyzingStartTime: at(0) } }, { Ready: { status: "True", reason: "ManualReviewRequired" } }],
  ])("%s sets kubernaut's conditions", (_title, plan, before, expected) => {
    expect(byType(statusOf(step(input(rr(before), 1_000, plan))))).toMatchObject(expected);
  });

  it("every condition has a message, an observedGeneration and a reason kubernaut's CRD accepts", () => {
    const reasons = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
    const endings: Partial<Plan>[] = [{}, fail("Processing", "SignalProcessing"), fail("Analyzing", "AIAnalysis"), fail("Executing", "WorkflowExecution"), complete("NoActionRequired"), complete("ManualReviewRequired"), complete("DryRun"), complete("Inconclusive"), complete("VerificationTimedOut"), { outcome: { result: "timeout", phase: "Analyzing" } }];
    for (const plan of endings) {
      for (const c of run(plan, 500).final.conditions ?? []) {
        expect(c.reason).toMatch(reasons);
        expect(c.message).not.toBe("");
        expect(c.observedGeneration).toBe(1);
      }
    }
  });
});

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

describe("step: a whole lifecycle", () => {
  const ALL = ["Pending", "Processing", "Analyzing", "Executing", "Verifying", "Completed"];

  it("visits every phase once, in order, with increasing timestamps", () => {
    const { phases, final } = run({}, 250);
    expect(phases).toEqual(ALL);
    const p = final.phaseProgress!;
    const times = [final.startTime, p.processingStartTime, p.analyzingStartTime, p.executingStartTime, final.completedAt].map(t => Date.parse(t!));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
    expect(final.completedAt).toBe(p.verificationDeadline);
  });

  it("does not skip a phase when it looks again long after several durations", () => {
    expect(run({}, 10_000).phases).toEqual(ALL);
  });

  it("ends after the analysis for NoActionRequired", () => {
    expect(run(complete("NoActionRequired"), 250).phases).toEqual(["Pending", "Processing", "Analyzing", "Completed"]);
  });

  it("is idempotent: stepping again at the same instant changes nothing", () => {
    for (const before of [undefined, { overallPhase: "Pending", startTime: at(0) }]) {
      const first = statusOf(step(input(rr(before), 1_000, {}, [])));
      const again = step(input(rr(first), 1_000, {}, []));
      expect(sameStatus(statusOf(again), first)).toBe(true);
    }
  });
});

describe("step: everything it writes is valid under kubernaut's own CRD", () => {
  // kubernautCrd() holds client-node's model objects, where "enum" is spelled "_enum"; crd-schema's
  // violations() reads "enum", so rename it back, or no enum (outcome, failurePhase, ...) would be checked.
  const schema = JSON.parse(JSON.stringify(kubernautCrd().spec.versions[0].schema.openAPIV3Schema).replaceAll('"_enum":', '"enum":')) as Schema;
  const endings: [string, Partial<Plan>][] = [
    ["Remediated", {}],
    ...(["NoActionRequired", "ManualReviewRequired", "DryRun", "Inconclusive", "VerificationTimedOut"] as const).map((o): [string, Partial<Plan>] => [o, complete(o)]),
    ["Failed SignalProcessing", fail("Processing", "SignalProcessing")],
    ["Failed AIAnalysis", fail("Analyzing", "AIAnalysis")],
    ["Failed Approval", fail("Analyzing", "Approval")],
    ["Failed WorkflowExecution", fail("Executing", "WorkflowExecution")],
    ["Failed Configuration", fail("Pending", "Configuration")],
    ["Failed Deduplicated", fail("Pending", "Deduplicated")],
    ["TimedOut at Pending", { outcome: { result: "timeout", phase: "Pending" } }],
    ["TimedOut at Verifying", { outcome: { result: "timeout", phase: "Verifying" } }],
  ];

  it.each(endings)("%s: every intermediate status fits kubernaut's schema", (_title, plan) => {
    let current = rr();
    for (let now = 0; now < 10_000; now += 500) {
      let result = step(input(current, now, plan));
      if (result.kind === "needsHistory") result = step(input(current, now, plan, []));
      const status = statusOf(result);
      expect(violations({ status }, { type: "object", properties: { status: schema.properties!.status } })).toEqual([]);
      current = rr({ ...current.status, ...status });
    }
  });

  it("checks enums: a status outside kubernaut's enums does not fit", () => {
    expect(violations({ status: { completionStatus: { outcome: "Failed" } } }, { type: "object", properties: { status: schema.properties!.status } })).toEqual([expect.stringContaining("completionStatus.outcome: not one of")]);
  });

  it("Blocked and Failed after a block fit too", () => {
    const blocked = statusOf(step(input(rr({ overallPhase: "Pending", startTime: at(0) }), 1_000, {}, THREE_FAILURES)));
    const expired = statusOf(step(input(rr(blocked), 70_000)));
    for (const status of [blocked, expired]) expect(violations({ status }, { type: "object", properties: { status: schema.properties!.status } })).toEqual([]);
  });
});
