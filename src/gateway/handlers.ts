import type { Logger } from "pino";
import { parseAlertmanagerWebhook } from "../signal/alertmanager";
import { parseKubernetesEvent } from "../signal/kubernetes-event";
import type { SignalLimits } from "../signal/limits";
import type { Signal } from "../signal/signal";
import { SignalValidationError } from "../signal/validation-error";
import { checkAlertsNotFromTheFuture, checkEventFreshness, checkRequestTimestamp, eventTimestamps, type FreshnessWindow } from "../signal/freshness";
import type { Caller } from "./auth";
import { GatewayError } from "./errors";
import { authorizationNamespace, type NamespaceAuthorizer, type NamespaceRefusal } from "./namespace-authorizer";
import type { SignalIngest } from "./ingest";
import type { GatewayMetrics } from "./metrics";
import { forbiddenSignal, invalidSignal, type SignalResult } from "./signal-result";

export interface HandlerDeps {
  ingest: SignalIngest;
  logger: Logger;
  metrics: GatewayMetrics;
  limits: SignalLimits;
  /** Replay protection's window; undefined when it is off. */
  freshness?: FreshnessWindow;
  /** Alert names answered "ignored" and never recorded (GATEWAY_IGNORED_ALERTS). */
  ignoredAlerts?: ReadonlySet<string>;
  /** GATEWAY_AUTH_SCOPE=namespace: who may send for which namespace; undefined in gateway scope. */
  namespaceAuthorizer?: NamespaceAuthorizer;
}

/** One signal request, as the server received it. */
export interface SignalRequest {
  requestId: string;
  /** Aborted when the sender closes its connection before the answer. */
  gone?: AbortSignal;
  /** The X-Timestamp header (unix seconds), if sent. */
  timestamp?: string;
  /** Who sent it (authenticated); the namespace authoriser asks about them. */
  caller?: Caller;
}

/**
 * A signal endpoint: the result of each signal of the request, in order
 * (src/gateway/reply.ts makes the answer); a request refused as a whole
 * throws its GatewayError.
 */
export type SignalHandler = (body: unknown, request: SignalRequest, deps: HandlerDeps) => Promise<SignalResult[]>;

/** POST /api/v1/signals/prometheus: an Alertmanager webhook payload. */
export async function handlePrometheus(body: unknown, request: SignalRequest, deps: HandlerDeps): Promise<SignalResult[]> {
  const { requestId, gone, timestamp } = request;
  const webhook = withValidation(() => parseAlertmanagerWebhook(body, deps.limits));
  const ignored = (a: (typeof webhook.alerts)[number]): boolean => a.ok && (deps.ignoredAlerts?.has(a.signal.name) ?? false);
  const signals = webhook.alerts.flatMap(a => (a.ok && !ignored(a) ? [a.signal] : []));
  refuseStale(deps, () => {
    if (timestamp !== undefined) checkRequestTimestamp(timestamp, Date.now(), deps.freshness!);
    else checkAlertsNotFromTheFuture(signals.map(s => s.firingTime), Date.now(), deps.freshness!);
  });
  if (webhook.truncatedAlerts > 0) {
    // Alertmanager dropped alerts to fit its max_alerts: they never reach us, so say so.
    deps.metrics.truncatedAlerts.inc(webhook.truncatedAlerts);
    deps.logger.warn({ requestId, truncatedAlerts: webhook.truncatedAlerts }, "Alertmanager truncated the payload: raise max_alerts on the receiver to see every alert");
  }
  // After parsing, before anything is written: a sender's signals for namespaces it may not send for are refused one by one.
  const refusals = await namespaceRefusals(signals, request, deps);
  const recorded = await deps.ingest.ingest(
    signals.filter(s => !refusals.has(authorizationNamespace(s.target))),
    requestId,
    gone,
  );
  let next = 0;
  return webhook.alerts.map(a => {
    if (!a.ok) return invalidSignal(a.error);
    if (ignored(a)) {
      // Ignored on purpose, never silently: the sender sees it in the answer, operators in the metric.
      deps.metrics.signalsIgnored.inc({ alertname: a.signal.name });
      return { kind: "ignored", alertname: a.signal.name };
    }
    const refusal = refusals.get(authorizationNamespace(a.signal.target));
    return refusal ? forbiddenSignal(refusal) : recorded[next++];
  });
}

/** POST /api/v1/signals/kubernetes-event: a core/v1 Event. */
export async function handleKubernetesEvent(body: unknown, request: SignalRequest, deps: HandlerDeps): Promise<SignalResult[]> {
  const { requestId, gone, timestamp } = request;
  const signal: Signal = withValidation(() => parseKubernetesEvent(body, deps.limits));
  refuseStale(deps, () => {
    checkRequestTimestamp(timestamp, Date.now(), deps.freshness!);
    checkEventFreshness(eventTimestamps(body), Date.now(), deps.freshness!);
  });
  const refusal = (await namespaceRefusals([signal], request, deps)).get(authorizationNamespace(signal.target));
  if (refusal) return [forbiddenSignal(refusal)];
  return deps.ingest.ingest([signal], requestId, gone);
}

const NO_REFUSALS: ReadonlyMap<string, NamespaceRefusal> = new Map();

/**
 * GATEWAY_AUTH_SCOPE=namespace: the target namespaces of these signals their
 * sender may not send for (one review per distinct namespace), logged by
 * namespace and user and counted by the review's scope only (a label must
 * not carry a namespace a sender wrote), never by token. Empty in gateway
 * scope.
 */
async function namespaceRefusals(signals: readonly Signal[], { caller, requestId }: SignalRequest, deps: HandlerDeps): Promise<ReadonlyMap<string, NamespaceRefusal>> {
  if (!deps.namespaceAuthorizer || !caller || signals.length === 0) return NO_REFUSALS;
  const namespaces = signals.map(s => authorizationNamespace(s.target));
  const refusals = await deps.namespaceAuthorizer.refusals(caller, namespaces);
  if (refusals.size === 0) return refusals;
  const refusedPer = new Map<string, number>();
  for (const namespace of namespaces) if (refusals.has(namespace)) refusedPer.set(namespace, (refusedPer.get(namespace) ?? 0) + 1);
  for (const [namespace, count] of refusedPer) {
    deps.metrics.signalsForbidden.inc({ scope: namespace ? "namespace" : "cluster" }, count);
    deps.logger.warn({ requestId, user: caller.user, namespace: namespace || undefined, clusterScoped: !namespace, signals: count }, `signals refused: ${refusals.get(namespace)!.message}`);
  }
  return refusals;
}

/** Replay protection (when on): a request outside the window is refused whole with 400, counted as "stale". */
function refuseStale(deps: HandlerDeps, check: () => void): void {
  if (!deps.freshness) return;
  try {
    check();
  } catch (err) {
    throw err instanceof SignalValidationError ? new GatewayError("GW_INVALID_PAYLOAD", err.message, { field: err.field }, "stale") : err;
  }
}

function withValidation<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw asInvalidPayload(err);
  }
}

function asInvalidPayload(err: unknown): unknown {
  if (err instanceof SignalValidationError) return new GatewayError(err.code, err.message, { field: err.field });
  return err;
}
