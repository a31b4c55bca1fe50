import { fakeKube, watchLine as line } from "../../test/helpers/fake-kube";
import { ForbiddenError } from "./errors";
import { LabelWatch } from "./label-watch";

const LABEL = "kubernaut.ai/managed";
const PODS = { kind: "Pod", path: "/api/v1/pods", clusterScoped: false };

const pod = (name: string, value?: string, resourceVersion = "1"): unknown => ({
  metadata: { name, namespace: "shop", resourceVersion, labels: value === undefined ? {} : { [LABEL]: value } },
});

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise(r => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe("LabelWatch", () => {
  it("lists and watches only labelled objects, as metadata, and keeps each one's value", async () => {
    const { kube, requests, streams } = fakeKube([() => ({ metadata: { resourceVersion: "10" }, items: [pod("a", "true"), pod("b", "false")] })], []);
    const watch = new LabelWatch(kube, PODS, LABEL);
    watch.start();
    expect(await watch.waitForSync(1_000)).toBe(true);
    expect([watch.valueOf("shop", "a"), watch.valueOf("shop", "b"), watch.valueOf("shop", "c"), watch.valueOf("other", "a")]).toEqual(["true", "false", undefined, undefined]);
    expect(requests[0]).toMatchObject({ path: "/api/v1/pods", query: { labelSelector: LABEL }, accept: expect.stringContaining("as=PartialObjectMetadataList") });
    await eventually(() => streams.length === 1);
    expect(streams[0]).toMatchObject({ query: { watch: "true", labelSelector: LABEL, resourceVersion: "10" }, accept: expect.stringContaining("as=PartialObjectMetadata;") });
    await watch.stop();
  });

  it("follows changes, forgets an object that leaves the selector, and relists after 410 Gone", async () => {
    const { kube, requests, streams } = fakeKube(
      [() => ({ metadata: { resourceVersion: "10" }, items: [pod("a", "true"), pod("b", "false")] }), () => ({ metadata: { resourceVersion: "20" }, items: [pod("d", "true")] })],
      [[line("MODIFIED", pod("a", "false", "11")), line("DELETED", pod("b", "false", "12")), line("ADDED", pod("c", "true", "13")), line("ERROR", { kind: "Status", code: 410, message: "too old" })]],
    );
    const lists: number[] = [];
    const watch = new LabelWatch(kube, PODS, LABEL, { onList: (_, n) => lists.push(n) });
    watch.start();
    await eventually(() => streams.length === 2);
    // The relist replaced everything: a, b and c are gone, d is in; the next watch goes on from the relist.
    expect([watch.valueOf("shop", "a"), watch.valueOf("shop", "c"), watch.valueOf("shop", "d")]).toEqual([undefined, undefined, "true"]);
    expect(lists).toEqual([2, 1]);
    expect(requests).toHaveLength(2);
    expect(streams[1].query).toMatchObject({ resourceVersion: "20" });
    await watch.stop();
  });

  it("applies watch events between lists", async () => {
    const { kube, streams } = fakeKube(
      [() => ({ metadata: { resourceVersion: "10" }, items: [pod("a", "true"), pod("b", "false")] })],
      [[line("MODIFIED", pod("a", "false", "11")), line("DELETED", pod("b", "false", "12")), line("ADDED", pod("c", "yes", "13"))]],
    );
    const watch = new LabelWatch(kube, PODS, LABEL);
    watch.start();
    // The first watch ends (the server's timeout); the next one goes on from the last event's resourceVersion.
    await eventually(() => streams.length === 2);
    expect([watch.valueOf("shop", "a"), watch.valueOf("shop", "b"), watch.valueOf("shop", "c")]).toEqual(["false", undefined, "yes"]);
    expect(streams[1].query).toMatchObject({ resourceVersion: "13" });
    await watch.stop();
  });

  it("says at once when the collection may not be listed (RBAC), and keeps retrying", async () => {
    const { kube, requests } = fakeKube(
      [
        () => {
          throw new ForbiddenError("list pods: forbidden", 403);
        },
      ],
      [],
    );
    const errors: unknown[] = [];
    const watch = new LabelWatch(kube, PODS, LABEL, { onError: (_, err) => errors.push(err) }, { restartDelayMs: 5 });
    watch.start();
    const started = Date.now();
    expect(await watch.waitForSync(5_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(watch.forbidden).toBe(true);
    expect(errors).toHaveLength(1);
    await eventually(() => requests.length === 2);
    await watch.stop();
  });

  it("gives up waiting after the timeout when the first list is late", async () => {
    const { kube } = fakeKube([], []);
    const watch = new LabelWatch(kube, PODS, LABEL);
    watch.start();
    expect(await watch.waitForSync(30)).toBe(false);
    expect(watch.forbidden).toBe(false);
    await watch.stop();
  });

  it("stops at once, without waiting for a list in flight, and wakes those waiting for the first list", async () => {
    const { kube } = fakeKube([() => new Promise(() => {})], []); // a list that never answers, even when aborted
    const watch = new LabelWatch(kube, PODS, LABEL);
    watch.start();
    const waiting = watch.waitForSync(60_000);
    await watch.stop();
    expect(await waiting).toBe(false);
  });
});
