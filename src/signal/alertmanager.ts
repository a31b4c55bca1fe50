import { sha256Hex } from "./sha256";
import { DEFAULT_SIGNAL_LIMITS, MAX_ORIGIN_LENGTH, SignalLimits } from "./limits";
import type { Signal, SignalStatus } from "./signal";
import { isObject, optionalString, optionalTimestamp, readStringMap } from "./fields";
import { clip, preview, typeOf } from "./text";
import { targetFromLabels } from "./target";
import { PayloadLimitError, SignalValidationError } from "./validation-error";

/** One alert of a payload: a signal, or the reason it was rejected. */
export type ParsedAlert = { ok: true; signal: Signal } | { ok: false; error: SignalValidationError };

export interface ParsedWebhook {
  alerts: ParsedAlert[];
  /** Alerts Alertmanager left out of the payload (max_alerts in its config). */
  truncatedAlerts: number;
}

/**
 * Parses an Alertmanager webhook payload (version 4; Grafana's extra fields
 * are tolerated). Problems with the payload as a whole throw a
 * SignalValidationError; a bad alert is rejected alone, with its index in the field.
 */
export function parseAlertmanagerWebhook(body: unknown, limits: SignalLimits = DEFAULT_SIGNAL_LIMITS): ParsedWebhook {
  if (!isObject(body)) throw new SignalValidationError("body", `must be a JSON object (an Alertmanager webhook payload), got ${typeOf(body)}`);
  const alerts = body.alerts;
  if (!Array.isArray(alerts)) throw new SignalValidationError("alerts", alerts === undefined ? "is required" : `must be an array, got ${typeOf(alerts)}`);
  if (alerts.length === 0) throw new SignalValidationError("alerts", "is empty: the payload carries no alert");
  if (alerts.length > limits.maxAlerts) throw new PayloadLimitError("alerts", `has ${alerts.length} alerts, more than the limit of ${limits.maxAlerts} (GATEWAY_MAX_ALERTS): split the group with the receiver's group_by`);

  // groupKey only feeds a hash, and the source is cut to fit the RR: neither is a reason to refuse a payload.
  const groupKey = optionalString(body.groupKey, "groupKey", Number.MAX_SAFE_INTEGER) ?? "";
  const payloadStatus = readStatus(body.status, "status") ?? "firing";
  const source = optionalString(body.receiver, "receiver", Number.MAX_SAFE_INTEGER) ?? optionalString(body.externalURL, "externalURL", Number.MAX_SAFE_INTEGER);
  const origin = source ? clip(source, MAX_ORIGIN_LENGTH) : "alertmanager";
  // Alertmanager's group-wide labels and annotations fill in what an alert lacks (as kubernaut's gateway merges them).
  const common = {
    labels: readStringMap(body.commonLabels, "commonLabels", { maxEntries: limits.maxLabels, maxValueLength: limits.maxLabelValueLength }),
    annotations: readStringMap(body.commonAnnotations, "commonAnnotations", { maxEntries: limits.maxAnnotations, maxValueLength: limits.maxAnnotationValueLength, truncate: true }),
  };
  const truncated = typeof body.truncatedAlerts === "number" && body.truncatedAlerts > 0 ? body.truncatedAlerts : 0;
  const cluster = commonCluster(body.commonLabels);

  return {
    truncatedAlerts: truncated,
    alerts: alerts.map((alert, i): ParsedAlert => {
      try {
        return { ok: true, signal: parseAlert(alert, `alerts[${i}]`, { groupKey, payloadStatus, origin, common, cluster }, limits) };
      } catch (err) {
        if (err instanceof SignalValidationError) return { ok: false, error: err };
        throw err;
      }
    }),
  };
}

interface PayloadContext {
  groupKey: string;
  payloadStatus: SignalStatus;
  origin: string;
  common: { labels: Record<string, string>; annotations: Record<string, string> };
  cluster?: string;
}

function parseAlert(alert: unknown, field: string, ctx: PayloadContext, limits: SignalLimits): Signal {
  if (!isObject(alert)) throw new SignalValidationError(field, `must be an object, got ${typeOf(alert)}`);
  const labels = {
    ...ctx.common.labels,
    ...readStringMap(alert.labels, `${field}.labels`, { maxEntries: limits.maxLabels, maxValueLength: limits.maxLabelValueLength }),
  };
  const annotations = {
    ...ctx.common.annotations,
    ...readStringMap(alert.annotations, `${field}.annotations`, { maxEntries: limits.maxAnnotations, maxValueLength: limits.maxAnnotationValueLength, truncate: true }),
  };
  const name = labels.alertname;
  if (!name) throw new SignalValidationError(`${field}.labels.alertname`, "is required");
  if (name.length > limits.maxNameLength) throw new SignalValidationError(`${field}.labels.alertname`, `is longer than ${limits.maxNameLength} characters`);
  const status = readStatus(alert.status, `${field}.status`) ?? ctx.payloadStatus;
  const firingTime = optionalTimestamp(alert.startsAt, `${field}.startsAt`);
  optionalTimestamp(alert.endsAt, `${field}.endsAt`);
  const alertFingerprint = optionalString(alert.fingerprint, `${field}.fingerprint`, 256) ?? sha256Hex(JSON.stringify(Object.entries(labels).sort()));
  return {
    source: "prometheus",
    name,
    status,
    severity: labels.severity || "unknown",
    target: targetFromLabels(labels),
    labels,
    annotations,
    firingTime,
    origin: ctx.origin,
    cluster: ctx.cluster,
    deliveryKey: sha256Hex(`${ctx.groupKey}|${alertFingerprint}|${status}|${firingTime ?? ""}`),
    original: alert,
  };
}

/** The payload's common `cluster` label (Thanos, federation): kubernaut's fingerprint prefixes it. */
function commonCluster(commonLabels: unknown): string | undefined {
  if (!isObject(commonLabels)) return undefined;
  const cluster = commonLabels.cluster;
  return typeof cluster === "string" && cluster ? cluster : undefined;
}

function readStatus(value: unknown, field: string): SignalStatus | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value === "firing" || value === "resolved") return value;
  throw new SignalValidationError(field, `must be "firing" or "resolved", got ${preview(value)}`);
}
