import type { ScopeRejection } from "../signal/scope";
import { GatewayError } from "./errors";
import type { ForbiddenTarget, Recorded, Refused, SignalResult } from "./signal-result";
import { ANSWER_CODES } from "../model/error-codes";

/**
 * The HTTP answer to a signal request, from its per-signal results: a body
 * in kubernaut's wire format (so existing clients work), or an error the
 * server sends as problem+json (with Retry-After on a 503).
 */
export type Reply = { status: number; body: unknown; contentType?: string } | { error: GatewayError };

/**
 * One signal's answer in kubernaut's wire format: 201 created, 202
 * duplicate, 200 resolved or out of scope, and the members of each entry
 * of a 207's `results`.
 */
export interface WireResult {
  status: "created" | "duplicate" | "resolved" | "rejected" | "ignored";
  duplicate: boolean;
  fingerprint?: string;
  remediationRequestName?: string;
  remediationRequestNamespace?: string;
  message: string;
  occurrenceCount?: number;
  metadata?: { count: number; firstOccurrence?: string; lastOccurrence?: string; remediationRequestRef: string };
  /** For a rejected alert: the field at fault. */
  field?: string;
  /** For a signal out of scope (kubernaut.ai/managed): kubernaut's rejection details. */
  rejection?: ScopeRejection;
  /** For a signal its sender may not send (GATEWAY_AUTH_SCOPE=namespace): the target's namespace, or cluster scope. */
  forbidden?: ForbiddenTarget;
}

const RECORDED_STATUS: Record<Recorded["status"], number> = { created: 201, duplicate: 202, resolved: 200 };

/**
 * One result: its own status code. Several: 207 with per-signal results and
 * a summary. Any failed signal makes the whole answer that failure (503), so
 * the sender retries the payload (what was recorded is remembered, not
 * counted again); one forbidden signal is a 403, and a payload whose signals
 * are all invalid a 400.
 */
export function replyTo(results: readonly SignalResult[]): Reply {
  const failed = results.filter((r): r is Refused => r.kind === "failed");
  const answered = results.filter(r => r.kind !== "failed");
  const wire = answered.map(wireResult);
  if (failed.length > 0) {
    const [first] = failed;
    return {
      error: new GatewayError(first.error.code, `${failed.length} of ${results.length} signals could not be recorded: ${first.error.message}`, {
        results: wire,
        summary: summarize(answered, failed.length),
      }),
    };
  }
  if (answered.length === 1 && answered[0].kind === "forbidden") {
    // One signal the sender may not send: a 403 problem, as an unauthorised sender gets (Alertmanager does not retry it).
    const { error } = answered[0];
    return { error: new GatewayError("GW_FORBIDDEN", error.message, { forbidden: error.extensions.forbidden }, "forbidden_namespace") };
  }
  const invalid = answered.filter((r): r is Refused => r.kind === "rejected");
  if (invalid.length === answered.length) {
    return {
      error: new GatewayError("GW_INVALID_PAYLOAD", invalid.map(r => r.error.message).join("; "), {
        errors: invalid.map(r => ({ field: r.error.extensions.field, message: r.error.message })),
      }),
    };
  }
  if (answered.length === 1) return { status: statusOf(answered[0]), body: wire[0] };
  return { status: 207, body: { status: "multi-status", results: wire, summary: summarize(answered) } };
}

/** The status code of one signal's answer: an out-of-scope rejection is 200, as kubernaut answers it (informational, not an error). */
function statusOf(result: Exclude<SignalResult, { kind: "failed" }>): number {
  if (result.kind === "recorded") return RECORDED_STATUS[result.status];
  if (result.kind === "ignored") return 200;
  return ANSWER_CODES[result.error.code].status;
}

export function wireResult(result: SignalResult): WireResult {
  switch (result.kind) {
    case "recorded":
      return recordedWire(result);
    case "ignored":
      return { status: "ignored", duplicate: false, message: `Alert ${result.alertname} is ignored by GATEWAY_IGNORED_ALERTS: no RemediationRequest` };
    default: {
      // A refused signal: its message, then what the code carries (the field at fault, kubernaut's rejection, the forbidden namespace).
      const { field, ...details } = result.error.extensions;
      return { status: "rejected", duplicate: false, ...(field === undefined ? {} : { field: field as string }), message: result.error.message, ...(details as Pick<WireResult, "rejection" | "forbidden">) };
    }
  }
}

function recordedWire(result: Recorded): WireResult {
  const ref = result.rrName ? `${result.namespace}/${result.rrName}` : undefined;
  const base = {
    fingerprint: result.fingerprint,
    remediationRequestName: result.rrName,
    remediationRequestNamespace: result.rrName ? result.namespace : undefined,
    occurrenceCount: result.rrName ? result.count : undefined,
    metadata: ref ? { count: result.count, firstOccurrence: result.firstSeenAt, lastOccurrence: result.lastSeenAt, remediationRequestRef: ref } : undefined,
  };
  switch (result.status) {
    case "created":
      return { status: "created", duplicate: false, ...base, message: `RemediationRequest ${ref} created` };
    case "duplicate":
      return { status: "duplicate", duplicate: true, ...base, message: `Duplicate signal: occurrence ${result.count} of RemediationRequest ${ref}` };
    case "resolved":
      return {
        status: "resolved",
        duplicate: false,
        ...base,
        message: ref ? `Resolved alert recorded on RemediationRequest ${ref}` : "Resolved alert accepted: no active RemediationRequest for it, none created",
      };
  }
}

export interface Summary {
  total: number;
  created: number;
  deduplicated: number;
  resolved: number;
  rejected: number;
  ignored: number;
  failed: number;
}

function summarize(answered: readonly SignalResult[], failed = 0): Summary {
  const recorded = (s: Recorded["status"]): number => answered.filter(r => r.kind === "recorded" && r.status === s).length;
  return {
    total: answered.length + failed,
    created: recorded("created"),
    deduplicated: recorded("duplicate"),
    resolved: recorded("resolved"),
    rejected: answered.filter(r => r.kind === "rejected" || r.kind === "unmanaged" || r.kind === "forbidden").length,
    ignored: answered.filter(r => r.kind === "ignored").length,
    failed,
  };
}
