import { backoffDelay } from "./backoff";
import { CircuitBreaker } from "./circuit-breaker";

describe("CircuitBreaker", () => {
  it("refuses at once for openMs after a failure, then lets a probe through", () => {
    const breaker = new CircuitBreaker(1_000);
    expect(breaker.allows(0)).toBe(true);
    breaker.recordFailure(0);
    expect(breaker.allows(999)).toBe(false);
    expect(breaker.allows(1_000)).toBe(true);
  });

  it("closes on success", () => {
    const breaker = new CircuitBreaker(1_000);
    breaker.recordFailure(Date.now());
    breaker.recordSuccess();
    expect(breaker.isOpen).toBe(false);
  });
});

describe("backoffDelay", () => {
  it("doubles from the base up to the ceiling, with jitter between half and all of it", () => {
    expect([1, 2, 3, 4].map(a => backoffDelay(a, 10, 1_000, () => 1))).toEqual([10, 20, 40, 80]);
    expect(backoffDelay(20, 10, 1_000, () => 1)).toBe(1_000);
    expect(backoffDelay(1, 10, 1_000, () => 0)).toBe(5);
  });
});
