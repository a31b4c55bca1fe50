import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { EventSourceMetrics } from "../events/metrics";

/** The gateway's Prometheus metrics, on a registry of its own (served at /metrics). */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly signalsReceived = new Counter({
    name: "gateway_signals_received_total",
    help: "Signals received, by source and severity.",
    labelNames: ["source", "severity"] as const,
    registers: [this.registry],
  });
  readonly signalsDeduplicated = new Counter({
    name: "gateway_signals_deduplicated_total",
    help: "Signals counted on an existing RemediationRequest.",
    labelNames: ["source"] as const,
    registers: [this.registry],
  });
  readonly rrsCreated = new Counter({
    name: "gateway_remediation_requests_created_total",
    help: "RemediationRequests created.",
    labelNames: ["source"] as const,
    registers: [this.registry],
  });
  readonly signalsRejected = new Counter({
    name: "gateway_signals_rejected_total",
    help: "Signals rejected, by reason (invalid, stale, unmanaged_resource: out of scope (kubernaut's reason), refused_by_api, unauthenticated, forbidden, forbidden_namespace: the sender may not send for the target's namespace (GATEWAY_AUTH_SCOPE=namespace), too_large, unsupported_media_type, overloaded, unavailable, sender_left, shutting_down, internal).",
    labelNames: ["source", "reason"] as const,
    registers: [this.registry],
  });
  readonly signalsIgnored = new Counter({
    name: "gateway_signals_ignored_total",
    help: "Alerts answered ignored and not recorded, by alert name (GATEWAY_IGNORED_ALERTS).",
    labelNames: ["alertname"] as const,
    registers: [this.registry],
  });
  readonly signalsResolved = new Counter({
    name: "gateway_signals_resolved_total",
    help: "Resolved alerts, by whether an active RemediationRequest recorded them.",
    labelNames: ["source", "recorded"] as const,
    registers: [this.registry],
  });
  readonly truncatedAlerts = new Counter({
    name: "gateway_truncated_alerts_total",
    help: "Alerts Alertmanager left out of payloads (truncatedAlerts).",
    registers: [this.registry],
  });
  readonly applyConflicts = new Counter({
    name: "gateway_apply_conflicts_total",
    help: "Status applies rejected with 409 Conflict, by field manager.",
    labelNames: ["field_manager"] as const,
    registers: [this.registry],
  });
  readonly apiWrites = new Counter({
    name: "gateway_api_writes_total",
    help: "Writes sent to the Kubernetes API server, by operation.",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });
  readonly stormsDetected = new Counter({
    name: "gateway_storms_detected_total",
    help: "RemediationRequests that became part of a storm.",
    registers: [this.registry],
  });
  readonly redeliveriesAnswered = new Counter({
    name: "gateway_redeliveries_answered_total",
    help: "Alerts of a redelivered payload answered from memory instead of being counted again.",
    registers: [this.registry],
  });
  readonly duplicatesDetected = new Counter({
    name: "gateway_duplicate_remediation_requests_detected_total",
    help: "Active RemediationRequests found next to an older active one of the same problem (confirmed on the API server; counted once per RR by each replica). Should stay 0: see docs/exactly-once.md.",
    registers: [this.registry],
  });
  readonly authReviews = new Counter({
    name: "gateway_auth_reviews_total",
    help: "Bearer tokens checked with the API server (TokenReview, then SubjectAccessReview), by result (allowed, denied, unauthenticated, error); cached answers are not counted.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly namespaceReviews = new Counter({
    name: "gateway_namespace_reviews_total",
    help: "SubjectAccessReviews of a sender's access to a target namespace (GATEWAY_AUTH_SCOPE=namespace), by result (allowed, denied, error); cached answers are not counted.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly signalsForbidden = new Counter({
    name: "gateway_signals_forbidden_total",
    help: "Signals refused because their sender may not send for the target's namespace (GATEWAY_AUTH_SCOPE=namespace), by that namespace (\"(cluster-scoped)\" for cluster-scoped targets).",
    labelNames: ["namespace"] as const,
    registers: [this.registry],
  });
  readonly unsureWrites = new Counter({
    name: "gateway_unsure_writes_total",
    help: "Count writes that got no answer saying whether they were applied, by what re-reading the RR found (applied, not_applied, unknown: answered 503, may be counted again on retry).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly circuitOpen = new Gauge({
    name: "gateway_api_circuit_open",
    help: "1 while the circuit breaker refuses signals because the API server is unreachable, else 0.",
    registers: [this.registry],
  });
  readonly circuitRejections = new Counter({
    name: "gateway_api_circuit_rejections_total",
    help: "Signals refused at once (503) because the API server was unreachable a moment ago (circuit breaker open).",
    registers: [this.registry],
  });
  readonly cacheLists = new Counter({
    name: "gateway_rr_cache_lists_total",
    help: "Full lists of RemediationRequests fed to the cache: the first one, and a relist after each expired watch (410 Gone).",
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: "gateway_rr_watch_failures_total",
    help: "RemediationRequest watch failures (the watch restarts by itself).",
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: "gateway_api_requests_total",
    help: "Requests sent to the Kubernetes API server through the gateway's client, by method: reads, writes, lists and watches (the RemediationRequest watch, on a connection of its own, aside).",
    labelNames: ["method"] as const,
    registers: [this.registry],
  });
  readonly scopeLists = new Counter({
    name: "gateway_scope_label_lists_total",
    help: "Full lists of the objects labelled kubernaut.ai/managed, by kind: the first one (namespaces at start, another kind at the first signal for it), and a relist after each expired watch.",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly scopeWatchFailures = new Counter({
    name: "gateway_scope_label_watch_failures_total",
    help: "Failures of the kubernaut.ai/managed label watches, by kind (each restarts by itself; a kind the gateway may not list counts as unlabelled).",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "gateway_http_request_duration_seconds",
    help: "HTTP request duration, by endpoint and status code.",
    labelNames: ["endpoint", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly featureEnabled = new Gauge({
    name: "gateway_feature_enabled",
    help: "1 when an optional feature is on, 0 when the installed RemediationRequest CRD lacks its fields (kubernaut's own CRD): storm-aggregation, resolved-counts, duplicate-marking, event-watermarks.",
    labelNames: ["feature"] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: "gateway_in_flight_requests",
    help: "Signal requests being handled.",
    registers: [this.registry],
  });
  /** The built-in Warning-event source's metrics (gateway_event_source_*, src/events/metrics.ts). */
  readonly eventSource = new EventSourceMetrics(this.registry);
  /** Reports the RR cache's size, and the objects the scope label watches hold, at each scrape. */
  constructor(cacheSize: () => number = () => 0, scopeLabelled: () => Record<string, number> = () => ({})) {
    new Gauge({
      name: "gateway_rr_cache_size",
      help: "RemediationRequests in the gateway's watch cache.",
      registers: [this.registry],
      collect() {
        this.set(cacheSize());
      },
    });
    new Gauge({
      name: "gateway_scope_labelled_objects",
      help: "Objects carrying kubernaut.ai/managed that the scope label watches hold (name and value only), by kind.",
      labelNames: ["kind"] as const,
      registers: [this.registry],
      collect() {
        for (const [kind, size] of Object.entries(scopeLabelled())) this.set({ kind }, size);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: "gateway_" });
  }
}
