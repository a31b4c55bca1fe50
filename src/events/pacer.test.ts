import { jest } from "@jest/globals";
import { ProblemPacer, type SendResult } from "./pacer";

/** A pacer on jest's fake clock that records what it sends. */
function pacer(intervalMs: number, results: SendResult[] = []) {
  const sent: { key: string; latest: string; marks: Record<string, number> }[] = [];
  const p = new ProblemPacer<string>({
    intervalMs,
    send: async (key, latest, marks) => {
      sent.push({ key, latest, marks: Object.fromEntries(marks) });
      return results.shift() ?? "done";
    },
    retryDelayMs: () => 500,
    now: () => Date.now(),
  });
  return { p, sent };
}

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

describe("ProblemPacer: at most one signal per problem per interval, nothing dropped", () => {
  it("sends a problem's first update at once", async () => {
    const { p, sent } = pacer(1_000);
    expect(p.offer("a", "v1", "e1", 1)).toBe(false);
    await jest.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([{ key: "a", latest: "v1", marks: { e1: 1 } }]);
  });

  it("folds the updates of one interval into one signal with each Event's highest count", async () => {
    const { p, sent } = pacer(1_000);
    p.offer("a", "v1", "e1", 1);
    await jest.advanceTimersByTimeAsync(0);
    expect(p.offer("a", "v2", "e1", 2)).toBe(false); // waits for the interval: the next signal
    for (let count = 3; count <= 50; count++) expect(p.offer("a", `v${count}`, "e1", count)).toBe(true);
    p.offer("a", "v51", "e2", 3);
    await jest.advanceTimersByTimeAsync(999);
    expect(sent).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(sent[1]).toEqual({ key: "a", latest: "v51", marks: { e1: 50, e2: 3 } });
  });

  it("paces each problem on its own", async () => {
    const { p, sent } = pacer(1_000);
    p.offer("a", "a1", "e1", 1);
    p.offer("b", "b1", "e2", 1);
    await jest.advanceTimersByTimeAsync(0);
    expect(sent.map(s => s.key).sort()).toEqual(["a", "b"]);
  });

  it("puts back what could not be recorded and sends it again, folded with what came since", async () => {
    const { p, sent } = pacer(1_000, ["retry"]);
    p.offer("a", "v1", "e1", 2);
    await jest.advanceTimersByTimeAsync(0);
    p.offer("a", "v2", "e1", 3);
    await jest.advanceTimersByTimeAsync(500);
    expect(sent.map(s => s.marks)).toEqual([{ e1: 2 }, { e1: 3 }]);
  });

  it("forgets a problem once its interval has passed with nothing new", async () => {
    const { p } = pacer(1_000);
    p.offer("a", "v1", "e1", 1);
    await jest.advanceTimersByTimeAsync(0);
    expect(p.size).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(p.size).toBe(0);
  });

  it("drops what waits on clear() (leadership lost)", async () => {
    const { p, sent } = pacer(1_000);
    p.offer("a", "v1", "e1", 1);
    await jest.advanceTimersByTimeAsync(0);
    p.offer("a", "v2", "e1", 2);
    p.clear();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(sent).toHaveLength(1);
    expect(p.size).toBe(0);
  });
});
