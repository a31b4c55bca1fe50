import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import { RemediationRequestWatch } from "../../src/k8s/rr-watch";
import { RemediationRequest } from "../../src/model/remediation-request";
import { randomFingerprint, TestEnvironment } from "./helpers/environment";
import { waitFor } from "./helpers/wait";
import { testSpec } from "../helpers/rr-spec";

const env = new TestEnvironment();
afterAll(() => env.close());

describe("RemediationRequestWatch", () => {
  it("delivers the initial list before start() resolves, then every change", async () => {
    const ns = await env.freshNamespace("watch");
    const rrs = await env.rrClient("gateway", ns);
    const spec = (fp: string) => testSpec(fp, { signalName: "Watched" });
    await rrs.create({ metadata: { name: "before-start" }, spec: spec(randomFingerprint()) }, FIELD_MANAGERS.gateway);

    const seen = new Map<string, RemediationRequest>();
    const watch = new RemediationRequestWatch(rrs, { onUpsert: rr => seen.set(rr.metadata.name!, rr), onDelete: rr => seen.delete(rr.metadata.name!) });
    await watch.start();
    try {
      expect(watch.hasSynced).toBe(true);
      expect([...seen.keys()]).toEqual(["before-start"]);

      await rrs.create({ metadata: { name: "after-start" }, spec: spec(randomFingerprint()) }, FIELD_MANAGERS.gateway);
      await rrs.applyStatus("after-start", { deduplication: { occurrenceCount: 7 } }, { fieldManager: FIELD_MANAGERS.deduplication });
      await waitFor("the status update", () => seen.get("after-start")?.status?.deduplication?.occurrenceCount === 7);

      await (await env.rrClient("admin", ns)).delete("before-start");
      await waitFor("the delete", () => !seen.has("before-start"));
      expect(watch.list().map(rr => rr.metadata.name)).toEqual(["after-start"]);
    } finally {
      await watch.stop();
    }
  });
});
