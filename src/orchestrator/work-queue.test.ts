import { WorkQueue, WorkResult } from "./work-queue";

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** Resolves when check() holds, polling every 5 ms (fails the test after 2 s). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await sleep(5);
  }
}

describe("WorkQueue", () => {
  let queue: WorkQueue;
  afterEach(() => queue.stop());

  it("handles one key at a time, and once more when it was added while running", async () => {
    let running = 0;
    let maxRunning = 0;
    const calls: string[] = [];
    let release!: () => void;
    const firstCallHolds = new Promise<void>(r => (release = r));
    queue = new WorkQueue(async key => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      calls.push(key);
      if (calls.length === 1) await firstCallHolds;
      running--;
    });
    queue.add("a");
    await until(() => calls.length === 1);
    queue.add("a");
    queue.add("a");
    queue.add("a");
    release();
    await until(() => calls.length === 2 && queue.size === 0);
    await sleep(20);
    expect(calls).toEqual(["a", "a"]);
    expect(maxRunning).toBe(1);
  });

  it("runs different keys concurrently", async () => {
    let running = 0;
    let maxRunning = 0;
    queue = new WorkQueue(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(20);
      running--;
    });
    ["a", "b", "c"].forEach(k => queue.add(k));
    await until(() => queue.size === 0);
    expect(maxRunning).toBe(3);
  });

  it("collapses adds of a queued key into one call", async () => {
    const calls: string[] = [];
    queue = new WorkQueue(async key => void calls.push(key), { concurrency: 1 });
    queue.add("a");
    queue.add("b");
    queue.add("b");
    queue.add("b");
    await until(() => queue.size === 0);
    expect(calls).toEqual(["a", "b"]);
  });

  it("requeues after the delay the handler asks for", async () => {
    const times: number[] = [];
    queue = new WorkQueue(async (): Promise<WorkResult> => {
      times.push(Date.now());
      return times.length < 3 ? { requeueAfterMs: 30 } : {};
    });
    queue.add("a");
    await until(() => times.length === 3);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(25);
  });

  it("keeps the earliest of two delayed adds, and add() runs at once", async () => {
    const calls: number[] = [];
    queue = new WorkQueue(async () => void calls.push(Date.now()));
    const start = Date.now();
    queue.addAfter("a", 10_000);
    queue.addAfter("a", 20);
    queue.addAfter("a", 5_000);
    await until(() => calls.length === 1);
    expect(calls[0] - start).toBeLessThan(2_000);
    queue.addAfter("b", 10_000);
    queue.add("b");
    await until(() => calls.length === 2);
    expect(queue.size).toBe(0);
  });

  it("retries a failing key with growing backoff and reports each failure", async () => {
    const errors: number[] = [];
    let attempts = 0;
    queue = new WorkQueue(
      async () => {
        attempts++;
        if (attempts < 4) throw new Error("API server unavailable");
      },
      { baseBackoffMs: 10, onError: (_key, _err, retryInMs) => errors.push(retryInMs) },
    );
    queue.add("a");
    await until(() => attempts === 4);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBeGreaterThanOrEqual(5);
    expect(errors[0]).toBeLessThanOrEqual(10);
    expect(errors[2]).toBeGreaterThanOrEqual(20);
    expect(errors[2]).toBeLessThanOrEqual(40);
  });

  it("does not retry a failed key immediately when it was added while failing", async () => {
    let attempts = 0;
    let release!: () => void;
    const hold = new Promise<void>(r => (release = r));
    queue = new WorkQueue(
      async () => {
        attempts++;
        if (attempts === 1) {
          await hold;
          throw new Error("boom");
        }
      },
      { baseBackoffMs: 200 },
    );
    queue.add("a");
    await until(() => attempts === 1);
    queue.add("a");
    release();
    await sleep(40);
    expect(attempts).toBe(1);
    await until(() => attempts === 2);
  });

  it("clear() drops pending work and timers; stop() waits for running handlers", async () => {
    const calls: string[] = [];
    let finished = false;
    queue = new WorkQueue(async key => {
      calls.push(key);
      if (key === "slow") {
        await sleep(50);
        finished = true;
      }
    }, { concurrency: 1 });
    queue.add("slow");
    queue.add("dropped");
    queue.addAfter("timer", 10);
    queue.clear();
    await queue.stop();
    expect(finished).toBe(true);
    await sleep(30);
    expect(calls).toEqual(["slow"]);
    queue.add("after-stop");
    await sleep(10);
    expect(calls).toEqual(["slow"]);
  });
});
