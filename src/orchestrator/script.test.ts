import { describePlan, LabelSelector, parseScript, planFor, ScriptRule, selectorMatches, SUCCEED } from "./script";

const DEFAULTS = { Pending: 2_000, Processing: 2_000, Analyzing: 2_000, Executing: 2_000, Verifying: 2_000 };

describe("selectorMatches", () => {
  const labels = { env: "prod", team: "payments" };
  it.each<[string, LabelSelector, boolean]>([
    ["an empty selector matches everything", {}, true],
    ["matchLabels: all must be equal", { matchLabels: { env: "prod", team: "payments" } }, true],
    ["matchLabels: one differs", { matchLabels: { env: "prod", team: "search" } }, false],
    ["matchLabels: one missing", { matchLabels: { region: "eu" } }, false],
    ["In", { matchExpressions: [{ key: "env", operator: "In", values: ["prod", "staging"] }] }, true],
    ["In, value not listed", { matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }] }, false],
    ["In, label missing", { matchExpressions: [{ key: "region", operator: "In", values: ["eu"] }] }, false],
    ["NotIn", { matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }] }, true],
    ["NotIn, label missing", { matchExpressions: [{ key: "region", operator: "NotIn", values: ["eu"] }] }, true],
    ["NotIn, value listed", { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, false],
    ["Exists", { matchExpressions: [{ key: "team", operator: "Exists" }] }, true],
    ["DoesNotExist", { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] }, false],
    ["labels and expressions together", { matchLabels: { env: "prod" }, matchExpressions: [{ key: "team", operator: "In", values: ["search"] }] }, false],
  ])("%s → %p", (_title, selector, matches) => {
    expect(selectorMatches(selector, labels)).toBe(matches);
  });
});

describe("planFor", () => {
  const rules: ScriptRule[] = [
    { name: "prod-fails", match: { signalName: "HighMemory", labels: { matchLabels: { env: "prod" } } }, durations: { Analyzing: "manual" }, outcome: { result: "fail", phase: "Analyzing", failurePhase: "AIAnalysis", reason: "r" } },
    { name: "any-highmemory", match: { signalName: "HighMemory" }, durations: { Executing: 100 }, outcome: SUCCEED },
    { name: "staging-times-out", match: { labels: { matchLabels: { env: "staging" } } }, durations: {}, outcome: { result: "timeout", phase: "Verifying" } },
  ];

  it.each([
    ["the first matching rule wins", { signalName: "HighMemory", signalLabels: { env: "prod" } }, "prod-fails"],
    ["a rule needs both its signalName and its labels", { signalName: "HighMemory", signalLabels: { env: "dev" } }, "any-highmemory"],
    ["labels alone can match", { signalName: "DiskFull", signalLabels: { env: "staging" } }, "staging-times-out"],
    ["no labels at all", { signalName: "DiskFull" }, undefined],
  ])("%s", (_title, spec, rule) => {
    expect(planFor(spec, rules, DEFAULTS).rule).toBe(rule);
  });

  it("fills the phases a rule does not name with the defaults", () => {
    expect(planFor({ signalName: "HighMemory", signalLabels: { env: "prod" } }, rules, DEFAULTS).durations).toEqual({ ...DEFAULTS, Analyzing: "manual" });
  });

  it("succeeds with the default durations when no rule matches", () => {
    expect(planFor({ signalName: "Other" }, rules, DEFAULTS)).toEqual({ durations: DEFAULTS, outcome: SUCCEED });
  });

  it("describes a plan for messages", () => {
    expect(describePlan(planFor({ signalName: "HighMemory", signalLabels: { env: "prod" } }, rules, DEFAULTS))).toBe("rule prod-fails: fails at Analyzing (AIAnalysis)");
    expect(describePlan(planFor({ signalName: "Other" }, rules, DEFAULTS))).toBe("default plan: completes Remediated after Verifying");
  });
});

describe("parseScript: every kubernaut ending can be scripted", () => {
  const outcomeOf = (outcome: unknown): unknown => {
    const parsed = parseScript({ rules: [{ outcome }] });
    expect(parsed.problems).toEqual([]);
    return parsed.rules[0].outcome;
  };

  it.each<[string, unknown, unknown]>([
    ["succeed (the old spelling) is Remediated", { result: "succeed" }, { result: "complete", outcome: "Remediated" }],
    ["complete without outcome is Remediated", { result: "complete" }, { result: "complete", outcome: "Remediated" }],
    ...(["Remediated", "NoActionRequired", "ManualReviewRequired", "VerificationTimedOut", "Inconclusive", "DryRun"] as const).map((o): [string, unknown, unknown] => [`complete ${o}`, { result: "complete", outcome: o }, { result: "complete", outcome: o }]),
    ["fail at a phase derives kubernaut's failurePhase (the old syntax)", { result: "fail", phase: "Processing", reason: "r" }, { result: "fail", phase: "Processing", failurePhase: "SignalProcessing", reason: "r" }],
    ["fail at Pending is a Configuration failure", { result: "fail", phase: "Pending" }, { result: "fail", phase: "Pending", failurePhase: "Configuration", reason: "scripted failure" }],
    ["fail at Executing is a WorkflowExecution failure", { result: "fail", phase: "Executing" }, { result: "fail", phase: "Executing", failurePhase: "WorkflowExecution", reason: "scripted failure" }],
    ["a failurePhase alone derives its phase: Approval after the analysis", { result: "fail", failurePhase: "Approval" }, { result: "fail", phase: "Analyzing", failurePhase: "Approval", reason: "scripted failure" }],
    ["a failurePhase alone: AIAnalysis", { result: "fail", failurePhase: "AIAnalysis" }, { result: "fail", phase: "Analyzing", failurePhase: "AIAnalysis", reason: "scripted failure" }],
    ["a failurePhase alone: Deduplicated, before any work", { result: "fail", failurePhase: "Deduplicated" }, { result: "fail", phase: "Pending", failurePhase: "Deduplicated", reason: "scripted failure" }],
    ["phase and failurePhase together", { result: "fail", phase: "Executing", failurePhase: "Configuration" }, { result: "fail", phase: "Executing", failurePhase: "Configuration", reason: "scripted failure" }],
    ["timeout at a phase", { result: "timeout", phase: "Verifying" }, { result: "timeout", phase: "Verifying" }],
  ])("%s", (_title, raw, expected) => {
    expect(outcomeOf(raw)).toEqual(expected);
  });
});
