import { drainPlan, FINAL_WRITES_MS } from "./drain-plan";

describe("drainPlan", () => {
  const defaults = { delayMs: 0, graceMs: 20_000 };

  it("keeps the configured delay and grace without a deadline (in-process stop)", () => {
    expect(drainPlan({ delayMs: 5_000, graceMs: 60_000 })).toEqual({ delayMs: 5_000, graceMs: 60_000, shortened: false });
  });

  it("keeps the defaults within the deployed pod's budget (36 s: grace 45 − preStop 5 − margin 4)", () => {
    expect(drainPlan(defaults, 36_000)).toEqual({ delayMs: 0, graceMs: 20_000, shortened: false });
  });

  it("cuts the grace so the final writes keep their time before the deadline", () => {
    expect(drainPlan(defaults, 27_000)).toEqual({ delayMs: 0, graceMs: 27_000 - FINAL_WRITES_MS, shortened: true });
  });

  it("cuts the grace before the delay, and both when the deadline is closer than the final writes", () => {
    expect(drainPlan({ delayMs: 10_000, graceMs: 20_000 }, 25_000)).toEqual({ delayMs: 10_000, graceMs: 5_000, shortened: true });
    expect(drainPlan({ delayMs: 10_000, graceMs: 20_000 }, 5_000)).toEqual({ delayMs: 0, graceMs: 0, shortened: true });
  });
});
