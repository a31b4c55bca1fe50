import { MIN_MARGIN_MS, readPodTermination, shutdownBudget, ShutdownBudgetError, shutdownBudgetFromEnv } from "./shutdown-budget";

describe("the shutdown budget: from SIGTERM to the moment the process must have exited", () => {
  it.each<[string, number, number, number]>([
    // [case, grace, preStop, budget ms]
    ["the deployed admission pod: SIGTERM at 5 s, SIGKILL at 45 s, exit by 41 s", 45, 5, 36_000],
    ["Kubernetes' defaults (no preStop, 30 s): a tenth kept back", 30, 0, 27_000],
    ["a long grace period: a tenth kept back", 120, 0, 108_000],
    ["a short window keeps at least the minimum margin", 10, 5, 5_000 - MIN_MARGIN_MS],
  ])("%s", (_case, gracePeriodSeconds, preStopSeconds, budgetMs) => {
    expect(shutdownBudget({ gracePeriodSeconds, preStopSeconds }).budgetMs).toBe(budgetMs);
  });

  it("always ends before the kubelet's SIGKILL, which comes grace − preStop after SIGTERM", () => {
    for (let grace = 4; grace <= 600; grace++) {
      for (const preStop of [0, 1, 5, 10, 30]) {
        if (grace - preStop < 4) continue;
        const { budgetMs, marginMs } = shutdownBudget({ gracePeriodSeconds: grace, preStopSeconds: preStop });
        expect(budgetMs + marginMs).toBe((grace - preStop) * 1000);
        expect(marginMs).toBeGreaterThanOrEqual(MIN_MARGIN_MS);
      }
    }
  });

  it("says where the number comes from", () => {
    expect(shutdownBudget({ gracePeriodSeconds: 45, preStopSeconds: 5 }).explanation).toBe("terminationGracePeriodSeconds 45s − preStop 5s − margin 4s");
  });

  it("refuses settings that leave no time to stop, saying what to change", () => {
    expect(() => shutdownBudget({ gracePeriodSeconds: 5, preStopSeconds: 5 })).toThrow(ShutdownBudgetError);
    expect(() => shutdownBudget({ gracePeriodSeconds: 7, preStopSeconds: 5 })).toThrow(/terminationGracePeriodSeconds \(7\) leaves 2s after the preStop sleep \(5s\), less than 3s.*Raise terminationGracePeriodSeconds or shorten preStop/);
    expect(() => shutdownBudget({ gracePeriodSeconds: 5, preStopSeconds: 10 })).toThrow(ShutdownBudgetError);
  });
});

describe("readPodTermination", () => {
  it("reads TERMINATION_GRACE_PERIOD_SECONDS and PRESTOP_SLEEP_SECONDS, as the build sets them", () => {
    expect(readPodTermination({ TERMINATION_GRACE_PERIOD_SECONDS: "45", PRESTOP_SLEEP_SECONDS: "5" })).toEqual({ gracePeriodSeconds: 45, preStopSeconds: 5 });
  });

  it("defaults to Kubernetes' own: a 30 s grace period and no preStop", () => {
    expect(readPodTermination({})).toEqual({ gracePeriodSeconds: 30, preStopSeconds: 0 });
    expect(shutdownBudgetFromEnv({ TERMINATION_GRACE_PERIOD_SECONDS: "" }).budgetMs).toBe(27_000);
  });

  it.each(["-1", "4.5", "45s", "ten"])("refuses %j, naming the variable", value => {
    expect(() => readPodTermination({ TERMINATION_GRACE_PERIOD_SECONDS: value })).toThrow(new RegExp(`^TERMINATION_GRACE_PERIOD_SECONDS: must be whole seconds`));
  });
});
