import type { Caller } from "./auth";

/** What one access-log line says about a request: never its body, headers or token. */
export interface AccessLogEntry {
  requestId: string;
  method: string;
  /** The URL's path only: a query string could carry anything, secrets included. */
  path: string;
  status: number;
  durationMs: number;
  /** Who sent it, once authenticated (absent for probes, refused tokens, GATEWAY_AUTH=none). */
  caller?: string;
}

/** Paths are the client's input: a longer one is cut, so a line stays a line. */
export const MAX_LOGGED_PATH = 256;

export interface ServedRequest {
  requestId: string;
  method: string | undefined;
  url: string | undefined;
  status: number;
  seconds: number;
  caller?: Caller;
}

/** The access-log fields of a served request (logged at debug by the server). */
export function accessLogEntry(served: ServedRequest): AccessLogEntry {
  const path = (served.url ?? "/").split("?")[0];
  const entry: AccessLogEntry = {
    requestId: served.requestId,
    method: served.method ?? "",
    path: path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path,
    status: served.status,
    durationMs: Math.round(served.seconds * 10_000) / 10,
  };
  if (served.caller && served.caller.via !== "none") entry.caller = served.caller.user;
  return entry;
}
