import type { RemediationRequest } from "../model/remediation-request";
import { decide } from "./decision";
import { findDuplicates, unrecordedDuplicates } from "./duplicates";
import { testSpec } from "../../test/helpers/rr-spec";

const FP = "c".repeat(64);

function rr(name: string, created: string, phase?: string, duplicateOf?: string): RemediationRequest {
  return {
    apiVersion: "kubernaut.ai/v1alpha1",
    kind: "RemediationRequest",
    metadata: { name, uid: `uid-${name}`, creationTimestamp: created },
    spec: testSpec(FP, { signalName: "X" }),
    status: { overallPhase: phase, deduplication: { occurrenceCount: 1, duplicateOf } },
  };
}

describe("findDuplicates", () => {
  it.each([
    ["no RR", []],
    ["one active RR", [rr("a", "2026-11-28T07:00:00Z")]],
    ["a chain of terminal RRs and one active", [rr("a", "2026-11-28T07:00:00Z", "Completed"), rr("b", "2026-11-28T07:00:01Z", "Failed"), rr("c", "2026-11-28T07:00:02Z", "Executing")]],
  ])("finds none with %s", (_what, rrs) => {
    expect(findDuplicates(rrs)).toEqual([]);
  });

  it("names every active RR but the oldest a duplicate of the oldest, the one decide() counts on", () => {
    const oldest = rr("z-oldest", "2026-11-28T07:00:00Z", "Pending");
    const newer = rr("a-newer", "2026-11-28T07:00:05Z");
    const newest = rr("m-newest", "2026-11-28T07:00:09Z", "Blocked");
    const rrs = [newest, rr("done", "2026-11-28T06:00:00Z", "Completed"), newer, oldest];
    expect(findDuplicates(rrs).map(d => [d.rr.metadata.name, d.duplicateOf])).toEqual([
      ["a-newer", "z-oldest"],
      ["m-newest", "z-oldest"],
    ]);
    expect(decide(FP, rrs)).toMatchObject({ action: "duplicate", rr: oldest });
  });

  it("orders RRs created in the same second by name, as every replica does", () => {
    const rrs = [rr("rr-b", "2026-11-28T07:00:00Z"), rr("rr-a", "2026-11-28T07:00:00Z")];
    expect(findDuplicates(rrs).map(d => [d.rr.metadata.name, d.duplicateOf])).toEqual([["rr-b", "rr-a"]]);
  });
});

describe("unrecordedDuplicates", () => {
  it("leaves out duplicates already marked with the RR they duplicate", () => {
    const oldest = rr("a", "2026-11-28T07:00:00Z");
    expect(unrecordedDuplicates([oldest, rr("b", "2026-11-28T07:00:01Z", undefined, "a")])).toEqual([]);
    expect(unrecordedDuplicates([oldest, rr("b", "2026-11-28T07:00:01Z", undefined, "elsewhere")])).toHaveLength(1);
  });
});
