import type { Condition } from "../model/remediation-request";
import { findCondition, setCondition } from "./conditions";

const T0 = "2025-01-01T00:00:00.000Z";
const T1 = "2025-01-01T00:00:05.000Z";

describe("setCondition", () => {
  const progressing: Condition = { type: "Progressing", status: "True", reason: "Pending", message: "m", lastTransitionTime: T0 };

  it.each<[string, Condition[] | undefined, Omit<Condition, "lastTransitionTime">, string]>([
    ["adds a new condition at now", undefined, { type: "Progressing", status: "True", reason: "Pending" }, T1],
    ["keeps the time when only the reason changes", [progressing], { type: "Progressing", status: "True", reason: "Analyzing" }, T0],
    ["keeps the time when only the message changes", [progressing], { type: "Progressing", status: "True", reason: "Pending", message: "other" }, T0],
    ["moves the time when the status flips", [progressing], { type: "Progressing", status: "False", reason: "Completed" }, T1],
    ["moves the time when True becomes Unknown", [progressing], { type: "Progressing", status: "Unknown", reason: "Lost" }, T1],
    ["sets a time when the previous one had none", [{ ...progressing, lastTransitionTime: undefined }], { type: "Progressing", status: "True", reason: "Pending" }, T1],
  ])("%s", (_title, before, next, expectedTime) => {
    const after = setCondition(before, next, T1);
    expect(findCondition(after, next.type)).toEqual({ ...next, lastTransitionTime: expectedTime });
  });

  it("keeps the other conditions and their order, and does not mutate its input", () => {
    const before: Condition[] = [progressing, { type: "Blocked", status: "False", reason: "NotBlocked", lastTransitionTime: T0 }];
    const copy = structuredClone(before);
    const after = setCondition(before, { type: "Progressing", status: "False", reason: "Blocked" }, T1);
    expect(after.map(c => c.type)).toEqual(["Progressing", "Blocked"]);
    expect(after[1]).toBe(before[1]);
    expect(before).toEqual(copy);
  });
});
