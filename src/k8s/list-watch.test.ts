import { jest } from "@jest/globals";
import { fakeKube, HANG, watchLine as line } from "../../test/helpers/fake-kube";
import { ForbiddenError, KubeApiError, UnavailableError } from "./errors";
import type { KubeClient } from "./kube-client";
import { ListWatch, type ListWatchOptions } from "./list-watch";

interface Item {
  metadata?: { name?: string; resourceVersion?: string };
}
const item = (name: string, resourceVersion = "1"): Item => ({ metadata: { name, resourceVersion } });
const page = (resourceVersion: string, names: string[], next?: string): unknown => ({ metadata: { resourceVersion, continue: next }, items: names.map(n => item(n)) });

/** A ListWatch on the fake, recording what it hands on. */
function listWatch(kube: KubeClient, options: ListWatchOptions = {}) {
  const seen: string[] = [];
  const errors: unknown[] = [];
  const watch = new ListWatch<Item>(
    kube,
    { path: "/api/v1/pods", selector: { labelSelector: "team" }, accept: { list: "list/json", watch: "watch/json" }, what: "Pods" },
    {
      onList: () => {
        seen.push("list");
        return { add: i => seen.push(`listed ${i.metadata?.name}`), end: () => seen.push("end") };
      },
      onChanged: i => seen.push(`changed ${i.metadata?.name}`),
      onDeleted: i => seen.push(`deleted ${i.metadata?.name}`),
      onError: err => errors.push(err),
    },
    { watchSeconds: () => 400, ...options },
  );
  return { watch, seen, errors };
}

/** Lets the loop run until it waits on a timer or a request. */
const settle = (): Promise<void> => jest.advanceTimersByTimeAsync(0);

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

describe("ListWatch: list, then watch from the list's resourceVersion", () => {
  it("reads the list page by page into one receiver, then watches from the first page's resourceVersion", async () => {
    const { kube, requests, streams } = fakeKube([page("10", ["a", "b"], "token-1"), page("11", ["c"])], []);
    const { watch, seen } = listWatch(kube);
    watch.start();
    await settle();
    expect(seen).toEqual(["list", "listed a", "listed b", "listed c", "end"]);
    expect(requests.map(r => r.query)).toEqual([
      { labelSelector: "team", limit: "500", continue: undefined },
      { labelSelector: "team", limit: "500", continue: "token-1" },
    ]);
    expect(requests[0]).toMatchObject({ method: "GET", path: "/api/v1/pods", accept: "list/json", what: "list Pods" });
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatchObject({
      path: "/api/v1/pods",
      query: { labelSelector: "team", watch: "true", resourceVersion: "10", allowWatchBookmarks: "true", timeoutSeconds: "400" },
      accept: "watch/json",
      what: "watch Pods",
      idleTimeoutMs: 430_000,
    });
    await watch.stop();
  });

  it("hands each watch event on and renews the watch from the last resourceVersion; a BOOKMARK only moves it", async () => {
    const { kube, streams } = fakeKube(
      [page("10", [])],
      [[line("ADDED", item("a", "11")), line("MODIFIED", item("a", "12")), line("DELETED", item("b", "13")), line("BOOKMARK", item("", "20"))], [line("ADDED", item("c", "21"))]],
    );
    const { watch, seen } = listWatch(kube);
    watch.start();
    await settle();
    expect(seen).toEqual(["list", "end", "changed a", "changed a", "deleted b", "changed c"]);
    expect(streams.map(s => s.query?.resourceVersion)).toEqual(["10", "20", "21"]);
    await watch.stop();
  });

  it("relists at once when the watch request answers 410 Gone", async () => {
    const { kube, requests, streams } = fakeKube([page("10", ["a"]), page("30", ["b"])], [() => { throw new KubeApiError("watch Pods: too old", 410); }]);
    const { watch, seen, errors } = listWatch(kube);
    watch.start();
    await settle();
    expect(seen).toEqual(["list", "listed a", "end", "list", "listed b", "end"]);
    expect(errors).toEqual([]);
    expect(requests.map(r => r.at)).toEqual([0, 0]); // no pause
    expect(streams.map(s => s.query?.resourceVersion)).toEqual(["10", "30"]);
    await watch.stop();
  });

  it("relists at once on an ERROR event with code 410, after handing on what came before it", async () => {
    const { kube, streams } = fakeKube(
      [page("10", []), page("30", [])],
      [[line("ADDED", item("a", "11")), line("ERROR", { kind: "Status", code: 410, message: "too old" }), line("ADDED", item("never", "12"))]],
    );
    const { watch, seen, errors } = listWatch(kube);
    watch.start();
    await settle();
    expect(seen).toEqual(["list", "end", "changed a", "list", "end"]);
    expect(errors).toEqual([]);
    expect(streams.map(s => s.query?.resourceVersion)).toEqual(["10", "30"]);
    await watch.stop();
  });

  it("reports any other ERROR event as its typed error, pauses, and watches again from the list's resourceVersion", async () => {
    const { kube, streams } = fakeKube([page("10", [])], [[line("ERROR", { kind: "Status", code: 403, message: "forbidden" })]]);
    const { watch, errors } = listWatch(kube, { restartDelayMs: 100 });
    watch.start();
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ForbiddenError);
    expect(String(errors[0])).toContain("watch Pods: forbidden");
    await jest.advanceTimersByTimeAsync(100);
    expect(streams.map(s => [s.at, s.query?.resourceVersion])).toEqual([
      [0, "10"],
      [100, "10"],
    ]);
    await watch.stop();
  });
});

describe("ListWatch: failures back off, doubling up to a cap", () => {
  const down = (): never => {
    throw new UnavailableError("list Pods: connection refused", 0);
  };

  it("pauses restartDelayMs after a failure, twice as long after each failure in a row, never more than maxRestartDelayMs", async () => {
    const { kube, requests } = fakeKube([down, down, down, down, down, page("10", [])], []);
    const { watch, errors } = listWatch(kube, { restartDelayMs: 100, maxRestartDelayMs: 350 });
    watch.start();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(requests.map(r => r.at)).toEqual([0, 100, 300, 650, 1_000, 1_350]);
    expect(errors).toHaveLength(5);
    await watch.stop();
  });

  it("starts again from restartDelayMs once a list or watch succeeds", async () => {
    const { kube, requests, streams } = fakeKube([down, down, page("10", [])], [[], down, down]);
    const { watch } = listWatch(kube, { restartDelayMs: 100, maxRestartDelayMs: 10_000 });
    watch.start();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(requests.map(r => r.at)).toEqual([0, 100, 300]);
    // The list at 300 and the first watch succeeded: the watch's failures pause 100, then 200.
    expect(streams.map(s => s.at)).toEqual([300, 300, 400, 600]);
    await watch.stop();
  });

  it("defaults to 1 s doubling up to 30 s", async () => {
    const { kube, requests } = fakeKube(Array(8).fill(down), []);
    const { watch } = listWatch(kube);
    watch.start();
    await jest.advanceTimersByTimeAsync(100_000);
    expect(requests.map(r => r.at / 1_000)).toEqual([0, 1, 3, 7, 15, 31, 61, 91]);
    await watch.stop();
  });
});

describe("ListWatch: stop", () => {
  it("ends a pause at once", async () => {
    const { kube, requests } = fakeKube([() => { throw new UnavailableError("down", 0); }], []);
    const { watch } = listWatch(kube, { restartDelayMs: 60_000 });
    watch.start();
    await settle();
    await watch.stop(); // resolves without the clock moving
    await jest.advanceTimersByTimeAsync(120_000);
    expect(requests).toHaveLength(1);
  });

  it("aborts a list in flight and hands nothing on", async () => {
    const { kube, requests } = fakeKube([HANG], []);
    const { watch, seen, errors } = listWatch(kube);
    watch.start();
    await settle();
    expect(requests[0].stop?.aborted).toBe(false);
    await watch.stop();
    expect(requests[0].stop?.aborted).toBe(true);
    expect(seen).toEqual(["list"]);
    expect(errors).toEqual([]);
  });

  it("drops a list page that arrives after stop", async () => {
    let answer: (page: unknown) => void = () => {};
    const { kube } = fakeKube([() => new Promise(resolve => (answer = resolve))], []);
    const { watch, seen } = listWatch(kube);
    watch.start();
    await settle();
    const stopped = watch.stop();
    answer(page("10", ["a"]));
    await stopped;
    expect(seen).toEqual(["list"]);
  });

  it("aborts a watch in flight; nothing is reported and nothing follows", async () => {
    const { kube, requests, streams } = fakeKube([page("10", [])], [HANG]);
    const { watch, errors } = listWatch(kube);
    watch.start();
    await settle();
    expect(streams).toHaveLength(1);
    await watch.stop();
    expect(streams[0].stop?.aborted).toBe(true);
    await jest.advanceTimersByTimeAsync(60_000);
    expect([requests.length, streams.length, errors.length]).toEqual([1, 1, 0]);
  });

  it("hands on no watch event after stop", async () => {
    let watchLines: ((line: string) => void) | undefined;
    const { kube } = fakeKube([page("10", [])], []);
    const stream = kube.stream.bind(kube);
    kube.stream = (req, onLine) => {
      watchLines = onLine;
      return stream(req, onLine);
    };
    const { watch, seen } = listWatch(kube);
    watch.start();
    await settle();
    await watch.stop();
    watchLines?.(line("ADDED", item("late", "11")));
    expect(seen).toEqual(["list", "end"]);
  });
});
