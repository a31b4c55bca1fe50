import { GatewayError, toProblem } from "./errors";

describe("gateway errors", () => {
  it("map to RFC 7807 problems with kubernaut's type and title, the request path and id, and a stable code", () => {
    const problem = toProblem(new GatewayError("GW_INVALID_PAYLOAD", "alerts: is empty", { field: "alerts" }), { path: "/api/v1/signals/prometheus", requestId: "req-1" });
    expect(problem).toEqual({
      type: "https://kubernaut.ai/problems/validation-error",
      title: "Bad Request",
      status: 400,
      detail: "alerts: is empty",
      instance: "/api/v1/signals/prometheus",
      request_id: "req-1",
      code: "GW_INVALID_PAYLOAD",
      field: "alerts",
    });
  });

  it.each([
    ["GW_UNSUPPORTED_MEDIA_TYPE", "unsupported-media-type", "Unsupported Media Type"],
    ["GW_PAYLOAD_TOO_LARGE", "payload-too-large", "Request Entity Too Large"],
    ["GW_METHOD_NOT_ALLOWED", "method-not-allowed", "Method Not Allowed"],
    ["GW_API_UNAVAILABLE", "service-unavailable", "Service Unavailable"],
    ["GW_OVERLOADED", "service-unavailable", "Service Unavailable"],
    ["GW_INTERNAL", "internal-error", "Internal Server Error"],
  ] as const)("%s is kubernaut's %s problem", (code, type, title) => {
    expect(toProblem(new GatewayError(code, "x"), { path: "/", requestId: "r" })).toMatchObject({ type: `https://kubernaut.ai/problems/${type}`, title });
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
