import type { Condition } from "../model/remediation-request";

/** A condition to set: everything but lastTransitionTime, which setCondition decides. */
export type ConditionChange = Omit<Condition, "lastTransitionTime">;

/**
 * Sets one condition in a list, Kubernetes style (meta.SetStatusCondition,
 * which kubernaut's RO uses): lastTransitionTime moves only when the status
 * flips (True/False/Unknown); a new reason, message or observedGeneration
 * alone keeps the old time. Returns a new list, keeping the order of types.
 */
export function setCondition(conditions: readonly Condition[] | undefined, next: ConditionChange, now: string): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex(c => c.type === next.type);
  const previous = i >= 0 ? list[i] : undefined;
  const lastTransitionTime = previous && previous.status === next.status && previous.lastTransitionTime ? previous.lastTransitionTime : now;
  const updated: Condition = { ...next, lastTransitionTime };
  if (i >= 0) list[i] = updated;
  else list.push(updated);
  return list;
}

/** Sets several conditions in order (see setCondition). */
export function setConditions(conditions: readonly Condition[] | undefined, changes: readonly ConditionChange[], now: string): Condition[] | undefined {
  if (changes.length === 0) return conditions === undefined ? undefined : [...conditions];
  return changes.reduce<Condition[]>((list, change) => setCondition(list, change, now), [...(conditions ?? [])]);
}
