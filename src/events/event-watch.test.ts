import { jest } from "@jest/globals";
import { fakeKube, HANG, watchLine as line } from "../../test/helpers/fake-kube";
import { EventWatch } from "./event-watch";
import type { EventObject } from "./occurrences";

const event = (uid: string, resourceVersion = "1"): EventObject => ({ metadata: { uid, name: `pod.${uid}`, namespace: "shop", resourceVersion }, type: "Warning", reason: "BackOff" });
const page = (resourceVersion: string, events: EventObject[], next?: string): unknown => ({ metadata: { resourceVersion, continue: next }, items: events });

/** An EventWatch on the fake KubeClient, recording what it hands on. */
function eventWatch(lists: unknown[], watches: unknown[]) {
  const fake = fakeKube(lists, watches);
  const seen: string[] = [];
  const watch = new EventWatch(fake.kube, {
    onEvent: e => seen.push(`event ${e.metadata?.uid}`),
    onDeleted: e => seen.push(`deleted ${e.metadata?.uid}`),
    onList: uids => seen.push(`list [${[...uids].join(",")}]`),
  });
  return { ...fake, watch, seen };
}

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

describe("EventWatch: Warning events, listed then watched", () => {
  it("asks for Warning events only, hands on each listed event, then the uids of the whole list", async () => {
    const { watch, seen, requests, streams } = eventWatch([page("10", [event("a"), event("b")], "more"), page("10", [event("c")])], []);
    watch.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(["event a", "event b", "event c", "list [a,b,c]"]);
    expect(watch.lists).toBe(1);
    expect(requests[0]).toMatchObject({ path: "/api/v1/events", query: { fieldSelector: "type=Warning" }, accept: undefined });
    expect(streams[0]).toMatchObject({ path: "/api/v1/events", query: { fieldSelector: "type=Warning", watch: "true", resourceVersion: "10" } });
    await watch.stop();
  });

  it("hands on watched events as added, modified or deleted, and counts each relist after 410 Gone", async () => {
    const { watch, seen } = eventWatch(
      [page("10", [event("a")]), page("20", [event("b")])],
      [[line("ADDED", event("b", "11")), line("MODIFIED", event("b", "12")), line("DELETED", event("a", "13")), line("ERROR", { kind: "Status", code: 410 })]],
    );
    watch.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(["event a", "list [a]", "event b", "event b", "deleted a", "event b", "list [b]"]);
    expect(watch.lists).toBe(2);
    await watch.stop();
  });

  it("aborts a request in flight when stopped", async () => {
    const { watch, seen, requests } = eventWatch([HANG], []);
    watch.start();
    await jest.advanceTimersByTimeAsync(0);
    await watch.stop();
    expect(requests[0].stop?.aborted).toBe(true);
    expect([seen, watch.lists]).toEqual([[], 0]);
  });
});
