import { ANSWER_CODES, defaultReason, type AnswerCode, type ReasonOf, type RejectionReason } from "../model/error-codes";
import { ForbiddenError, InvalidError, UnauthorizedError, UnavailableError } from "../k8s/errors";

/**
 * The gateway's answers that are errors: a code of the table in
 * src/model/error-codes.ts (status, problem type, title, retryable,
 * rejection reason) and a message a sender can act on. Whole-request
 * refusals are thrown; the server turns them into RFC 7807 problem+json
 * responses. A signal's own refusal is returned as its result
 * (src/gateway/signal-result.ts), carrying one of these.
 */

/**
 * Problem type URIs: kubernaut's gateway's (pkg/gateway/errors; its auth
 * middleware answers 401 and 403 with "about:blank"), so a client of either
 * reads the same types.
 */
export const PROBLEM_TYPE_BASE = "https://kubernaut.ai/problems/";

function problemType(problem: string | null): string {
  if (problem === null || problem.startsWith("about:")) return problem ?? "about:blank";
  return PROBLEM_TYPE_BASE + problem;
}

/** The codes a problem document can carry (GW_UNMANAGED_RESOURCE is a per-signal answer only): docs/api.yaml lists exactly these. */
export const PROBLEM_CODES: readonly AnswerCode[] = (Object.keys(ANSWER_CODES) as AnswerCode[]).filter(code => ANSWER_CODES[code].problem !== null);

export class GatewayError<C extends AnswerCode = AnswerCode> extends Error {
  /** The rejection reason it is counted under (the code's own, or a narrower one of the same code); undefined: not counted. */
  readonly reason: RejectionReason | undefined;

  constructor(
    readonly code: C,
    message: string,
    /** Extra members of the problem document (per-alert results, field names). */
    readonly extensions: Record<string, unknown> = {},
    reason?: ReasonOf<C>,
  ) {
    super(message);
    this.name = "GatewayError";
    this.reason = reason ?? defaultReason(code);
  }

  get status(): number {
    return ANSWER_CODES[this.code].status;
  }

  /** Whether the sender should retry (the table says; every 503). */
  get retryable(): boolean {
    return ANSWER_CODES[this.code].retryable;
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
  code: AnswerCode;
  [extension: string]: unknown;
}

export function toProblem(err: GatewayError, request: { path: string; requestId: string }): Problem {
  const { status, title, problem } = ANSWER_CODES[err.code];
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

/** The answer when the API server cannot be reached: 503, the sender retries. */
export function apiUnavailable(reason?: ReasonOf<"GW_API_UNAVAILABLE">): GatewayError {
  return new GatewayError("GW_API_UNAVAILABLE", "the Kubernetes API server cannot be reached: the signal was not recorded; retry later", {}, reason);
}

/**
 * What the sender is answered when recording its signal failed with `err`
 * (the Kubernetes API's typed errors, src/k8s/errors.ts, mapped to the table):
 * - 422 Invalid: the API server refused what the gateway validated; a retry
 *   will not fix it (400, refused_by_api);
 * - unreachable, 429, 5xx: 503, retried;
 * - 401/403 to the gateway's own request: not the sender's fault and passes
 *   (a fresh API server refuses until its RBAC cache is warm, an operator can
 *   fix the gateway's RBAC): 503, retried;
 * - a GatewayError as it is; anything else unexpected: 500.
 * A sender that has left is counted as sender_left, whatever the cause.
 */
export function recordingFailure(err: unknown, senderLeft: boolean): GatewayError {
  const error = answerFor(err);
  if (senderLeft && error.reason !== "refused_by_api") return new GatewayError("GW_API_UNAVAILABLE", error.message, {}, "sender_left");
  return error;
}

function answerFor(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof InvalidError) {
    return new GatewayError("GW_INVALID_PAYLOAD", `signal: the Kubernetes API refused it: ${err.message}`, { field: "signal" }, "refused_by_api");
  }
  if (err instanceof UnavailableError) return apiUnavailable();
  if (err instanceof ForbiddenError || err instanceof UnauthorizedError) {
    return new GatewayError("GW_API_UNAVAILABLE", "the Kubernetes API server refused the gateway's own request (its RBAC, or the API server is still starting): the signal was not recorded; retry later");
  }
  return new GatewayError("GW_INTERNAL", `could not record the signal: ${String(err)}`);
}
