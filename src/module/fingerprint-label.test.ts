import { LABELS } from "../model/remediation-request";
import { fingerprintLabelProblem } from "./fingerprint-label";

const fp = "a".repeat(32) + "b".repeat(32);
const rr = (labels: Record<string, string> | undefined, signalFingerprint: unknown = fp) => ({ metadata: { labels }, spec: { signalFingerprint } });

describe("fingerprintLabelProblem", () => {
  it.each([
    ["the label is the fingerprint's first 63 characters", rr({ [LABELS.fingerprint]: fp.slice(0, 63) }), undefined],
    ["no labels at all", rr(undefined), undefined],
    ["other labels only", rr({ app: "x" }), undefined],
  ])("accepts: %s", (_what, object, expected) => {
    expect(fingerprintLabelProblem(object)).toBe(expected);
  });

  it.each([
    ["another problem's fingerprint", rr({ [LABELS.fingerprint]: "c".repeat(63) })],
    ["the whole 64 characters (not a valid label value anyway)", rr({ [LABELS.fingerprint]: fp })],
    ["a shorter prefix", rr({ [LABELS.fingerprint]: fp.slice(0, 12) })],
    ["an empty value", rr({ [LABELS.fingerprint]: "" })],
  ])("refuses: %s", (_what, object) => {
    expect(fingerprintLabelProblem(object)).toMatch(/does not match spec.signalFingerprint: it must be "a{32}b{31}"/);
  });

  it("refuses a label without a fingerprint in spec", () => {
    expect(fingerprintLabelProblem({ metadata: { labels: { [LABELS.fingerprint]: "x" } }, spec: {} })).toMatch(/spec.signalFingerprint is missing/);
    expect(fingerprintLabelProblem({ metadata: { labels: { [LABELS.fingerprint]: "x" } } })).toMatch(/missing/);
  });
});
