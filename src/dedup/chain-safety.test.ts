import { ANNOTATIONS, type RemediationRequest } from "../model/remediation-request";
import { DEFAULT_CHAIN_SAFETY, deletionRefusal, needsSuccessionClaim } from "./chain-safety";

const now = Date.parse("2026-12-01T12:00:00Z");
const safety = { minAgeMs: 3_600_000, claimHoldMs: 300_000 };
const rr = (createdMinutesAgo: number, claim?: string): RemediationRequest =>
  ({
    metadata: {
      name: "rr-a",
      creationTimestamp: new Date(now - createdMinutesAgo * 60_000).toISOString(),
      annotations: claim === undefined ? {} : { [ANNOTATIONS.successorClaimedAt]: claim },
    },
    spec: { signalFingerprint: "a".repeat(64) },
  }) as unknown as RemediationRequest;

describe("deletionRefusal (what the admission webhook refuses)", () => {
  it("refuses an RR younger than the minimum age, saying when it may go", () => {
    expect(deletionRefusal(rr(59), now, safety)).toMatch(/rr-a is 3540 s old: .* kept at least 3600 s .* after 2026-12-01T12:01:00.000Z/);
  });
  it("lets an old RR without a claim go", () => {
    expect(deletionRefusal(rr(61), now, safety)).toBeUndefined();
  });
  it("refuses an old RR whose successor was claimed within the hold", () => {
    expect(deletionRefusal(rr(120, new Date(now - 60_000).toISOString()), now, safety)).toMatch(/creating the successor of rr-a .* after 2026-12-01T12:04:00.000Z/);
  });
  it("lets an old RR go once its claim is older than the hold", () => {
    expect(deletionRefusal(rr(120, new Date(now - 301_000).toISOString()), now, safety)).toBeUndefined();
  });
  it("refuses an RR with an unreadable claim (remove the annotation to delete it)", () => {
    expect(deletionRefusal(rr(120, "yesterday"), now, safety)).toMatch(/unreadable .*remove it/);
  });
  it("defaults to one hour and five minutes", () => {
    expect(DEFAULT_CHAIN_SAFETY).toEqual(safety);
  });
});

describe("needsSuccessionClaim (what the gateway does before creating a successor)", () => {
  it("creates the successor of a predecessor younger than half the minimum age without a claim", () => {
    expect(needsSuccessionClaim(rr(29), now, safety)).toBe(false);
  });
  it("claims the predecessor first from half the minimum age on", () => {
    expect(needsSuccessionClaim(rr(30), now, safety)).toBe(true);
    expect(needsSuccessionClaim(rr(600), now, safety)).toBe(true);
  });
});
