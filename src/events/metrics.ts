import { Counter, Gauge, type Registry } from "prom-client";
import { metricName } from "../metrics/prefix";

/** The event source's metrics, on the gateway's registry (served at /metrics with the others). */
export class EventSourceMetrics {
  readonly events: Counter<"outcome">;
  readonly signals: Counter<"outcome">;
  readonly coalesced: Counter;
  readonly leader: Gauge;
  readonly lists: Counter;
  readonly watchRestarts: Counter;
  readonly lag: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.events = new Counter({
      name: metricName("event_source_events_total"),
      help: "Warning events the event source saw (list and watch), by outcome: accepted (new occurrences, handed on), unchanged (no occurrence beyond what was recorded: a relist or a repeat update), filtered_reason, filtered_namespace, filtered_kind (EVENT_SOURCE_* settings), invalid (not a valid signal).",
      labelNames: ["outcome"] as const,
      registers,
    });
    this.signals = new Counter({
      name: metricName("event_source_signals_total"),
      help: "Signals the event source handed to the gateway's recording path, by outcome: recorded, unmanaged (out of GATEWAY_SCOPE), rejected, failed (retried).",
      labelNames: ["outcome"] as const,
      registers,
    });
    this.coalesced = new Counter({
      name: metricName("event_source_coalesced_total"),
      help: "Event updates folded into a signal already waiting (EVENT_SOURCE_MAX_SIGNALS_PER_SECOND): their occurrences are counted by that signal.",
      registers,
    });
    this.leader = new Gauge({
      name: metricName("event_source_leader"),
      help: "1 while this replica holds the event source's Lease and watches events, else 0.",
      registers,
    });
    this.lists = new Counter({
      name: metricName("event_source_lists_total"),
      help: "Full lists of Warning events: at start, on taking the Lease, and after the watch expired (410 Gone).",
      registers,
    });
    this.watchRestarts = new Counter({
      name: metricName("event_source_watch_restarts_total"),
      help: "Failures of the Warning event list or watch (each is retried with backoff).",
      registers,
    });
    this.lag = new Gauge({
      name: metricName("event_source_lag_seconds"),
      help: "For the last signal recorded by the event source: seconds from its event's last occurrence (series.lastObservedTime, lastTimestamp or eventTime) to the moment the gateway recorded it (watch delay + pacing + recording).",
      registers,
    });
  }
}
