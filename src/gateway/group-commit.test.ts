import { GroupCommit } from "./group-commit";

/** A flush that records batch sizes and hands out consecutive counts, like the recorder does. */
function counter() {
  let total = 0;
  const batches: number[] = [];
  let release: () => void = () => {};
  let gate = Promise.resolve();
  const commit = new GroupCommit<string, number>(async (_key, items) => {
    batches.push(items.length);
    await gate;
    return items.map(() => ++total);
  });
  return {
    commit,
    batches,
    hold: () => {
      gate = new Promise<void>(r => (release = r));
    },
    release: () => release(),
  };
}

describe("GroupCommit", () => {
  it("gives N concurrent submitters the counts 1..N, each exactly once", async () => {
    const { commit } = counter();
    const counts = await Promise.all(Array.from({ length: 100 }, (_, i) => commit.submit("k", `s${i}`)));
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it("folds what arrives during a flush into the next single flush", async () => {
    const c = counter();
    c.hold();
    const first = c.commit.submit("k", "a");
    await Promise.resolve();
    const rest = Array.from({ length: 9 }, () => c.commit.submit("k", "b"));
    c.release();
    await Promise.all([first, ...rest]);
    expect(c.batches).toEqual([1, 9]);
  });

  it("lets a flush that must write again take in what arrived meanwhile, and answers those from the same flush", async () => {
    let release!: () => void;
    const written = new Promise<void>(r => (release = r));
    const batches: string[][] = [];
    const commit = new GroupCommit<string, string>(async (_key, items, more) => {
      await written; // a first write that lost a race...
      const all = [...items, ...more()]; // ...is done again with what arrived meanwhile
      batches.push(all);
      return all.map(item => `${item}@${all.length}`);
    });
    const first = commit.submit("k", "a");
    const later = [commit.submit("k", "b"), commit.submit("k", "c")];
    release();
    expect(await Promise.all([first, ...later])).toEqual(["a@3", "b@3", "c@3"]);
    expect(batches).toEqual([["a", "b", "c"]]);
  });

  it("flushes different keys independently", async () => {
    const c = counter();
    await Promise.all([c.commit.submit("a", "x"), c.commit.submit("b", "y")]);
    expect(c.batches).toEqual([1, 1]);
  });

  it("gives every waiter of a failed batch the error, and goes on with the next batch", async () => {
    let flushes = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>(r => (release = r));
    const commit = new GroupCommit<number, number>(async (_k, items) => {
      flushes++;
      if (flushes === 1) await gate;
      if (flushes === 2) throw new Error("API down");
      return items;
    });
    const first = commit.submit("k", 0);
    const failed = [commit.submit("k", 1), commit.submit("k", 2)];
    release();
    await expect(first).resolves.toBe(0);
    await expect(failed[0]).rejects.toThrow("API down");
    await expect(failed[1]).rejects.toThrow("API down");
    await expect(commit.submit("k", 3)).resolves.toBe(3);
  });

  it("rejects every waiter when a flush returns the wrong number of results", async () => {
    const commit = new GroupCommit<number, number>(async () => []);
    await expect(commit.submit("k", 1)).rejects.toThrow("flush returned 0 results for 1 items");
  });

  describe("other writes between flushes", () => {
    /** A flush that logs when it starts and ends and waits for the test's word. */
    function logged() {
      const log: string[] = [];
      const gates: (() => void)[] = [];
      const commit = new GroupCommit<string, string>(async (_key, items) => {
        log.push(`flush ${items.join(",")}`);
        await new Promise<void>(r => gates.push(r));
        log.push("flushed");
        return items;
      });
      return { commit, log, gates };
    }
    const settle = () => new Promise<void>(r => setImmediate(r));

    it("runs a task on an idle key at once and returns its result", async () => {
      const { commit } = logged();
      await expect(commit.between("k", async () => "done")).resolves.toBe("done");
    });

    it("waits for the flush in progress, and holds the next flush until the task has finished", async () => {
      const { commit, log, gates } = logged();
      const first = commit.submit("k", "a");
      await settle();
      let finishTask!: () => void;
      const task = commit.between("k", async () => {
        log.push("task");
        await new Promise<void>(r => (finishTask = r));
        log.push("task done");
      });
      gates.shift()!(); // a's flush ends
      await first;
      await settle();
      const during = [commit.submit("k", "b"), commit.submit("k", "c")];
      await settle();
      expect(log).toEqual(["flush a", "flushed", "task"]);
      finishTask();
      await task;
      await settle();
      gates.shift()!();
      await Promise.all(during);
      // What arrived during the task went out in one flush after it.
      expect(log).toEqual(["flush a", "flushed", "task", "task done", "flush b,c", "flushed"]);
    });

    it("gives a failing task's error to its caller and goes on flushing", async () => {
      const { commit, gates } = logged();
      await expect(commit.between("k", async () => Promise.reject(new Error("409")))).rejects.toThrow("409");
      const next = commit.submit("k", "a");
      await settle();
      gates.shift()!();
      await expect(next).resolves.toBe("a");
    });
  });

  describe("linger after a contended flush", () => {
    /** A flush that records batches; each sleep of the linger is recorded and ends when the test says so. */
    function lingering() {
      const batches: string[][] = [];
      const sleeps: (() => void)[] = [];
      const commit = new GroupCommit<string, string>(
        async (_key, items) => {
          batches.push([...items]);
          return items;
        },
        { lingerMs: 5, sleep: () => new Promise<void>(r => sleeps.push(r)) },
      );
      return { commit, batches, sleeps };
    }
    const settle = () => new Promise<void>(r => setImmediate(r));

    it("never waits for a problem signalled one at a time", async () => {
      const { commit, batches, sleeps } = lingering();
      for (const s of ["a", "b", "c"]) await commit.submit("k", s);
      expect(batches).toEqual([["a"], ["b"], ["c"]]);
      expect(sleeps).toHaveLength(0);
    });

    it("lets the senders just answered send again into the next write (closed loop, two in flight: one write per two signals)", async () => {
      const { commit, batches, sleeps } = lingering();
      // Two senders, each sending again as soon as it is answered, three rounds each.
      const sender = async (name: string) => {
        for (let round = 0; round < 3; round++) await commit.submit("k", `${name}${round}`);
      };
      let finished = false;
      const done = Promise.all([sender("x"), sender("y")]).then(() => (finished = true));
      while (!finished) {
        await settle();
        sleeps.shift()?.(); // the linger ends
      }
      await done;
      // After the first write, each carries the signal that waited and the one sent again at once: 4 writes for 6 signals, one per two in a long storm.
      expect(batches).toEqual([["x0"], ["y0", "x1"], ["y1", "x2"], ["y2"]]);
    });

    it("waits once more after a batch of several before it takes the next, with what arrived meanwhile", async () => {
      const { commit, batches, sleeps } = lingering();
      const first = [commit.submit("k", "a"), commit.submit("k", "b")];
      await settle();
      expect(batches).toEqual([["a"]]);
      // b waited during a's flush: contended, so the next batch is taken after the linger, with c in it.
      expect(sleeps).toHaveLength(1);
      const late = commit.submit("k", "c");
      sleeps.shift()!();
      await Promise.all([...first, late]);
      expect(batches).toEqual([["a"], ["b", "c"]]);
    });
  });
});
