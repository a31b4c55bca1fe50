import type { TargetRef } from "../signal/signal";
import type { SignalValidationError } from "../signal/validation-error";
import { scopeRejection, type ScopeRejection } from "../signal/scope";
import type { NamespaceRefusal } from "./namespace-authorizer";
import type { RecordResult } from "./recorder";

/**
 * Response bodies in kubernaut's wire format, so existing clients work:
 * 201 created, 202 duplicate, 200 resolved or out of scope, and 207 with
 * per-alert results.
 */
export interface SignalResponse {
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

/** Where a sender lacks the permission to send signals: a namespace, or cluster scope (a cluster-scoped target). */
export type ForbiddenTarget = { scope: "namespace"; namespace: string } | { scope: "cluster" };

export const HTTP_STATUS_OF: Record<SignalResponse["status"], number> = { created: 201, duplicate: 202, resolved: 200, rejected: 400, ignored: 200 };

/** The status code of one signal's answer: an out-of-scope rejection is 200, as kubernaut answers it (informational, not an error); a forbidden one 403. */
export function httpStatusOf(response: SignalResponse): number {
  if (response.forbidden) return 403;
  return response.rejection ? 200 : HTTP_STATUS_OF[response.status];
}

export function recordedResponse(result: RecordResult): SignalResponse {
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

/** A signal whose target is not managed by kubernaut: kubernaut's body (NewRejectedResponse) but its empty fingerprint. */
export function unmanagedResponse(target: TargetRef): SignalResponse {
  const { message, rejection } = scopeRejection(target);
  return { status: "rejected", duplicate: false, message, rejection };
}

/** A signal for a namespace (or cluster scope) its sender may not send for: rejected, the namespace named, nothing written. */
export function forbiddenResponse(refusal: NamespaceRefusal): SignalResponse {
  return { status: "rejected", duplicate: false, message: refusal.message, forbidden: forbiddenTarget(refusal.namespace) };
}

export function forbiddenTarget(namespace: string): ForbiddenTarget {
  return namespace ? { scope: "namespace", namespace } : { scope: "cluster" };
}

export function rejectedResponse(error: SignalValidationError): SignalResponse {
  return { status: "rejected", duplicate: false, field: error.field, message: error.message };
}

/** An alert the configuration says to ignore (GATEWAY_IGNORED_ALERTS): answered, counted, not recorded. */
export function ignoredResponse(alertname: string): SignalResponse {
  return { status: "ignored", duplicate: false, message: `Alert ${alertname} is ignored by GATEWAY_IGNORED_ALERTS: no RemediationRequest` };
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

export function summarize(responses: readonly SignalResponse[], failed = 0): Summary {
  const count = (s: SignalResponse["status"]): number => responses.filter(r => r.status === s).length;
  return {
    total: responses.length + failed,
    created: count("created"),
    deduplicated: count("duplicate"),
    resolved: count("resolved"),
    rejected: count("rejected"),
    ignored: count("ignored"),
    failed,
  };
}
