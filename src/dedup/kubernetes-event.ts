import { sha256Hex } from "./fingerprint";
import { DEFAULT_SIGNAL_LIMITS, MAX_SIGNAL_SOURCE_LENGTH, MAX_TARGET_KIND_LENGTH, MAX_TARGET_NAME_LENGTH, MAX_TARGET_NAMESPACE_LENGTH, SignalLimits } from "./limits";
import type { Signal } from "./signal";
import { isObject, optionalString, optionalTimestamp, preview, requiredString, truncate, typeOf } from "./string-map";
import { SignalValidationError } from "./validation-error";

/**
 * Parses a core/v1 Event (events.k8s.io/v1 `regarding`/`note` are read too).
 * Only Warning events are signals: a Normal event is rejected.
 */
export function parseKubernetesEvent(body: unknown, limits: SignalLimits = DEFAULT_SIGNAL_LIMITS): Signal {
  if (!isObject(body)) throw new SignalValidationError("body", `must be a JSON object (a core/v1 Event), got ${typeOf(body)}`);
  const type = optionalString(body.type, "type", 63) ?? "";
  if (type === "Normal") throw new SignalValidationError("type", "normal events are not processed: only Warning events become signals");
  if (type !== "Warning") throw new SignalValidationError("type", `must be "Warning", got ${preview(body.type ?? null)}`);

  const reason = requiredString(body.reason, "reason", limits.maxNameLength);
  const objectField = body.involvedObject !== undefined ? "involvedObject" : "regarding";
  const object = body[objectField];
  if (!isObject(object)) throw new SignalValidationError("involvedObject", "is required: the event must name the object it is about");
  const metadata = isObject(body.metadata) ? body.metadata : {};
  const kind = requiredString(object.kind, `${objectField}.kind`, MAX_TARGET_KIND_LENGTH);
  const name = requiredString(object.name, `${objectField}.name`, MAX_TARGET_NAME_LENGTH);
  const namespace =
    optionalString(object.namespace, `${objectField}.namespace`, MAX_TARGET_NAMESPACE_LENGTH) ?? optionalString(metadata.namespace, "metadata.namespace", MAX_TARGET_NAMESPACE_LENGTH) ?? "";
  const apiVersion = optionalString(object.apiVersion, `${objectField}.apiVersion`, 253);
  const message = optionalString(body.message ?? body.note, "message", 1_000_000) ?? "";
  const source = isObject(body.source) ? body.source : {};
  const component =
    optionalString(source.component, "source.component", MAX_SIGNAL_SOURCE_LENGTH) ?? optionalString(body.reportingComponent, "reportingComponent", MAX_SIGNAL_SOURCE_LENGTH) ?? "kubernetes";
  const firingTime = optionalTimestamp(body.firstTimestamp, "firstTimestamp") ?? optionalTimestamp(body.eventTime, "eventTime");
  const uid = optionalString(metadata.uid, "metadata.uid", 128) ?? "";
  const count = typeof body.count === "number" ? body.count : 0;

  return {
    source: "kubernetes-event",
    name: reason,
    status: "firing",
    severity: "warning",
    target: { kind, name, namespace, apiVersion },
    labels: { reason, kind, name, ...(namespace ? { namespace } : {}), type, component },
    annotations: message ? { message: truncate(message, limits.maxAnnotationValueLength) } : {},
    firingTime,
    signalSource: component,
    deliveryKey: sha256Hex(`event|${uid}|${count}|${optionalString(metadata.resourceVersion, "metadata.resourceVersion", 64) ?? ""}|${reason}`),
    original: body,
  };
}
