import { SEVERITY_CLASSES, severityClass } from "./severity";

describe("severityClass: a bounded severity for metric labels", () => {
  it.each([
    ["critical", "critical"],
    ["CRITICAL", "critical"],
    [" Sev1 ", "critical"],
    ["P0", "critical"],
    ["p1", "critical"],
    ["Error", "critical"],
    ["high", "high"],
    ["sev2", "high"],
    ["P2", "high"],
    ["warning", "warning"],
    ["Warning", "warning"],
    ["medium", "warning"],
    ["sev3", "warning"],
    ["p3", "warning"],
    ["info", "info"],
    ["low", "info"],
    ["sev4", "info"],
    ["none", "info"],
  ])("%j is %s", (raw, cls) => {
    expect(severityClass(raw)).toBe(cls);
  });

  it.each(["", "   ", "page-the-ceo", "x".repeat(10_000), "critical!"])("anything else (%j) is unknown", raw => {
    expect(severityClass(raw)).toBe("unknown");
  });

  it("is unknown without a severity", () => {
    expect(severityClass(undefined)).toBe("unknown");
  });

  it("never leaves the fixed set, whatever the input", () => {
    const inputs = ["a", "CRIT", "P5", "sev0", "警告", "warning\n", "info\u0000"];
    for (const raw of inputs) expect(SEVERITY_CLASSES).toContain(severityClass(raw));
  });
});
