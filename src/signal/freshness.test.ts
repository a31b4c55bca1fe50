import { checkAlertsNotFromTheFuture, checkEventFreshness, checkRequestTimestamp, type FreshnessWindow } from "./freshness";

/** The window GATEWAY_REPLAY_MAX_AGE_SECONDS and GATEWAY_REPLAY_MAX_AHEAD_SECONDS give by default (300 s, 120 s). */
const DEFAULT_FRESHNESS: FreshnessWindow = { maxAgeMs: 300_000, maxAheadMs: 120_000 };

const NOW = Date.parse("2026-12-02T12:00:00Z");
const unix = (iso: string): string => String(Date.parse(iso) / 1000);
const at = (secondsFromNow: number): string => new Date(NOW + secondsFromNow * 1000).toISOString();

describe("replay protection", () => {
  describe("X-Timestamp (unix seconds)", () => {
    it("passes a request sent within 5 minutes, or up to 2 minutes ahead, and one without the header", () => {
      for (const sent of [at(0), at(-299), at(119)]) expect(() => checkRequestTimestamp(unix(sent), NOW, DEFAULT_FRESHNESS)).not.toThrow();
      expect(() => checkRequestTimestamp(undefined, NOW, DEFAULT_FRESHNESS)).not.toThrow();
    });

    it("refuses an older or a later one, naming the header", () => {
      expect(() => checkRequestTimestamp(unix(at(-301)), NOW, DEFAULT_FRESHNESS)).toThrow(/^X-Timestamp: 2026-12-02T11:54:59.000Z is 301s old, more than the 300s allowed/);
      expect(() => checkRequestTimestamp(unix(at(121)), NOW, DEFAULT_FRESHNESS)).toThrow(/^X-Timestamp: .* 121s ahead of the gateway's clock/);
    });

    it.each(["", "soon", "-5", "1.5", "2026-12-02T12:00:00Z"])("refuses %j as not unix seconds", header => {
      expect(() => checkRequestTimestamp(header, NOW, DEFAULT_FRESHNESS)).toThrow(/X-Timestamp: must be unix seconds/);
    });
  });

  describe("an Alertmanager payload without X-Timestamp", () => {
    it("passes alerts that began long ago (repeat notifications hours later) and ones without startsAt", () => {
      expect(() => checkAlertsNotFromTheFuture([at(-6 * 3600), undefined, at(60)], NOW, DEFAULT_FRESHNESS)).not.toThrow();
      expect(() => checkAlertsNotFromTheFuture([undefined], NOW, DEFAULT_FRESHNESS)).not.toThrow();
    });

    it("refuses a payload whose newest startsAt is more than 2 minutes ahead", () => {
      expect(() => checkAlertsNotFromTheFuture([at(-60), at(600)], NOW, DEFAULT_FRESHNESS)).toThrow(/^alerts\[\]\.startsAt: the newest is 2026-12-02T12:10:00.000Z, more than 120s ahead/);
    });
  });

  describe("an event", () => {
    it("is judged by lastTimestamp, else firstTimestamp, else eventTime", () => {
      expect(() => checkEventFreshness({ lastTimestamp: at(-10), firstTimestamp: at(-86400) }, NOW, DEFAULT_FRESHNESS)).not.toThrow();
      expect(() => checkEventFreshness({ firstTimestamp: at(-400) }, NOW, DEFAULT_FRESHNESS)).toThrow(/^firstTimestamp: .* 400s old, more than the 300s allowed: the event is stale/);
      expect(() => checkEventFreshness({ eventTime: at(-400) }, NOW, DEFAULT_FRESHNESS)).toThrow(/^eventTime:/);
    });

    it("passes an event without any timestamp (nothing to judge it by)", () => {
      expect(() => checkEventFreshness({}, NOW, DEFAULT_FRESHNESS)).not.toThrow();
    });

    it("follows the window it is given", () => {
      expect(() => checkEventFreshness({ lastTimestamp: at(-400) }, NOW, { maxAgeMs: 600_000, maxAheadMs: 0 })).not.toThrow();
    });
  });
});
