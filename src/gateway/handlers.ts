import type { Logger } from "pino";
import { parseAlertmanagerWebhook } from "../dedup/alertmanager";
import { parseKubernetesEvent } from "../dedup/kubernetes-event";
import type { SignalLimits } from "../dedup/limits";
import type { Signal } from "../dedup/signal";
import { PayloadLimitError, SignalValidationError } from "../dedup/validation-error";
import { checkAlertsNotFromTheFuture, checkEventFreshness, checkRequestTimestamp, eventTimestamps, type FreshnessWindow } from "../signal/freshness";
import { GatewayError } from "./errors";
import type { Outcome, SignalIngest } from "./ingest";
import type { GatewayMetrics } from "./metrics";
import { httpStatusOf, ignoredResponse, recordedResponse, rejectedResponse, summarize, unmanagedResponse, type SignalResponse } from "./responses";

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
}

/** One signal request, as the server received it. */
export interface SignalRequest {
  requestId: string;
  /** Aborted when the sender closes its connection before the answer. */
  gone?: AbortSignal;
  /** The X-Timestamp header (unix seconds), if sent. */
  timestamp?: string;
}

/** POST /api/v1/signals/prometheus: an Alertmanager webhook payload. */
export async function handlePrometheus(body: unknown, { requestId, gone, timestamp }: SignalRequest, deps: HandlerDeps): Promise<Reply> {
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
  const recorded = await deps.ingest.ingest(signals, requestId, gone);
  let next = 0;
  const outcomes: Outcome[] = webhook.alerts.map(a => {
    if (!a.ok) return { kind: "rejected", error: a.error };
    if (!ignored(a)) return recorded[next++];
    // Ignored on purpose, never silently: the sender sees it in the answer, operators in the metric.
    deps.metrics.signalsIgnored.inc({ alertname: a.signal.name });
    return { kind: "ignored", alertname: a.signal.name };
  });
  // Alerts the parser refused (ingest counts those the API server refused itself).
  for (const a of webhook.alerts) if (!a.ok) deps.metrics.signalsRejected.inc({ source: "prometheus", reason: "invalid" });
  return reply(outcomes);
}

/** POST /api/v1/signals/kubernetes-event: a core/v1 Event. */
export async function handleKubernetesEvent(body: unknown, { requestId, gone, timestamp }: SignalRequest, deps: HandlerDeps): Promise<Reply> {
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
  return reply(await deps.ingest.ingest([signal], requestId, gone));
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
  const invalid = responses.filter(r => r.status === "rejected" && !r.rejection);
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
  if (err instanceof PayloadLimitError) return new GatewayError("GW_PAYLOAD_TOO_LARGE", err.message, { field: err.field });
  if (err instanceof SignalValidationError) return new GatewayError("GW_INVALID_PAYLOAD", err.message, { field: err.field });
  return err;
}
