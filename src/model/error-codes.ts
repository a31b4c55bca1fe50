/**
 * Every error code of the module, in one table (fastify's lib/errors.js
 * shape): what a sender is answered, how a refused signal is counted, and
 * whether trying again can help. src/gateway/errors.ts turns answer codes
 * into problem+json; the gateway's and the orchestrator's configuration
 * errors, and the shutdown budget, carry process codes. The README's error
 * table is generated from here (npm run docs).
 *
 * Lives in src/model so that every layer (gateway, k8s, signal,
 * orchestrator, module) can name a code without importing another layer.
 */

/** One answer the gateway gives a sender (a whole request, or one signal of it). */
export interface AnswerCodeSpec {
  /** The HTTP status of the answer. */
  readonly status: number;
  /** kubernaut's problem type (appended to PROBLEM_TYPE_BASE unless "about:..."); null: never a problem document, only a per-signal answer. */
  readonly problem: string | null;
  /** The problem's title: the HTTP reason phrase, as kubernaut's gateway writes it. */
  readonly title: string;
  /** Whether the sender should send the same signal again (Alertmanager retries 5xx and network errors only). */
  readonly retryable: boolean;
  /**
   * The `reason` label a signal refused with this code is counted under in
   * rr_gateway_signals_rejected_total, and what it means there; null: not a
   * signal (no endpoint, wrong method), not counted.
   */
  readonly reason: { readonly [reason: string]: string } | null;
  /** Narrower reasons the same answer is counted under in one situation each (the answer does not tell them apart; the metric does). */
  readonly narrower?: { readonly [reason: string]: string };
}

export const ANSWER_CODES = {
  GW_INVALID_PAYLOAD: {
    status: 400,
    problem: "validation-error",
    title: "Bad Request",
    retryable: false,
    reason: { invalid: "the payload, or one alert of it, is not valid" },
    narrower: {
      stale: "outside the replay window (GATEWAY_REPLAY_PROTECTION)",
      refused_by_api: "the API server refused a signal the gateway had validated; should stay 0",
    },
  },
  GW_UNMANAGED_RESOURCE: {
    status: 200,
    problem: null,
    title: "OK",
    retryable: false,
    reason: { unmanaged_resource: "out of scope, kubernaut's reason: the target is not labelled kubernaut.ai/managed=true, nor its namespace" },
  },
  GW_UNAUTHENTICATED: { status: 401, problem: "about:blank", title: "Unauthorized", retryable: false, reason: { unauthenticated: "no valid bearer token" } },
  GW_FORBIDDEN: {
    status: 403,
    problem: "about:blank",
    title: "Forbidden",
    retryable: false,
    reason: { forbidden: "the sender may not send signals to this gateway" },
    narrower: { forbidden_namespace: "the sender may not send for the target's namespace: GATEWAY_AUTH_SCOPE=namespace" },
  },
  GW_NOT_FOUND: { status: 404, problem: "not-found", title: "Not Found", retryable: false, reason: null },
  GW_METHOD_NOT_ALLOWED: { status: 405, problem: "method-not-allowed", title: "Method Not Allowed", retryable: false, reason: null },
  GW_PAYLOAD_TOO_LARGE: {
    status: 413,
    problem: "payload-too-large",
    title: "Request Entity Too Large",
    retryable: false,
    reason: { too_large: "over GATEWAY_MAX_BODY_BYTES or GATEWAY_MAX_ALERTS" },
  },
  GW_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    problem: "unsupported-media-type",
    title: "Unsupported Media Type",
    retryable: false,
    reason: { unsupported_media_type: "not application/json" },
  },
  GW_OVERLOADED: {
    status: 503,
    problem: "service-unavailable",
    title: "Service Unavailable",
    retryable: true,
    reason: { overloaded: "over GATEWAY_MAX_IN_FLIGHT or GATEWAY_MAX_BUFFERED_BYTES" },
  },
  GW_API_UNAVAILABLE: {
    status: 503,
    problem: "service-unavailable",
    title: "Service Unavailable",
    retryable: true,
    reason: { unavailable: "the API server could not record it: unreachable, refused the gateway itself, or too many conflicts" },
    narrower: {
      circuit_open: "refused at once while the API server is unreachable",
      sender_left: "the sender closed its connection before the signal was written",
    },
  },
  GW_SHUTTING_DOWN: { status: 503, problem: "service-unavailable", title: "Service Unavailable", retryable: true, reason: { shutting_down: "this replica is stopping" } },
  GW_AUTH_UNAVAILABLE: {
    status: 503,
    problem: "service-unavailable",
    title: "Service Unavailable",
    retryable: true,
    reason: { unavailable: "the gateway may not review tokens or access (its RBAC)" },
  },
  GW_SCOPE_UNKNOWN: {
    status: 503,
    problem: "service-unavailable",
    title: "Service Unavailable",
    retryable: true,
    reason: { unavailable: "the kubernaut.ai/managed labels are not listed yet" },
  },
  GW_INTERNAL: { status: 500, problem: "internal-error", title: "Internal Server Error", retryable: false, reason: { internal: "an unexpected error; see the gateway's log" } },
} as const satisfies Record<string, AnswerCodeSpec>;

/** A failure that stops a process (or one of its writes) rather than answering a request. */
export interface ProcessCodeSpec {
  readonly title: string;
  /** Whether the same attempt can succeed later without anyone changing something. */
  readonly retryable: boolean;
  /** What fixes it. */
  readonly fix: string;
}

export const PROCESS_CODES = {
  GW_INVALID_CONFIG: { title: "invalid gateway configuration", retryable: false, fix: "correct the GATEWAY_* variables named (README, Configuration)" },
  RO_INVALID_CONFIG: { title: "invalid mock orchestrator configuration", retryable: false, fix: "correct the ORCHESTRATOR_* variables or the scripted-outcome file named (docs/orchestrator.md)" },
  RO_OWNERSHIP_CONFLICT: {
    title: "another field manager owns a status field the orchestrator writes",
    retryable: false,
    fix: "remove those fields from the other writer (the orchestrator never forces an apply)",
  },
  MOD_INVALID_TERMINATION: {
    title: "invalid pod termination settings",
    retryable: false,
    fix: "raise terminationGracePeriodSeconds or shorten preStop (TERMINATION_GRACE_PERIOD_SECONDS, PRESTOP_SLEEP_SECONDS)",
  },
} as const satisfies Record<string, ProcessCodeSpec>;

export type AnswerCode = keyof typeof ANSWER_CODES;
export type ProcessCode = keyof typeof PROCESS_CODES;
export type ErrorCode = AnswerCode | ProcessCode;

type ReasonsOf<S> = (S extends { reason: infer R } ? (R extends null ? never : keyof R) : never) | (S extends { narrower: infer N } ? keyof N : never);

/** The reasons one answer code is counted under: its own, and its narrower ones. */
export type ReasonOf<C extends AnswerCode> = ReasonsOf<(typeof ANSWER_CODES)[C]> & string;

/** Every `reason` of rr_gateway_signals_rejected_total. */
export type RejectionReason = { [C in AnswerCode]: ReasonOf<C> }[AnswerCode];

/** The reason an answer is counted under by default; undefined when it is not a signal's (no endpoint, wrong method). */
export function defaultReason(code: AnswerCode): RejectionReason | undefined {
  const reason: Record<string, string> | null = ANSWER_CODES[code].reason;
  return reason ? (Object.keys(reason)[0] as RejectionReason) : undefined;
}

/** Every reason with its meaning, in table order, each once (several 503s share `unavailable`: the first meaning is kept). */
export function rejectionReasons(): { reason: RejectionReason; meaning: string; code: AnswerCode }[] {
  const seen = new Set<string>();
  const out: { reason: RejectionReason; meaning: string; code: AnswerCode }[] = [];
  for (const [code, spec] of Object.entries(ANSWER_CODES) as [AnswerCode, AnswerCodeSpec][]) {
    for (const [reason, meaning] of [...Object.entries(spec.reason ?? {}), ...Object.entries(spec.narrower ?? {})]) {
      if (seen.has(reason)) continue;
      seen.add(reason);
      out.push({ reason: reason as RejectionReason, meaning, code });
    }
  }
  return out;
}
