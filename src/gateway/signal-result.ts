import type { TargetRef } from "../signal/signal";
import { scopeRejection } from "../signal/scope";
import type { SignalValidationError } from "../signal/validation-error";
import { GatewayError } from "./errors";
import type { NamespaceRefusal } from "./namespace-authorizer";

/**
 * What became of one signal, the one type on the way back: the recorder
 * makes `Recorded`, ingest and the handlers add the refused and ignored
 * ones, and src/gateway/reply.ts turns the list into the HTTP answer. A
 * partial failure is a list with some `failed` results, never a throw.
 */
export type SignalResult = Recorded | Ignored | Refused;

/** Recorded on an RR (or, for a resolved alert without an active RR, accepted with nothing to record it on). */
export interface Recorded {
  kind: "recorded";
  /** created: this signal is the RR's first occurrence; duplicate: counted on it; resolved: a resolved alert. */
  status: "created" | "duplicate" | "resolved";
  fingerprint: string;
  /** The RR that recorded the signal; absent for a resolved alert without an active RR. */
  rrName?: string;
  namespace: string;
  /** occurrenceCount after this signal (for a resolved alert: the count it saw). */
  count: number;
  firstSeenAt?: string;
  lastSeenAt?: string;
  /** An event source signal that brought no occurrence the RR had not counted (a relist, a restart): nothing was written. */
  unchanged?: boolean;
}

/** An alert the configuration says to ignore (GATEWAY_IGNORED_ALERTS): answered, never recorded. */
export interface Ignored {
  kind: "ignored";
  alertname: string;
}

/**
 * Not recorded. `error` (a code of src/model/error-codes.ts) says how it is
 * answered and under which reason it is counted; `kind` sorts it for the
 * answer: rejected (400, the sender's fault), unmanaged (out of scope: 200),
 * forbidden (GATEWAY_AUTH_SCOPE=namespace: 403), failed (5xx: the whole
 * payload is answered with it, and the sender retries).
 */
export interface Refused {
  kind: "rejected" | "unmanaged" | "forbidden" | "failed";
  error: GatewayError;
}

export function refused(error: GatewayError): Refused {
  return { kind: refusalKind(error), error };
}

function refusalKind(error: GatewayError): Refused["kind"] {
  if (error.status >= 500) return "failed";
  if (error.code === "GW_UNMANAGED_RESOURCE") return "unmanaged";
  if (error.reason === "forbidden_namespace") return "forbidden";
  return "rejected";
}

/** An alert the parser refused: 400 with the field at fault, nothing written. */
export function invalidSignal(error: SignalValidationError): Refused {
  return refused(new GatewayError("GW_INVALID_PAYLOAD", error.message, { field: error.field }));
}

/** A signal whose target is not managed by kubernaut: kubernaut's rejection (NewRejectedResponse), 200. */
export function unmanagedSignal(target: TargetRef): Refused {
  const { message, rejection } = scopeRejection(target);
  return refused(new GatewayError("GW_UNMANAGED_RESOURCE", message, { rejection }));
}

/** A signal for a namespace (or cluster scope) its sender may not send for: the namespace named, nothing written. */
export function forbiddenSignal(refusal: NamespaceRefusal): Refused {
  return refused(new GatewayError("GW_FORBIDDEN", refusal.message, { forbidden: forbiddenTarget(refusal.namespace) }, "forbidden_namespace"));
}

/** Where a sender lacks the permission to send signals: a namespace, or cluster scope (a cluster-scoped target). */
export type ForbiddenTarget = { scope: "namespace"; namespace: string } | { scope: "cluster" };

function forbiddenTarget(namespace: string): ForbiddenTarget {
  return namespace ? { scope: "namespace", namespace } : { scope: "cluster" };
}
