import { AlreadyExistsError, ConflictError, InvalidError } from "../../src/k8s/errors";
import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import { NewRemediationRequest } from "../../src/k8s/rr-client";
import { LABELS, RR_GROUP } from "../../src/model/remediation-request";
import { randomFingerprint, TestEnvironment } from "./helpers/environment";
import { Access, canI } from "./helpers/rbac";
import { testSpec } from "../helpers/rr-spec";

const env = new TestEnvironment();
let ns: string;

beforeAll(async () => {
  ns = await env.freshNamespace("crd");
});
afterAll(() => env.close());

function newRR(name: string, fingerprint = randomFingerprint()): NewRemediationRequest {
  return {
    metadata: { name, labels: { [LABELS.fingerprint]: fingerprint.slice(0, 63) } },
    spec: testSpec(fingerprint, { signalName: "HighMemory", severity: "critical" }),
  };
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");

describe("the RemediationRequest CRD", () => {
  it("rejects a fingerprint that is not 64 lowercase hex digits, naming the field", async () => {
    const rrs = await env.rrClient("gateway", ns);
    const attempt = rrs.create(newRR("bad-fingerprint", "ABCDEF"), FIELD_MANAGERS.gateway);
    await expect(attempt).rejects.toBeInstanceOf(InvalidError);
    await expect(attempt).rejects.toThrow(/spec\.signalFingerprint/);
  });

  it("refuses a second create of the same name with AlreadyExists (create is never a merge)", async () => {
    const rrs = await env.rrClient("gateway", ns);
    await rrs.create(newRR("twice"), FIELD_MANAGERS.gateway);
    await expect(rrs.create(newRR("twice"), FIELD_MANAGERS.gateway)).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it("keeps spec immutable after creation (CEL self == oldSelf)", async () => {
    const rrs = await env.rrClient("gateway", ns);
    await rrs.create(newRR("immutable"), FIELD_MANAGERS.gateway);
    const admin = await env.kube("admin");
    const change = admin.request({
      method: "PATCH",
      path: `${rrs.collectionPath()}/immutable`,
      contentType: "application/merge-patch+json",
      body: { spec: { severity: "info" } },
      what: "change spec",
    });
    await expect(change).rejects.toBeInstanceOf(InvalidError);
    await expect(change).rejects.toThrow(/spec is immutable after creation/);
  });

  it("finds exactly the RRs of one fingerprint with a field selector on spec.signalFingerprint", async () => {
    const rrs = await env.rrClient("gateway", ns);
    const [mine, other] = [randomFingerprint(), randomFingerprint()];
    await rrs.create(newRR("fs-a", mine), FIELD_MANAGERS.gateway);
    await rrs.create(newRR("fs-b", mine), FIELD_MANAGERS.gateway);
    await rrs.create(newRR("fs-c", other), FIELD_MANAGERS.gateway);
    const found = await rrs.listByFingerprint(mine);
    expect(found.map(rr => rr.metadata.name).sort()).toEqual(["fs-a", "fs-b"]);
  });
});

describe("ownership of the RR, enforced by the API server", () => {
  let name: string;

  beforeAll(async () => {
    name = "owned";
    const gateway = await env.rrClient("gateway", ns);
    const orchestrator = await env.rrClient("orchestrator", ns);
    await gateway.create(newRR(name), FIELD_MANAGERS.gateway);
    await gateway.applyStatus(name, { deduplication: { occurrenceCount: 1, firstSeenAt: now(), lastSeenAt: now() } }, { fieldManager: FIELD_MANAGERS.deduplication });
    await orchestrator.applyStatus(name, { overallPhase: "Processing", startTime: now() }, { fieldManager: FIELD_MANAGERS.orchestrator });
  });

  it("rejects the orchestrator changing status.deduplication.occurrenceCount with 409 naming the owner", async () => {
    const orchestrator = await env.rrClient("orchestrator", ns);
    const attempt = orchestrator.applyStatus(name, { deduplication: { occurrenceCount: 42 } }, { fieldManager: FIELD_MANAGERS.orchestrator });
    const err = await attempt.catch(e => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.isStale).toBe(false);
    expect(err.managerConflicts).toEqual([{ manager: FIELD_MANAGERS.deduplication, field: ".status.deduplication.occurrenceCount" }]);
  });

  it("rejects the gateway changing status.overallPhase with 409 naming the orchestrator", async () => {
    const gateway = await env.rrClient("gateway", ns);
    const err = await gateway.applyStatus(name, { overallPhase: "Completed" }, { fieldManager: FIELD_MANAGERS.deduplication }).catch(e => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.managerConflicts).toEqual([{ manager: FIELD_MANAGERS.orchestrator, field: ".status.overallPhase" }]);
  });

  it("shows one managedFields entry per manager, each with exactly its own fields", async () => {
    const rr = await (await env.rrClient("admin", ns)).get(name);
    const byManager = Object.fromEntries((rr.metadata.managedFields ?? []).map(e => [e.manager, e]));
    expect(Object.keys(byManager).sort()).toEqual([FIELD_MANAGERS.gateway, FIELD_MANAGERS.deduplication, FIELD_MANAGERS.orchestrator].sort());

    const gatewayFields = byManager[FIELD_MANAGERS.gateway].fieldsV1 as Record<string, Record<string, unknown>>;
    expect(Object.keys(gatewayFields).sort()).toEqual(["f:metadata", "f:spec"]);

    const dedup = byManager[FIELD_MANAGERS.deduplication];
    expect(dedup.subresource).toBe("status");
    expect(dedup.fieldsV1).toEqual({
      "f:status": { "f:deduplication": { "f:occurrenceCount": {}, "f:firstSeenAt": {}, "f:lastSeenAt": {} } },
    });

    const orchestrator = byManager[FIELD_MANAGERS.orchestrator];
    expect(orchestrator.subresource).toBe("status");
    expect(orchestrator.fieldsV1).toEqual({ "f:status": { "f:overallPhase": {}, "f:startTime": {} } });
  });

  it("rejects an apply whose resourceVersion precondition is stale with a retryable 409", async () => {
    const gateway = await env.rrClient("gateway", ns);
    const before = await gateway.get(name);
    const update = (count: number, resourceVersion?: string) =>
      gateway.applyStatus(name, { deduplication: { occurrenceCount: count, firstSeenAt: now(), lastSeenAt: now() } }, { fieldManager: FIELD_MANAGERS.deduplication, resourceVersion });
    await update(2, before.metadata.resourceVersion);
    const err = await update(3, before.metadata.resourceVersion).catch(e => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.isStale).toBe(true);
    expect((await gateway.get(name)).status?.deduplication?.occurrenceCount).toBe(2);
  });
});

describe("RBAC of the limited identities", () => {
  const rr = (verb: string, subresource?: string): Access => ({ verb, group: RR_GROUP, resource: "remediationrequests", subresource, namespace: "any" });
  const cases: [identity: string, access: Access, allowed: boolean][] = [
    ["gateway", rr("create"), true],
    ["gateway", rr("list"), true],
    ["gateway", rr("watch"), true],
    ["gateway", rr("patch", "status"), true],
    ["gateway", { verb: "create", group: "authentication.k8s.io", resource: "tokenreviews" }, true],
    ["gateway", rr("update"), false],
    // Patch: the successor-claim annotation on a predecessor (docs/exactly-once.md); spec stays immutable (CEL), whoever patches.
    ["gateway", rr("patch"), true],
    ["gateway", rr("delete"), false],
    ["gateway", { verb: "get", group: "", resource: "secrets", namespace: "any" }, false],
    // The event source: list and watch events, and its Lease; never write events.
    ["gateway", { verb: "list", group: "", resource: "events" }, true],
    ["gateway", { verb: "watch", group: "", resource: "events" }, true],
    ["gateway", { verb: "update", group: "coordination.k8s.io", resource: "leases", namespace: "any" }, true],
    ["gateway", { verb: "create", group: "", resource: "events", namespace: "any" }, false],
    ["gateway", { verb: "delete", group: "", resource: "events", namespace: "any" }, false],
    ["orchestrator", rr("watch"), true],
    ["orchestrator", rr("patch", "status"), true],
    ["orchestrator", { verb: "update", group: "coordination.k8s.io", resource: "leases", namespace: "any" }, true],
    ["orchestrator", rr("create"), false],
    ["orchestrator", rr("patch"), false],
    ["orchestrator", rr("delete"), false],
    ["alertmanager", { verb: "create", group: RR_GROUP, resource: "signals", namespace: "any" }, true],
    ["alertmanager", rr("create"), false],
    ["nobody", { verb: "create", group: RR_GROUP, resource: "signals", namespace: "any" }, false],
    ["nobody", rr("get"), false],
  ];

  it.each(cases.map(([who, a, allowed]) => [`${who} ${a.verb} ${a.resource}${a.subresource ? "/" + a.subresource : ""}: ${allowed ? "allowed" : "denied"}`, who, a, allowed] as const))("%s", async (_title, identity, access, allowed) => {
    expect(await canI(await env.kube("admin"), identity, access)).toBe(allowed);
  });
});
