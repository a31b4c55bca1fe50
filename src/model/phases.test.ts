import { PHASES, phaseLabel } from "./phases";

describe("phaseLabel: a bounded phase for metric labels", () => {
  it.each(PHASES.map(p => [p]))("keeps kubernaut's phase %s", phase => {
    expect(phaseLabel(phase)).toBe(phase);
  });

  it("is None before the orchestrator sets a phase", () => {
    expect(phaseLabel(undefined)).toBe("None");
    expect(phaseLabel("")).toBe("None");
  });

  it("is Unknown for a phase kubernaut does not define (a writer's typo, a newer orchestrator)", () => {
    expect(phaseLabel("completed")).toBe("Unknown");
    expect(phaseLabel("Whatever")).toBe("Unknown");
  });
});
