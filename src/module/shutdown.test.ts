import { runStopHooks } from "./shutdown";

const after = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

describe("runStopHooks", () => {
  it("stops every part at once, each told the deadline, and reports nothing wrong when all finish", async () => {
    const deadline = Date.now() + 5_000;
    const seen: number[] = [];
    const started = Date.now();
    const outcome = await runStopHooks(
      [
        { name: "a", stop: d => (seen.push(d), after(100)) },
        { name: "b", stop: d => (seen.push(d), after(100)) },
      ],
      deadline,
    );
    expect(outcome).toEqual({ failed: [], unfinished: [] });
    expect(seen).toEqual([deadline, deadline]);
    expect(Date.now() - started).toBeLessThan(1_000); // at once, not one after the other
  });

  it("returns at the deadline, naming the parts still stopping", async () => {
    const started = Date.now();
    const outcome = await runStopHooks(
      [
        { name: "quick", stop: () => after(10) },
        { name: "stuck", stop: () => new Promise<void>(() => undefined) },
      ],
      Date.now() + 300,
    );
    expect(outcome).toEqual({ failed: [], unfinished: ["stuck"] });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("reports a part whose stop failed, and still waits for the others", async () => {
    let otherDone = false;
    const outcome = await runStopHooks(
      [
        { name: "broken", stop: () => Promise.reject(new Error("the API server is away")) },
        { name: "other", stop: () => after(50).then(() => void (otherDone = true)) },
      ],
      Date.now() + 5_000,
    );
    expect(outcome).toEqual({ failed: [{ name: "broken", error: "the API server is away" }], unfinished: [] });
    expect(otherDone).toBe(true);
  });

  it("returns at once with nothing registered", async () => {
    expect(await runStopHooks([], Date.now() + 60_000)).toEqual({ failed: [], unfinished: [] });
  });
});
