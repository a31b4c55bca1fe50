import { StormWindow } from "./storm-window";

describe("StormWindow", () => {
  const window = () => new StormWindow({ threshold: 5, windowMs: 60_000 });

  it("counts occurrences within the window from the RR's counts, including other replicas' writes", () => {
    const w = window();
    expect(w.observe("rr", 1, 1, 0)).toBe(1);
    // Another replica added 2 in between: our next write brings the count to 4.
    expect(w.observe("rr", 4, 1, 1_000)).toBe(4);
    expect(w.isStorm(4)).toBe(false);
    expect(w.isStorm(w.observe("rr", 5, 1, 2_000))).toBe(true);
  });

  it("forgets occurrences older than the window", () => {
    const w = window();
    w.observe("rr", 4, 4, 0);
    expect(w.observe("rr", 5, 1, 61_000)).toBe(1);
  });

  it("prunes RRs with no write in the window (bounded memory)", () => {
    const w = window();
    w.observe("a", 1, 1, 0);
    w.observe("b", 1, 1, 50_000);
    w.prune(70_000);
    expect(w.size).toBe(1);
  });
});
