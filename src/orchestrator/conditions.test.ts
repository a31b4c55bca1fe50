import type { Condition } from "../model/remediation-request";
import { ConditionChange, setCondition, setConditions } from "./conditions";

const T0 = "2025-01-01T00:00:00.000Z";
const T1 = "2025-01-01T00:00:05.000Z";

describe("setCondition", () => {
  const ready: Condition = { type: "Ready", status: "False", reason: "Processing", message: "m", lastTransitionTime: T0 };

  it.each<[string, Condition[] | undefined, ConditionChange, string]>([
    ["adds a new condition at now", undefined, { type: "Ready", status: "False", reason: "Processing", message: "m" }, T1],
    ["keeps the time when only the reason changes", [ready], { type: "Ready", status: "False", reason: "Analyzing", message: "m" }, T0],
    ["keeps the time when only the message changes", [ready], { type: "Ready", status: "False", reason: "Processing", message: "other" }, T0],
    ["keeps the time when only observedGeneration changes", [ready], { type: "Ready", status: "False", reason: "Processing", message: "m", observedGeneration: 2 }, T0],
    ["moves the time when the status flips", [ready], { type: "Ready", status: "True", reason: "Verifying", message: "m" }, T1],
    ["moves the time when False becomes Unknown", [ready], { type: "Ready", status: "Unknown", reason: "Lost", message: "m" }, T1],
    ["sets a time when the previous one had none", [{ ...ready, lastTransitionTime: "" }], { type: "Ready", status: "False", reason: "Processing", message: "m" }, T1],
  ])("%s", (_title, before, next, expectedTime) => {
    const after = setCondition(before, next, T1);
    expect(after.find(c => c.type === next.type)).toEqual({ ...next, lastTransitionTime: expectedTime });
  });

  it("keeps the other conditions and their order, and does not mutate its input", () => {
    const before: Condition[] = [ready, { type: "SignalProcessingComplete", status: "True", reason: "SignalProcessingSucceeded", message: "m", lastTransitionTime: T0 }];
    const copy = structuredClone(before);
    const after = setCondition(before, { type: "Ready", status: "True", reason: "Verifying", message: "m" }, T1);
    expect(after.map(c => c.type)).toEqual(["Ready", "SignalProcessingComplete"]);
    expect(after[1]).toBe(before[1]);
    expect(before).toEqual(copy);
  });
});

describe("setConditions", () => {
  it("applies several changes in order", () => {
    const after = setConditions(undefined, [{ type: "A", status: "True", reason: "R", message: "m" }, { type: "B", status: "False", reason: "R", message: "m" }], T1);
    expect(after?.map(c => c.type)).toEqual(["A", "B"]);
  });

  it("leaves no conditions as none (kubernaut sets none at Pending or Blocked)", () => {
    expect(setConditions(undefined, [], T1)).toBeUndefined();
  });
});
