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
import type { Outcome, SignalIngest } from "./ingest";
import type { GatewayMetrics } from "./metrics";
import { forbiddenResponse, httpStatusOf, ignoredResponse, recordedResponse, rejectedResponse, summarize, unmanagedResponse, type SignalResponse } from "./responses";

export interface Reply {
  status: number;
  body: unknown;
  contentType?: string;
}

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

/** POST /api/v1/signals/prometheus: an Alertmanager webhook payload. */
export async function handlePrometheus(body: unknown, request: SignalRequest, deps: HandlerDeps): Promise<Reply> {
  const { requestId, gone, timestamp } = request;
  const webhook = withValidation(() => parseAlertmanagerWebhook(body, deps.limits));
  const ignored = (a: (typeof webhook.alerts)[number]): boolean => a.ok && (deps.ignoredAlerts?.has(a.signal.name) ?? false);
  const signals = webhook.alerts.flatMap(a => (a.ok && !ignored(a) ? [a.signal] : []));
  refuseStale("prometheus", deps, () => {
    if (timestamp !== undefined) checkRequestTimestamp(timestamp, Date.now(), deps.freshness!);
    else checkAlertsNotFromTheFuture(signals.map(s => s.firingTime), Date.now(), deps.freshness!);
  });
  if (webhook.truncatedAlerts > 0) {
    // Alertmanager dropped alerts to fit its max_alerts: they never reach us, so say so.
    deps.metrics.truncatedAlerts.inc(webhook.truncatedAlerts);
    deps.logger.warn({ requestId, truncatedAlerts: webhook.truncatedAlerts }, "Alertmanager truncated the payload: raise max_alerts on the receiver to see every alert");
  }
  // After parsing, before anything is written: a sender's signals for namespaces it may not send for are refused one by one.
  const refusals = await namespaceRefusals(signals, "prometheus", request, deps);
  const recorded = await deps.ingest.ingest(
    signals.filter(s => !refusals.has(authorizationNamespace(s.target))),
    requestId,
    gone,
  );
  let next = 0;
  const outcomes: Outcome[] = webhook.alerts.map(a => {
    if (!a.ok) return { kind: "rejected", error: a.error };
    if (ignored(a)) {
      // Ignored on purpose, never silently: the sender sees it in the answer, operators in the metric.
      deps.metrics.signalsIgnored.inc({ alertname: a.signal.name });
      return { kind: "ignored", alertname: a.signal.name };
    }
    const refusal = refusals.get(authorizationNamespace(a.signal.target));
    return refusal ? { kind: "forbidden", refusal } : recorded[next++];
  });
  // Alerts the parser refused (ingest counts those the API server refused itself).
  for (const a of webhook.alerts) if (!a.ok) deps.metrics.signalsRejected.inc({ source: "prometheus", reason: "invalid" });
  return reply(outcomes);
}

/** POST /api/v1/signals/kubernetes-event: a core/v1 Event. */
export async function handleKubernetesEvent(body: unknown, request: SignalRequest, deps: HandlerDeps): Promise<Reply> {
  const { requestId, gone, timestamp } = request;
  let signal: Signal;
  try {
    signal = parseKubernetesEvent(body, deps.limits);
  } catch (err) {
    if (err instanceof SignalValidationError) deps.metrics.signalsRejected.inc({ source: "kubernetes-event", reason: "invalid" });
    throw asInvalidPayload(err);
  }
  refuseStale("kubernetes-event", deps, () => {
    checkRequestTimestamp(timestamp, Date.now(), deps.freshness!);
    checkEventFreshness(eventTimestamps(body), Date.now(), deps.freshness!);
  });
  const refusal = (await namespaceRefusals([signal], "kubernetes-event", request, deps)).get(authorizationNamespace(signal.target));
  if (refusal) return reply([{ kind: "forbidden", refusal }]);
  return reply(await deps.ingest.ingest([signal], requestId, gone));
}

const NO_REFUSALS: ReadonlyMap<string, NamespaceRefusal> = new Map();

/**
 * GATEWAY_AUTH_SCOPE=namespace: the target namespaces of these signals their
 * sender may not send for (one review per distinct namespace), counted and
 * logged by namespace and user (the metric by the review's scope only: a
 * label must not carry a namespace a sender wrote), never by token. Empty in
 * gateway scope.
 */
async function namespaceRefusals(signals: readonly Signal[], source: string, { caller, requestId }: SignalRequest, deps: HandlerDeps): Promise<ReadonlyMap<string, NamespaceRefusal>> {
  if (!deps.namespaceAuthorizer || !caller || signals.length === 0) return NO_REFUSALS;
  const namespaces = signals.map(s => authorizationNamespace(s.target));
  const refusals = await deps.namespaceAuthorizer.refusals(caller, namespaces);
  if (refusals.size === 0) return refusals;
  const refusedPer = new Map<string, number>();
  for (const namespace of namespaces) if (refusals.has(namespace)) refusedPer.set(namespace, (refusedPer.get(namespace) ?? 0) + 1);
  for (const [namespace, count] of refusedPer) {
    deps.metrics.signalsRejected.inc({ source, reason: "forbidden_namespace" }, count);
    deps.metrics.signalsForbidden.inc({ scope: namespace ? "namespace" : "cluster" }, count);
    deps.logger.warn({ requestId, user: caller.user, namespace: namespace || undefined, clusterScoped: !namespace, signals: count }, `signals refused: ${refusals.get(namespace)!.message}`);
  }
  return refusals;
}

/** Replay protection (when on): a request outside the window is refused whole with 400, counted as "stale". */
function refuseStale(source: string, deps: HandlerDeps, check: () => void): void {
  if (!deps.freshness) return;
  try {
    check();
  } catch (err) {
    if (err instanceof SignalValidationError) deps.metrics.signalsRejected.inc({ source, reason: "stale" });
    throw asInvalidPayload(err);
  }
}

/**
 * One outcome: its own status code. Several: 207 with per-signal results and
 * a summary. Any failed signal makes the whole reply a 503, so the sender
 * retries the payload (what was recorded is remembered, not counted again).
 */
function reply(outcomes: Outcome[]): Reply {
  const failed = outcomes.filter((o): o is Extract<Outcome, { kind: "failed" }> => o.kind === "failed");
  const responses = outcomes.flatMap(responseOf);
  if (failed.length > 0) {
    throw new GatewayError(failed[0].error.code, `${failed.length} of ${outcomes.length} signals could not be recorded: ${failed[0].error.message}`, {
      results: responses,
      summary: summarize(responses, failed.length),
    });
  }
  if (responses.length === 1 && responses[0].forbidden) {
    // One signal the sender may not send: a 403 problem, as an unauthorised sender gets (Alertmanager does not retry it).
    throw new GatewayError("GW_FORBIDDEN", responses[0].message, { forbidden: responses[0].forbidden });
  }
  const invalid = responses.filter(r => r.status === "rejected" && !r.rejection && !r.forbidden);
  if (invalid.length === responses.length) {
    throw new GatewayError("GW_INVALID_PAYLOAD", invalid.map(r => r.message).join("; "), { errors: invalid.map(r => ({ field: r.field, message: r.message })) });
  }
  if (responses.length === 1) return { status: httpStatusOf(responses[0]), body: responses[0] };
  return { status: 207, body: { status: "multi-status", results: responses, summary: summarize(responses) } satisfies { results: SignalResponse[] } & Record<string, unknown> };
}

/** The answer for one signal; a failed one has none (the reply is a 503). */
function responseOf(outcome: Outcome): SignalResponse[] {
  switch (outcome.kind) {
    case "recorded":
      return [recordedResponse(outcome.result)];
    case "rejected":
      return [rejectedResponse(outcome.error)];
    case "unmanaged":
      return [unmanagedResponse(outcome.target)];
    case "ignored":
      return [ignoredResponse(outcome.alertname)];
    case "forbidden":
      return [forbiddenResponse(outcome.refusal)];
    case "failed":
      return [];
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
