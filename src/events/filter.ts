import type { EventSourceConfig } from "./config";
import type { EventObject } from "./occurrences";

/** Why an event is not recorded, or undefined when it is (the metric's `reason` label). */
export type FilteredOut = "reason" | "namespace" | "kind" | "not_warning";

/** The settings' verdict on one event: EVENT_SOURCE_REASONS, _EXCLUDE_REASONS, _NAMESPACES, _KINDS. */
export function filteredOut(event: EventObject, config: Pick<EventSourceConfig, "reasons" | "excludeReasons" | "namespaces" | "kinds">): FilteredOut | undefined {
  // The watch asks for Warning events only; this guards a list served without the field selector.
  if (event.type !== "Warning") return "not_warning";
  const reason = event.reason ?? "";
  if ((config.reasons && !config.reasons.has(reason)) || config.excludeReasons.has(reason)) return "reason";
  if (config.namespaces && !config.namespaces.has(event.metadata?.namespace ?? "")) return "namespace";
  if (config.kinds && !config.kinds.has(event.involvedObject?.kind ?? "")) return "kind";
  return undefined;
}
