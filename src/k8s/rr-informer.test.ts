import { KubeConfig } from "@kubernetes/client-node";
import type { RemediationRequest } from "../model/remediation-request";
import type { RemediationRequestClient } from "./rr-client";
import { RemediationRequestInformer, type RemediationRequestChange } from "./rr-informer";

// The store and its indexes only: the list/watch itself is tested against a real API server (test/integration).
const offline = { kube: { kubeConfig: new KubeConfig() }, namespace: "ns", collectionPath: () => "/unused" } as unknown as RemediationRequestClient;

const FP_A = "a".repeat(64);
const FP_B = "b".repeat(64);
const rr = (name: string, fingerprint: string, resourceVersion: string, uid = `uid-${name}`): RemediationRequest =>
  ({ metadata: { name, uid, resourceVersion }, spec: { signalFingerprint: fingerprint } }) as RemediationRequest;

describe("RemediationRequestInformer's store", () => {
  it("indexes RRs by name and by fingerprint", () => {
    const informer = new RemediationRequestInformer(offline);
    informer.observe(rr("one", FP_A, "1"));
    informer.observe(rr("two", FP_A, "2"));
    informer.observe(rr("three", FP_B, "3"));
    expect(informer.size).toBe(3);
    expect(informer.get("two")?.metadata.resourceVersion).toBe("2");
    expect(informer.rrsOf(FP_A).map(r => r.metadata.name).sort()).toEqual(["one", "two"]);
    expect(informer.rrsOf(FP_B).map(r => r.metadata.name)).toEqual(["three"]);
    expect([...informer.names()].sort()).toEqual(["one", "three", "two"]);
  });

  it("keeps the newer version of an RR when an older one arrives late", () => {
    const informer = new RemediationRequestInformer(offline);
    informer.observe(rr("one", FP_A, "10"));
    informer.observe(rr("one", FP_A, "9"));
    expect(informer.get("one")?.metadata.resourceVersion).toBe("10");
    expect(informer.rrsOf(FP_A)[0].metadata.resourceVersion).toBe("10");
  });

  it("takes an RR recreated under the same name (another uid), even of another problem, and keeps the indexes in step", () => {
    const informer = new RemediationRequestInformer(offline);
    informer.observe(rr("one", FP_A, "10", "old"));
    informer.observe(rr("one", FP_B, "5", "new"));
    expect(informer.get("one")?.metadata.uid).toBe("new");
    expect(informer.rrsOf(FP_A)).toEqual([]);
    expect(informer.rrsOf(FP_B)).toHaveLength(1);
  });

  it("forgets an RR only when it is the same object (same uid)", () => {
    const informer = new RemediationRequestInformer(offline);
    informer.observe(rr("one", FP_A, "1", "current"));
    informer.forget(rr("one", FP_A, "1", "earlier"));
    expect(informer.size).toBe(1);
    informer.forget(rr("one", FP_A, "1", "current"));
    expect(informer.size).toBe(0);
    expect(informer.rrsOf(FP_A)).toEqual([]);
  });

  it("tells every subscriber of each change, until it unsubscribes", () => {
    const informer = new RemediationRequestInformer(offline);
    const first: string[] = [];
    const second: string[] = [];
    const record = (into: string[]) => (r: RemediationRequest, change: RemediationRequestChange) => into.push(`${change.type} ${r.metadata.name} (${change.origin})`);
    const unsubscribe = informer.subscribe({ onChange: record(first) });
    informer.subscribe({ onChange: record(second) });
    informer.observe(rr("one", FP_A, "1"));
    informer.observe(rr("one", FP_A, "0")); // older: no change, no news
    unsubscribe();
    informer.forget(rr("one", FP_A, "1"));
    expect(first).toEqual(["upsert one (local)"]);
    expect(second).toEqual(["upsert one (local)", "delete one (local)"]);
  });

  it("stores RRs without their managedFields (nothing reads them from the store)", () => {
    const informer = new RemediationRequestInformer(offline);
    const withFields = { ...rr("one", FP_A, "1"), metadata: { name: "one", uid: "u", resourceVersion: "1", managedFields: [{ manager: "gateway", operation: "Update" }] } } as RemediationRequest;
    informer.observe(withFields);
    expect(informer.get("one")?.metadata).toEqual({ name: "one", uid: "u", resourceVersion: "1" });
  });

  it("ignores objects without a name or a fingerprint", () => {
    const informer = new RemediationRequestInformer(offline);
    informer.observe({ metadata: { uid: "x" }, spec: { signalFingerprint: FP_A } } as RemediationRequest);
    informer.observe({ metadata: { name: "x", uid: "x" }, spec: {} } as RemediationRequest);
    expect(informer.size).toBe(0);
  });
});
