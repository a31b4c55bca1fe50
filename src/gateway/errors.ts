/**
 * Every error the gateway answers with, in one place: a stable code, the HTTP
 * status it maps to, and a message a sender can act on. Handlers throw these;
 * the server turns them into RFC 7807 problem+json responses.
 */
export const ERROR_CODES = {
  GW_INVALID_PAYLOAD: { status: 400, title: "Invalid payload" },
  GW_UNAUTHENTICATED: { status: 401, title: "Unauthenticated" },
  GW_FORBIDDEN: { status: 403, title: "Forbidden" },
  GW_NOT_FOUND: { status: 404, title: "Not found" },
  GW_METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  GW_PAYLOAD_TOO_LARGE: { status: 413, title: "Payload too large" },
  GW_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type" },
  GW_OVERLOADED: { status: 503, title: "Too many requests in flight" },
  GW_API_UNAVAILABLE: { status: 503, title: "Kubernetes API unavailable" },
  GW_SHUTTING_DOWN: { status: 503, title: "Shutting down" },
  GW_AUTH_UNAVAILABLE: { status: 503, title: "Cannot check credentials" },
  GW_INTERNAL: { status: 500, title: "Internal error" },
} as const;

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
  code: ErrorCode;
  instance?: string;
  [extension: string]: unknown;
}

export function toProblem(err: GatewayError, instance?: string): Problem {
  const { status, title } = ERROR_CODES[err.code];
  return {
    type: `https://kubernaut.ai/problems/${err.code.toLowerCase().replace(/_/g, "-")}`,
    title,
    status,
    detail: err.message,
    code: err.code,
    instance,
    ...err.extensions,
  };
}
