import { jest } from "@jest/globals";
import { backoffDelay } from "./backoff";
import { CircuitBreaker } from "./circuit-breaker";

/** A probe whose answer the test sets (up: resolves; down: rejects); `release` ends a probe held open. */
function scriptedProbe() {
  const state = { up: false, calls: 0, hold: false, release: () => {} };
  const probe = async (): Promise<void> => {
    state.calls++;
    if (state.hold) await new Promise<void>(resolve => (state.release = resolve));
    if (!state.up) throw new Error("API server down");
  };
  return { state, probe };
}

describe("CircuitBreaker", () => {
  it("admits everything while closed, without probing", async () => {
    const { state, probe } = scriptedProbe();
    const breaker = new CircuitBreaker(1_000, probe);
    expect([await breaker.admit(), await breaker.admit(), breaker.isOpen, state.calls]).toEqual([true, true, false, 0]);
  });

  it("once a request failed, refuses what a probe finds the API server still down for", async () => {
    const { state, probe } = scriptedProbe();
    const breaker = new CircuitBreaker(60_000, probe);
    breaker.recordFailure();
    expect([await breaker.admit(), await breaker.admit(), breaker.isOpen]).toEqual([false, false, true]);
    expect(state.calls).toBe(2);
  });

  it("runs one probe at a time: the request that starts it waits, the others are refused when it is slow", async () => {
    const { state, probe } = scriptedProbe();
    state.hold = true;
    const breaker = new CircuitBreaker(60_000, probe, undefined, 10);
    breaker.recordFailure();
    const prober = breaker.admit();
    const others = await Promise.all(Array.from({ length: 50 }, () => breaker.admit()));
    expect(new Set(others)).toEqual(new Set([false]));
    state.up = true;
    state.release();
    expect(await prober).toBe(true);
    expect(state.calls).toBe(1);
  });

  it("lets requests that come during a quick probe take its answer", async () => {
    const { state, probe } = scriptedProbe();
    state.hold = true;
    const breaker = new CircuitBreaker(60_000, probe, undefined, 5_000);
    breaker.recordFailure();
    const all = Array.from({ length: 20 }, () => breaker.admit());
    state.up = true;
    state.release();
    expect(new Set(await Promise.all(all))).toEqual(new Set([true]));
    expect(state.calls).toBe(1);
  });

  it("admits the first request after the API server is back, and closes", async () => {
    const { state, probe } = scriptedProbe();
    const changes: boolean[] = [];
    const breaker = new CircuitBreaker(60_000, probe, open => changes.push(open));
    breaker.recordFailure();
    expect(await breaker.admit()).toBe(false);
    state.up = true;
    expect(await breaker.admit()).toBe(true);
    expect(breaker.isOpen).toBe(false);
    expect(await breaker.admit()).toBe(true);
    expect(state.calls).toBe(2);
    expect(changes).toEqual([true, false]);
  });

  it("closes as soon as any request gets an answer from the API server", async () => {
    const { state, probe } = scriptedProbe();
    const breaker = new CircuitBreaker(60_000, probe);
    breaker.recordFailure();
    breaker.recordSuccess();
    expect(await breaker.admit()).toBe(true);
    expect(state.calls).toBe(0);
  });

  describe("without traffic", () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it("probes by itself every interval until the API server is back, then stops", async () => {
      const { state, probe } = scriptedProbe();
      const breaker = new CircuitBreaker(1_000, probe);
      for (let i = 0; i < 10; i++) breaker.recordFailure(); // opens once: one probe loop
      await jest.advanceTimersByTimeAsync(999);
      expect(state.calls).toBe(0);
      await jest.advanceTimersByTimeAsync(2_001);
      expect(state.calls).toBe(3);
      state.up = true;
      await jest.advanceTimersByTimeAsync(1_000);
      expect(breaker.isOpen).toBe(false);
      await jest.advanceTimersByTimeAsync(5_000);
      expect(state.calls).toBe(4);
    });
  });

  it("is off with an interval of 0", async () => {
    const breaker = new CircuitBreaker(0, async () => undefined);
    breaker.recordFailure();
    expect([breaker.isOpen, await breaker.admit()]).toEqual([false, true]);
  });
});

describe("backoffDelay", () => {
  it("doubles from the base up to the ceiling, with jitter between half and all of it", () => {
    expect([1, 2, 3, 4].map(a => backoffDelay(a, 10, 1_000, () => 1))).toEqual([10, 20, 40, 80]);
    expect(backoffDelay(20, 10, 1_000, () => 1)).toBe(1_000);
    expect(backoffDelay(1, 10, 1_000, () => 0)).toBe(5);
  });
});
