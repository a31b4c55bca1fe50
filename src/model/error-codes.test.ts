import { ANSWER_CODES, PROCESS_CODES, defaultReason, rejectionReasons, type AnswerCode, type AnswerCodeSpec } from "./error-codes";

const answers = Object.entries(ANSWER_CODES) as [AnswerCode, AnswerCodeSpec][];

describe("the error code table", () => {
  it.each(answers)("%s has an HTTP status, a title, a retry verdict and a rejection reason (or says it is not a signal's)", (code, spec) => {
    expect(spec.status).toBeGreaterThanOrEqual(200);
    expect(spec.status).toBeLessThan(600);
    expect(spec.title).not.toBe("");
    expect(typeof spec.retryable).toBe("boolean");
    if (spec.reason === null) expect(["GW_NOT_FOUND", "GW_METHOD_NOT_ALLOWED"]).toContain(code);
    else expect(Object.keys(spec.reason)).toHaveLength(1);
    for (const meaning of [...Object.values(spec.reason ?? {}), ...Object.values(spec.narrower ?? {})]) expect(meaning).not.toBe("");
  });

  it("tells the sender to retry exactly the 503s (what Alertmanager retries)", () => {
    for (const [, spec] of answers) expect(spec.retryable).toBe(spec.status === 503);
  });

  it("gives each narrower reason to one code only, and never reuses one as another code's own reason", () => {
    const narrower = answers.flatMap(([, spec]) => Object.keys(spec.narrower ?? {}));
    const own = new Set(answers.flatMap(([, spec]) => Object.keys(spec.reason ?? {})));
    expect(new Set(narrower).size).toBe(narrower.length);
    for (const reason of narrower) expect(own.has(reason)).toBe(false);
  });

  it("shares a reason between codes only among the 503s that mean the same to an operator (unavailable)", () => {
    const codesOf = new Map<string, AnswerCode[]>();
    for (const [code, spec] of answers) for (const reason of Object.keys(spec.reason ?? {})) codesOf.set(reason, [...(codesOf.get(reason) ?? []), code]);
    const shared = [...codesOf].filter(([, codes]) => codes.length > 1);
    expect(shared).toEqual([["unavailable", ["GW_API_UNAVAILABLE", "GW_AUTH_UNAVAILABLE", "GW_SCOPE_UNKNOWN"]]]);
  });

  it("lists every rejection reason once, each with its meaning and the code it answers with", () => {
    const reasons = rejectionReasons();
    expect(new Set(reasons.map(r => r.reason)).size).toBe(reasons.length);
    expect(reasons.map(r => r.reason).sort()).toEqual(
      [
        "invalid",
        "stale",
        "unmanaged_resource",
        "refused_by_api",
        "unauthenticated",
        "forbidden",
        "forbidden_namespace",
        "too_large",
        "unsupported_media_type",
        "overloaded",
        "unavailable",
        "circuit_open",
        "sender_left",
        "shutting_down",
        "internal",
      ].sort(),
    );
    expect(reasons.find(r => r.reason === "circuit_open")).toMatchObject({ code: "GW_API_UNAVAILABLE" });
  });

  it("counts an answer under its own reason by default; a page or method that is not a signal's is not counted", () => {
    expect(defaultReason("GW_INVALID_PAYLOAD")).toBe("invalid");
    expect(defaultReason("GW_SCOPE_UNKNOWN")).toBe("unavailable");
    expect(defaultReason("GW_NOT_FOUND")).toBeUndefined();
  });

  it.each(Object.entries(PROCESS_CODES))("process code %s has a title, a retry verdict and a fix", (_code, spec) => {
    expect(spec.title).not.toBe("");
    expect(typeof spec.retryable).toBe("boolean");
    expect(spec.fix).not.toBe("");
  });

  it("keeps answer and process codes apart", () => {
    for (const code of Object.keys(PROCESS_CODES)) expect(code in ANSWER_CODES).toBe(false);
  });
});
