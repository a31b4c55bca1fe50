import type { Condition } from "../model/remediation-request";

/**
 * Sets one condition in a list, Kubernetes style: lastTransitionTime moves
 * only when the status flips (True/False/Unknown); a new reason or message
 * alone keeps the old time. Returns a new list, keeping the order of types.
 */
export function setCondition(conditions: readonly Condition[] | undefined, next: Omit<Condition, "lastTransitionTime">, now: string): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex(c => c.type === next.type);
  const previous = i >= 0 ? list[i] : undefined;
  const lastTransitionTime = previous && previous.status === next.status && previous.lastTransitionTime ? previous.lastTransitionTime : now;
  const updated: Condition = { ...next, lastTransitionTime };
  if (i >= 0) list[i] = updated;
  else list.push(updated);
  return list;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find(c => c.type === type);
}
