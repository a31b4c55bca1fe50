import { createLogger } from "../log/logger";
import { accessLogEntry, MAX_LOGGED_PATH, type ServedRequest } from "./access-log";

const served = (over: Partial<ServedRequest> = {}): ServedRequest => ({
  requestId: "req-1",
  method: "POST",
  url: "/api/v1/signals/prometheus",
  status: 201,
  seconds: 0.01234,
  caller: { user: "system:serviceaccount:monitoring:alertmanager", via: "kubernetes" },
  ...over,
});

/** The lines a logger at `level` writes for one served request, parsed. */
function lines(level: string, request: ServedRequest): Record<string, unknown>[] {
  const out: string[] = [];
  const logger = createLogger("gateway", level, { write: (line: string) => void out.push(line) });
  logger.debug(accessLogEntry(request), "request completed");
  return out.map(line => JSON.parse(line) as Record<string, unknown>);
}

describe("the access log", () => {
  it("writes one debug line per request: method, path, status, duration in ms, request id and the authenticated caller", () => {
    expect(lines("debug", served())).toEqual([
      {
        level: 20,
        time: expect.any(String),
        pid: expect.any(Number),
        hostname: expect.any(String),
        name: "gateway",
        msg: "request completed",
        requestId: "req-1",
        method: "POST",
        path: "/api/v1/signals/prometheus",
        status: 201,
        durationMs: 12.3,
        caller: "system:serviceaccount:monitoring:alertmanager",
      },
    ]);
  });

  it("is silent at the default level (info)", () => {
    expect(lines("info", served())).toEqual([]);
  });

  it("names no caller when none was authenticated: a probe, a refused token, GATEWAY_AUTH=none", () => {
    expect(lines("debug", served({ caller: undefined, status: 401 }))[0]).not.toHaveProperty("caller");
    expect(lines("debug", served({ caller: { user: "anonymous", via: "none" } }))[0]).not.toHaveProperty("caller");
    expect(accessLogEntry(served({ caller: { user: "static-token", via: "static-token" } })).caller).toBe("static-token");
  });

  it("logs the path without its query string (which could carry a secret) and cuts a long one", () => {
    expect(accessLogEntry(served({ url: "/api/v1/signals/prometheus?token=s3cret" })).path).toBe("/api/v1/signals/prometheus");
    const long = accessLogEntry(served({ url: `/${"x".repeat(5_000)}`, status: 404 })).path;
    expect(long).toHaveLength(MAX_LOGGED_PATH + 1);
    expect(long.endsWith("…")).toBe(true);
  });

  it("carries nothing but those fields: no headers, body or token can reach it", () => {
    expect(Object.keys(accessLogEntry(served())).sort()).toEqual(["caller", "durationMs", "method", "path", "requestId", "status"]);
  });
});
