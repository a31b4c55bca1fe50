/**
 * Every error the gateway answers with, in one place: a stable code, the HTTP
 * status it maps to, kubernaut's problem type and title for that status, and
 * a message a sender can act on. Handlers throw these;
 * the server turns them into RFC 7807 problem+json responses.
 */
export const ERROR_CODES = {
  GW_INVALID_PAYLOAD: { status: 400, problem: "validation-error", title: "Bad Request" },
  GW_UNAUTHENTICATED: { status: 401, problem: "about:blank", title: "Unauthorized" },
  GW_FORBIDDEN: { status: 403, problem: "about:blank", title: "Forbidden" },
  GW_NOT_FOUND: { status: 404, problem: "not-found", title: "Not Found" },
  GW_METHOD_NOT_ALLOWED: { status: 405, problem: "method-not-allowed", title: "Method Not Allowed" },
  GW_PAYLOAD_TOO_LARGE: { status: 413, problem: "payload-too-large", title: "Request Entity Too Large" },
  GW_UNSUPPORTED_MEDIA_TYPE: { status: 415, problem: "unsupported-media-type", title: "Unsupported Media Type" },
  GW_OVERLOADED: { status: 503, problem: "service-unavailable", title: "Service Unavailable" },
  GW_API_UNAVAILABLE: { status: 503, problem: "service-unavailable", title: "Service Unavailable" },
  GW_SHUTTING_DOWN: { status: 503, problem: "service-unavailable", title: "Service Unavailable" },
  GW_AUTH_UNAVAILABLE: { status: 503, problem: "service-unavailable", title: "Service Unavailable" },
  GW_SCOPE_UNKNOWN: { status: 503, problem: "service-unavailable", title: "Service Unavailable" },
  GW_INTERNAL: { status: 500, problem: "internal-error", title: "Internal Server Error" },
} as const;

/**
 * Problem type URIs: kubernaut's gateway's (pkg/gateway/errors; its auth
 * middleware answers 401 and 403 with "about:blank"), so a client of either
 * reads the same types.
 */
export const PROBLEM_TYPE_BASE = "https://kubernaut.ai/problems/";

function problemType(problem: string): string {
  return problem.startsWith("about:") ? problem : PROBLEM_TYPE_BASE + problem;
}

export type ErrorCode = keyof typeof ERROR_CODES;

export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members of the problem document (per-alert results, field names). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "GatewayError";
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** 503s tell the sender to retry (Alertmanager retries 5xx and network errors only). */
  get retryable(): boolean {
    return this.status === 503;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request path (a URI reference to this occurrence, as kubernaut's gateway sets it). */
  instance: string;
  /** The X-Request-Id of the request (kubernaut's extension member). */
  request_id: string;
  /** Which of the gateway's errors this is (finer than the type). */
  code: ErrorCode;
  [extension: string]: unknown;
}

export function toProblem(err: GatewayError, request: { path: string; requestId: string }): Problem {
  const { status, title, problem } = ERROR_CODES[err.code];
  return {
    ...err.extensions,
    type: problemType(problem),
    title,
    status,
    detail: err.message,
    instance: request.path,
    request_id: request.requestId,
    code: err.code,
  };
}
