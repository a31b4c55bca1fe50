import { AlreadyExistsError, ConflictError, errorFromResponse, InvalidError, NotFoundError, UnavailableError } from "./errors";

const status = (reason: string, extra: object = {}) => ({ kind: "Status", apiVersion: "v1", status: "Failure", reason, message: `${reason} happened`, ...extra });

describe("errorFromResponse", () => {
  it.each([
    [409, status("AlreadyExists"), AlreadyExistsError],
    [409, status("Conflict"), ConflictError],
    [404, status("NotFound"), NotFoundError],
    [422, status("Invalid"), InvalidError],
    [429, status("TooManyRequests"), UnavailableError],
    [503, "service unavailable", UnavailableError],
  ])("maps HTTP %i (%o) to %p", (code, body, type) => {
    expect(errorFromResponse(code, body, "do something")).toBeInstanceOf(type);
  });

  it("says what was attempted and what the API server answered", () => {
    expect(errorFromResponse(404, status("NotFound"), "get RemediationRequest ns/rr-1").message).toBe("get RemediationRequest ns/rr-1: NotFound happened");
  });

  it("lists the managers and fields of a server-side apply conflict", () => {
    const err = errorFromResponse(409, status("Conflict", {
      details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "gateway-deduplication" with subresource "status"', field: ".status.deduplication.occurrenceCount" }] },
    }), "apply") as ConflictError;
    expect(err.isStale).toBe(false);
    expect(err.managerConflicts).toEqual([{ manager: "gateway-deduplication", field: ".status.deduplication.occurrenceCount" }]);
  });

  it("treats a conflict without field causes as a stale resourceVersion", () => {
    expect((errorFromResponse(409, status("Conflict"), "apply") as ConflictError).isStale).toBe(true);
  });

  it("names each invalid field", () => {
    const err = errorFromResponse(422, status("Invalid", { details: { causes: [{ reason: "FieldValueInvalid", field: "spec.signalFingerprint", message: "should match" }] } }), "create") as InvalidError;
    expect(err.fieldMessages).toEqual(["spec.signalFingerprint: should match"]);
  });

  it("says whether a write may have been applied without an answer: not after 429, maybe after a 5xx", () => {
    expect((errorFromResponse(429, status("TooManyRequests"), "apply") as UnavailableError).mayHaveApplied).toBe(false);
    expect((errorFromResponse(504, status("Timeout"), "apply") as UnavailableError).mayHaveApplied).toBe(true);
    expect((errorFromResponse(500, "etcdserver: request timed out", "apply") as UnavailableError).mayHaveApplied).toBe(true);
  });
});
