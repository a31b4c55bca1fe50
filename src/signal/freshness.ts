import { SignalValidationError } from "./validation-error";

/**
 * Replay protection, as kubernaut's gateway does it
 * (pkg/gateway/middleware/timestamp.go, alertmanager_freshness.go,
 * event_freshness.go): a request that says when it was sent (X-Timestamp,
 * unix seconds) must have been sent within the window; without the header,
 * an Alertmanager payload's newest startsAt must not lie in the future, and
 * an event must be recent. What is outside the window is refused with 400,
 * naming what was checked.
 *
 * Alertmanager's own notifications pass: it sends no X-Timestamp, and an
 * alert's startsAt is when it began firing (in the past, however long ago: a
 * repeat notification hours later is fresh).
 */
export interface FreshnessWindow {
  /** How old a request (X-Timestamp) or an event may be. */
  maxAgeMs: number;
  /** How far ahead of our clock a timestamp may be (clock skew). */
  maxAheadMs: number;
}

export const TIMESTAMP_HEADER = "x-timestamp";

/** The X-Timestamp header (unix seconds), if sent, within the window. */
export function checkRequestTimestamp(header: string | undefined, now: number, window: FreshnessWindow): void {
  if (header === undefined) return;
  if (!/^\d{1,12}$/.test(header.trim())) throw new SignalValidationError("X-Timestamp", `must be unix seconds (a whole number), got ${JSON.stringify(header.slice(0, 32))}`);
  const sentAt = Number(header.trim()) * 1000;
  checkWindow("X-Timestamp", sentAt, now, window, "the request is too old (a replay?)");
}

/** Without X-Timestamp: the newest startsAt of the payload's alerts must not be ahead of our clock by more than the window. */
export function checkAlertsNotFromTheFuture(startsAt: readonly (string | undefined)[], now: number, window: FreshnessWindow): void {
  const newest = Math.max(...startsAt.map(t => (t ? Date.parse(t) : NaN)).filter(t => !Number.isNaN(t)));
  if (Number.isFinite(newest) && newest > now + window.maxAheadMs) {
    throw new SignalValidationError("alerts[].startsAt", `the newest is ${new Date(newest).toISOString()}, more than ${window.maxAheadMs / 1000}s ahead of the gateway's clock (clock skew, or a forged payload)`);
  }
}

/** An event's newest timestamp (lastTimestamp, else firstTimestamp, else eventTime) must be within the window, when it has one. */
export function checkEventFreshness(timestamps: { lastTimestamp?: string; firstTimestamp?: string; eventTime?: string }, now: number, window: FreshnessWindow): void {
  const [field, value] = (["lastTimestamp", "firstTimestamp", "eventTime"] as const).map(f => [f, timestamps[f]] as const).find(([, v]) => v) ?? [];
  if (!field || !value) return;
  checkWindow(field, Date.parse(value), now, window, "the event is stale (a replay, or a forwarder far behind)");
}

function checkWindow(field: string, at: number, now: number, window: FreshnessWindow, tooOld: string): void {
  const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;
  if (now - at > window.maxAgeMs) throw new SignalValidationError(field, `${new Date(at).toISOString()} is ${seconds(now - at)} old, more than the ${seconds(window.maxAgeMs)} allowed: ${tooOld}`);
  if (at - now > window.maxAheadMs) throw new SignalValidationError(field, `${new Date(at).toISOString()} is ${seconds(at - now)} ahead of the gateway's clock, more than the ${seconds(window.maxAheadMs)} allowed (clock skew?)`);
}

/** The timestamps an event body carries (core/v1, and events.k8s.io/v1's series), for checkEventFreshness. */
export function eventTimestamps(body: unknown): { lastTimestamp?: string; firstTimestamp?: string; eventTime?: string } {
  if (typeof body !== "object" || body === null) return {};
  const e = body as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" && !v.startsWith("0001-01-01") ? v : undefined);
  const series = typeof e.series === "object" && e.series !== null ? (e.series as Record<string, unknown>) : {};
  return { lastTimestamp: text(e.lastTimestamp) ?? text(series.lastObservedTime), firstTimestamp: text(e.firstTimestamp), eventTime: text(e.eventTime) };
}
