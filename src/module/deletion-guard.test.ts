import { ANNOTATIONS, type RemediationRequest } from "../model/remediation-request";
import { chainSafetyFromEnv, deletionProblem } from "./deletion-guard";

describe("chainSafetyFromEnv", () => {
  it("defaults to what the gateway defaults to", () => {
    expect(chainSafetyFromEnv({})).toEqual({ minAgeMs: 3_600_000, claimHoldMs: 300_000 });
  });
  it("reads the gateway's settings", () => {
    expect(chainSafetyFromEnv({ GATEWAY_RR_MIN_AGE_SECONDS: "20", GATEWAY_SUCCESSOR_CLAIM_HOLD_SECONDS: " 7 " })).toEqual({ minAgeMs: 20_000, claimHoldMs: 7_000 });
  });
  it.each(["-1", "1.5", "abc", "0"])("refuses %s", raw => {
    expect(() => chainSafetyFromEnv({ GATEWAY_RR_MIN_AGE_SECONDS: raw })).toThrow(/GATEWAY_RR_MIN_AGE_SECONDS/);
  });
});

describe("deletionProblem", () => {
  const now = Date.parse("2026-12-01T12:00:00Z");
  const safety = { minAgeMs: 60_000, claimHoldMs: 10_000 };
  const rr = (ageMs: number, annotations: Record<string, string> = {}) => ({ metadata: { name: "rr-x", creationTimestamp: new Date(now - ageMs).toISOString(), annotations } }) as unknown as RemediationRequest;

  it("refuses a young RR and an RR being succeeded; lets an old one go", () => {
    expect(deletionProblem(rr(1_000), now, safety)).toMatch(/kept at least 60 s/);
    expect(deletionProblem(rr(120_000, { [ANNOTATIONS.successorClaimedAt]: new Date(now - 1_000).toISOString() }), now, safety)).toMatch(/creating the successor/);
    expect(deletionProblem(rr(120_000), now, safety)).toBeUndefined();
  });
});
