import { GatewayError, toProblem } from "./errors";

describe("gateway errors", () => {
  it("map to RFC 7807 problems with a stable code", () => {
    const problem = toProblem(new GatewayError("GW_INVALID_PAYLOAD", "alerts: is empty", { field: "alerts" }), "req-1");
    expect(problem).toEqual({
      type: "https://kubernaut.ai/problems/gw-invalid-payload",
      title: "Invalid payload",
      status: 400,
      detail: "alerts: is empty",
      code: "GW_INVALID_PAYLOAD",
      instance: "req-1",
      field: "alerts",
    });
  });

  it.each([
    ["GW_UNAUTHENTICATED", 401, false],
    ["GW_FORBIDDEN", 403, false],
    ["GW_PAYLOAD_TOO_LARGE", 413, false],
    ["GW_UNSUPPORTED_MEDIA_TYPE", 415, false],
    ["GW_OVERLOADED", 503, true],
    ["GW_API_UNAVAILABLE", 503, true],
  ] as const)("%s is HTTP %i (retryable: %s)", (code, status, retryable) => {
    const err = new GatewayError(code, "x");
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(retryable);
  });
});
