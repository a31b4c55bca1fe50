import { ConflictError, ForbiddenError, InvalidError, NotFoundError, UnavailableError } from "../k8s/errors";
import { GatewayError, recordingFailure, toProblem } from "./errors";

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
    ["GW_UNAUTHENTICATED", "Unauthorized"],
    ["GW_FORBIDDEN", "Forbidden"],
  ] as const)("%s is about:blank, titled %s, as kubernaut's auth middleware answers", (code, title) => {
    expect(toProblem(new GatewayError(code, "x"), { path: "/", requestId: "r" })).toMatchObject({ type: "about:blank", title });
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

  it("carries the code's own rejection reason, or a narrower one of the same code", () => {
    expect(new GatewayError("GW_API_UNAVAILABLE", "x").reason).toBe("unavailable");
    expect(new GatewayError("GW_API_UNAVAILABLE", "x", {}, "circuit_open").reason).toBe("circuit_open");
    expect(new GatewayError("GW_METHOD_NOT_ALLOWED", "x").reason).toBeUndefined();
  });
});

describe("a failure to record a signal", () => {
  it.each([
    ["the API server unreachable", new UnavailableError("apply: connect ECONNREFUSED", 0), "GW_API_UNAVAILABLE", 503, "unavailable"],
    ["the API server refusing the gateway itself (403)", new ForbiddenError("apply: forbidden", 403), "GW_API_UNAVAILABLE", 503, "unavailable"],
    ["the API server refusing what was validated (422)", new InvalidError("create: invalid", 422), "GW_INVALID_PAYLOAD", 400, "refused_by_api"],
    ["a conflict nobody expected", new ConflictError("apply: conflict"), "GW_INTERNAL", 500, "internal"],
    ["a plain bug", new TypeError("x is undefined"), "GW_INTERNAL", 500, "internal"],
    ["a gateway error", new GatewayError("GW_SCOPE_UNKNOWN", "labels not listed"), "GW_SCOPE_UNKNOWN", 503, "unavailable"],
  ] as const)("%s is answered %s (%i), counted as %s", (_what, err, code, status, reason) => {
    const answer = recordingFailure(err, false);
    expect([answer.code, answer.status, answer.reason]).toEqual([code, status, reason]);
  });

  it("is counted as sender_left when the sender had gone, unless the API server refused the signal itself", () => {
    expect(recordingFailure(new NotFoundError("get: not found", 404), true)).toMatchObject({ code: "GW_API_UNAVAILABLE", reason: "sender_left" });
    expect(recordingFailure(new InvalidError("create: invalid", 422), true)).toMatchObject({ reason: "refused_by_api" });
  });
});
