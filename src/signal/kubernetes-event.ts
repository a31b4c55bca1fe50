import { sha256Hex } from "./sha256";
import { DEFAULT_SIGNAL_LIMITS, MAX_ORIGIN_LENGTH, MAX_TARGET_KIND_LENGTH, MAX_TARGET_NAME_LENGTH, MAX_TARGET_NAMESPACE_LENGTH, SignalLimits } from "./limits";
import type { Signal } from "./signal";
import { isObject, optionalString, optionalTimestamp, requiredString } from "./fields";
import { preview, truncate, typeOf } from "./text";
import { SignalValidationError } from "./validation-error";

/**
 * Parses a core/v1 Event (events.k8s.io/v1 `regarding`/`note` are read too).
 * Only Warning and Error events are signals (as in kubernaut): a Normal event is rejected.
 * The severity is the event's type, as kubernaut's gateway passes it on.
 */
export function parseKubernetesEvent(body: unknown, limits: SignalLimits = DEFAULT_SIGNAL_LIMITS): Signal {
  if (!isObject(body)) throw new SignalValidationError("body", `must be a JSON object (a core/v1 Event), got ${typeOf(body)}`);
  const type = problemType(body);
  const reason = requiredString(body.reason, "reason", limits.maxNameLength);
  const metadata = isObject(body.metadata) ? body.metadata : {};
  const target = involvedObject(body, metadata);
  const message = optionalString(body.message ?? body.note, "message", 1_000_000) ?? "";
  const component = reportingComponent(body);
  const firingTime = optionalTimestamp(body.firstTimestamp, "firstTimestamp") ?? optionalTimestamp(body.eventTime, "eventTime");
  const uid = optionalString(metadata.uid, "metadata.uid", 128) ?? "";
  const count = typeof body.count === "number" ? body.count : 0;
  const resourceVersion = optionalString(metadata.resourceVersion, "metadata.resourceVersion", 64) ?? "";

  return {
    source: "kubernetes-event",
    name: reason,
    status: "firing",
    severity: type,
    target,
    labels: { reason, kind: target.kind, name: target.name, ...(target.namespace ? { namespace: target.namespace } : {}), type, component },
    annotations: message ? { message: truncate(message, limits.maxAnnotationValueLength) } : {},
    firingTime,
    origin: component,
    deliveryKey: sha256Hex(`event|${uid}|${count}|${resourceVersion}|${reason}`),
    original: body,
  };
}

/** The event's type, which must say there is a problem: Warning or Error. */
function problemType(body: Record<string, unknown>): string {
  const type = optionalString(body.type, "type", 63) ?? "";
  if (type === "Normal") throw new SignalValidationError("type", "normal events are not processed: only Warning and Error events become signals");
  if (type !== "Warning" && type !== "Error") throw new SignalValidationError("type", `must be "Warning" or "Error", got ${preview(body.type ?? null)}`);
  return type;
}

/** The object the event is about: core/v1 `involvedObject`, or events.k8s.io/v1 `regarding`. */
function involvedObject(body: Record<string, unknown>, metadata: Record<string, unknown>): Signal["target"] {
  const field = body.involvedObject !== undefined ? "involvedObject" : "regarding";
  const object = body[field];
  if (!isObject(object)) throw new SignalValidationError("involvedObject", "is required: the event must name the object it is about");
  const kind = requiredString(object.kind, `${field}.kind`, MAX_TARGET_KIND_LENGTH);
  const name = requiredString(object.name, `${field}.name`, MAX_TARGET_NAME_LENGTH);
  const namespace =
    optionalString(object.namespace, `${field}.namespace`, MAX_TARGET_NAMESPACE_LENGTH) ?? optionalString(metadata.namespace, "metadata.namespace", MAX_TARGET_NAMESPACE_LENGTH) ?? "";
  const apiVersion = optionalString(object.apiVersion, `${field}.apiVersion`, 253);
  return { kind, name, namespace, apiVersion };
}

/** Who reported the event: core/v1 `source.component`, or events.k8s.io/v1 `reportingComponent`. */
function reportingComponent(body: Record<string, unknown>): string {
  const source = isObject(body.source) ? body.source : {};
  return (
    optionalString(source.component, "source.component", MAX_ORIGIN_LENGTH) ??
    optionalString(body.reportingComponent, "reportingComponent", MAX_ORIGIN_LENGTH) ??
    "kubernetes"
  );
}
