/**
 * The built-in Warning-event source's settings (EVENT_SOURCE_*), validated
 * with the gateway's other settings (src/gateway/config.ts lists them in
 * GATEWAY_ENV, so `npm run docs` puts them in the README).
 */

/**
 * Warning reasons that say a workload or node is in trouble, as kubelet, the
 * scheduler, the controllers and node-problem-detector report them. Reasons
 * that describe routine churn (e.g. FailedKillPod during a rollout,
 * NetworkNotReady at boot) are left out; EVENT_SOURCE_REASONS=* takes every
 * Warning reason.
 */
export const DEFAULT_EVENT_REASONS = [
  // kubelet
  "BackOff",
  "Failed",
  "FailedMount",
  "FailedAttachVolume",
  "FailedCreatePodSandBox",
  "Unhealthy",
  "Evicted",
  "SystemOOM",
  "EvictionThresholdMet",
  "FreeDiskSpaceFailed",
  "FailedPostStartHook",
  // node-problem-detector
  "OOMKilling",
  // scheduler
  "FailedScheduling",
  // controllers
  "FailedCreate",
  "ProvisioningFailed",
  "BackoffLimitExceeded",
  "DeadlineExceeded",
] as const;

export const EVENT_SOURCE_ENV = {
  EVENT_SOURCE_ENABLED: ["true", "true: the gateway watches Warning events itself (one active watcher across replicas, a Lease) and turns them into RemediationRequests like POST /api/v1/signals/kubernetes-event (docs/events.md); false: only events POSTed to it"],
  EVENT_SOURCE_REASONS: [DEFAULT_EVENT_REASONS.join(","), "comma-separated Warning reasons to record (*: every reason)"],
  EVENT_SOURCE_EXCLUDE_REASONS: ["", "comma-separated reasons never recorded (applied after EVENT_SOURCE_REASONS; useful with *)"],
  EVENT_SOURCE_NAMESPACES: ["", "comma-separated namespaces whose events are recorded (empty: every namespace; cluster-scoped objects' events, e.g. a Node's, are in namespace default)"],
  EVENT_SOURCE_KINDS: ["", "comma-separated kinds of the involved object to record, e.g. Pod,Node,PersistentVolumeClaim (empty: every kind)"],
  EVENT_SOURCE_MAX_SIGNALS_PER_SECOND: ["1", "signals per second per problem handed to the gateway; faster repeats are coalesced into the next signal (counts stay exact, nothing is dropped)"],
} as const satisfies Record<string, readonly [string, string]>;

export type EventSourceEnvName = keyof typeof EVENT_SOURCE_ENV;

export interface EventSourceConfig {
  enabled: boolean;
  /** undefined: every reason. */
  reasons?: ReadonlySet<string>;
  excludeReasons: ReadonlySet<string>;
  /** undefined: every namespace. */
  namespaces?: ReadonlySet<string>;
  /** undefined: every kind. */
  kinds?: ReadonlySet<string>;
  maxSignalsPerSecond: number;
}

/**
 * Reads the EVENT_SOURCE_* settings; every problem found is pushed to
 * `problems` (the caller reports them all at once).
 */
export function loadEventSourceConfig(env: Record<string, string | undefined>, problems: string[]): EventSourceConfig {
  const get = (name: EventSourceEnvName): string => env[name] ?? EVENT_SOURCE_ENV[name][0];
  const enabledRaw = get("EVENT_SOURCE_ENABLED");
  if (enabledRaw !== "true" && enabledRaw !== "false") problems.push(`EVENT_SOURCE_ENABLED=${JSON.stringify(enabledRaw)}: must be true or false`);
  const rateRaw = get("EVENT_SOURCE_MAX_SIGNALS_PER_SECOND");
  const rate = Number(rateRaw);
  if (!/^\d+(\.\d+)?$/.test(rateRaw) || rate < 0.01 || rate > 1000) problems.push(`EVENT_SOURCE_MAX_SIGNALS_PER_SECOND=${JSON.stringify(rateRaw)}: must be a number from 0.01 to 1000`);
  const reasons = checkedList(get, "EVENT_SOURCE_REASONS", REASON, "an event reason", problems);
  if (reasons.length === 0) problems.push("EVENT_SOURCE_REASONS is empty: name the reasons to record, or * for every reason (EVENT_SOURCE_ENABLED=false turns the source off)");
  const namespaces = checkedList(get, "EVENT_SOURCE_NAMESPACES", NAMESPACE, "a namespace name", problems);
  const kinds = checkedList(get, "EVENT_SOURCE_KINDS", KIND, "a kind (e.g. Pod, Node)", problems);
  return {
    enabled: enabledRaw === "true",
    reasons: reasons.includes("*") ? undefined : new Set(reasons),
    excludeReasons: new Set(checkedList(get, "EVENT_SOURCE_EXCLUDE_REASONS", REASON, "an event reason", problems)),
    namespaces: setOrAll(namespaces),
    kinds: setOrAll(kinds),
    maxSignalsPerSecond: rate,
  };
}

const REASON = /^(\*|[A-Za-z0-9_.:-]{1,128})$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

/** A comma-separated setting's items; each one that does not match is a problem. */
function checkedList(get: (name: EventSourceEnvName) => string, name: EventSourceEnvName, pattern: RegExp, what: string, problems: string[]): string[] {
  const items = list(get(name));
  for (const item of items) if (!pattern.test(item)) problems.push(`${name}: ${JSON.stringify(item)} is not ${what}`);
  return items;
}

/** Empty: every value passes (undefined). */
function setOrAll(items: string[]): ReadonlySet<string> | undefined {
  return items.length > 0 ? new Set(items) : undefined;
}

function list(text: string): string[] {
  return text
    .split(",")
    .map(item => item.trim())
    .filter(Boolean);
}
