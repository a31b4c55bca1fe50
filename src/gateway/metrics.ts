import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { metricName } from "../metrics/prefix";
import { rejectionReasons, type RejectionReason } from "../model/error-codes";
import { PHASES, type PhaseLabel } from "../model/phases";
import { FIELD_MANAGERS } from "../k8s/field-managers";
import { SEVERITY_CLASSES } from "../signal/severity";
import { SIGNAL_SOURCES, type SignalSource } from "../signal/signal";
import { EventSourceMetrics } from "../events/metrics";

/** What the gateway reports at each scrape from its RR cache and scope label watches. */
export interface GatewayMetricSources {
  rrCache?: {
    readonly size: number;
    readonly hasSynced: boolean;
    /** The cached RRs counted by phase label (src/model/phases.ts phaseLabel). */
    countByPhase(): Map<PhaseLabel, number>;
  };
  /** Objects the kubernaut.ai/managed label watches hold, by kind. */
  scopeLabelled?: () => Record<string, number>;
}

/** The signal sources (a label of several metrics). */
const SOURCES: readonly SignalSource[] = Object.keys(SIGNAL_SOURCES) as SignalSource[];

/** Every reason of rr_gateway_signals_rejected_total, with its meaning: from the error table (src/model/error-codes.ts). */
const REJECTIONS = rejectionReasons();
export const REJECTION_REASONS: readonly RejectionReason[] = REJECTIONS.map(r => r.reason);

/** Every phase label, so each has a series (0 when no RR is in it) from the first scrape on. */
const PHASE_LABELS: readonly PhaseLabel[] = [...PHASES, "None", "Unknown"];

/**
 * The gateway's Prometheus metrics, on a registry of its own, served at
 * /metrics with the process registry (src/metrics/process-registry.ts).
 * Names start with METRIC_PREFIX; every label value comes from a fixed set
 * (docs/metrics.md).
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly signalsReceived = new Counter({
    name: metricName("signals_received_total"),
    help: "Signals received, by source and severity class (critical, high, warning, info, unknown: src/signal/severity.ts).",
    labelNames: ["source", "severity"] as const,
    registers: [this.registry],
  });
  readonly signalsDeduplicated = new Counter({
    name: metricName("signals_deduplicated_total"),
    help: "Signals counted on an existing RemediationRequest.",
    labelNames: ["source"] as const,
    registers: [this.registry],
  });
  readonly rrsCreated = new Counter({
    name: metricName("remediation_requests_created_total"),
    help: "RemediationRequests created.",
    labelNames: ["source"] as const,
    registers: [this.registry],
  });
  readonly signalsRejected = new Counter({
    name: metricName("signals_rejected_total"),
    help: `Signals rejected, by reason. ${REJECTIONS.map(r => `${r.reason}: ${r.meaning}`).join("; ")}.`,
    labelNames: ["source", "reason"] as const,
    registers: [this.registry],
  });
  readonly signalsIgnored = new Counter({
    name: metricName("signals_ignored_total"),
    help: "Alerts answered ignored and not recorded, by alert name (one of GATEWAY_IGNORED_ALERTS, so the label is bounded by that list).",
    labelNames: ["alertname"] as const,
    registers: [this.registry],
  });
  readonly signalsResolved = new Counter({
    name: metricName("signals_resolved_total"),
    help: "Resolved alerts, by whether an active RemediationRequest recorded them.",
    labelNames: ["source", "recorded"] as const,
    registers: [this.registry],
  });
  readonly truncatedAlerts = new Counter({
    name: metricName("truncated_alerts_total"),
    help: "Alerts Alertmanager left out of payloads (truncatedAlerts).",
    registers: [this.registry],
  });
  readonly applyConflicts = new Counter({
    name: metricName("apply_conflicts_total"),
    help: "Status applies rejected with 409 Conflict, by field manager.",
    labelNames: ["field_manager"] as const,
    registers: [this.registry],
  });
  readonly apiWrites = new Counter({
    name: metricName("api_writes_total"),
    help: "Writes sent to the Kubernetes API server, by operation.",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });
  readonly createViews = new Counter({
    name: metricName("create_decisions_total"),
    help: "Decisions to create an RR, by the view they were made on: cache (a fresh cache alone), api (the problem's RRs listed from the API server: the cache was not fresh).",
    labelNames: ["view"] as const,
    registers: [this.registry],
  });
  readonly stormsDetected = new Counter({
    name: metricName("storms_detected_total"),
    help: "RemediationRequests that became part of a storm.",
    registers: [this.registry],
  });
  readonly redeliveriesAnswered = new Counter({
    name: metricName("redeliveries_answered_total"),
    help: "Alerts of a redelivered payload answered from memory instead of being counted again.",
    registers: [this.registry],
  });
  readonly duplicatesDetected = new Counter({
    name: metricName("duplicate_remediation_requests_detected_total"),
    help: "Active RemediationRequests found next to an older active one of the same problem (confirmed on the API server; counted once per RR by each replica). Should stay 0: see docs/exactly-once.md.",
    registers: [this.registry],
  });
  readonly authReviews = new Counter({
    name: metricName("auth_reviews_total"),
    help: "Bearer tokens checked with the API server (TokenReview, then SubjectAccessReview), by result (allowed, denied, unauthenticated, error); cached answers are not counted.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly namespaceReviews = new Counter({
    name: metricName("namespace_reviews_total"),
    help: "SubjectAccessReviews of a sender's access to a target namespace (GATEWAY_AUTH_SCOPE=namespace), by result (allowed, denied, error); cached answers are not counted.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly signalsForbidden = new Counter({
    name: metricName("signals_forbidden_total"),
    help: "Signals refused because their sender may not send for the target (GATEWAY_AUTH_SCOPE=namespace), by the scope of the review: namespace (the target's namespace; the log names it) or cluster (a cluster-scoped target).",
    labelNames: ["scope"] as const,
    registers: [this.registry],
  });
  readonly unsureWrites = new Counter({
    name: metricName("unsure_writes_total"),
    help: "Count writes that got no answer saying whether they were applied, by what re-reading the RR found (applied, not_applied, unknown: answered 503, may be counted again on retry).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly circuitOpen = new Gauge({
    name: metricName("api_circuit_open"),
    help: "1 while the circuit breaker refuses signals because the API server is unreachable, else 0.",
    registers: [this.registry],
  });
  readonly circuitRejections = new Counter({
    name: metricName("api_circuit_rejections_total"),
    help: "Signals refused at once (503) because the API server was unreachable a moment ago (circuit breaker open).",
    registers: [this.registry],
  });
  readonly cacheLists = new Counter({
    name: metricName("rr_cache_lists_total"),
    help: "Full lists of RemediationRequests fed to the cache: the first one, and a relist after each expired watch (410 Gone).",
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: metricName("rr_watch_failures_total"),
    help: "RemediationRequest watch failures (the watch restarts by itself).",
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: metricName("api_requests_total"),
    help: "Requests the gateway sends to the Kubernetes API server, by method: reads, writes, lists and watches (the RemediationRequest informer's list and watch, shared with the rest of the process, aside: see rr_gateway_rr_cache_lists_total).",
    labelNames: ["method"] as const,
    registers: [this.registry],
  });
  readonly scopeLists = new Counter({
    name: metricName("scope_label_lists_total"),
    help: "Full lists of the objects labelled kubernaut.ai/managed, by kind: the first one (namespaces at start, another kind at the first signal for it), and a relist after each expired watch.",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly scopeWatchFailures = new Counter({
    name: metricName("scope_label_watch_failures_total"),
    help: "Failures of the kubernaut.ai/managed label watches, by kind (each restarts by itself; a kind the gateway may not list counts as unlabelled).",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: metricName("http_request_duration_seconds"),
    help: "HTTP request duration, by endpoint and status code.",
    labelNames: ["endpoint", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly featureEnabled = new Gauge({
    name: metricName("feature_enabled"),
    help: "1 when an optional feature is on, 0 when the installed RemediationRequest CRD lacks its fields (kubernaut's own CRD): storm-aggregation, resolved-counts, duplicate-marking, event-watermarks.",
    labelNames: ["feature"] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: metricName("in_flight_requests"),
    help: "Signal requests being handled.",
    registers: [this.registry],
  });
  /** The built-in Warning-event source's metrics (rr_gateway_event_source_*, src/events/metrics.ts). */
  readonly eventSource = new EventSourceMetrics(this.registry);
  /** Reports the RR cache (size, sync, RRs by phase) and the objects the scope label watches hold, at each scrape. */
  constructor(sources: GatewayMetricSources = {}) {
    const { rrCache, scopeLabelled } = sources;
    this.zeroKnownSeries();
    new Gauge({
      name: metricName("rr_cache_size"),
      help: "RemediationRequests in the RemediationRequest informer the gateway reads (shared with the orchestrator when both run in one process).",
      registers: [this.registry],
      collect() {
        this.set(rrCache?.size ?? 0);
      },
    });
    new Gauge({
      name: metricName("rr_cache_synced"),
      help: "1 once the gateway's RemediationRequest cache has its first full list (the gateway is not ready before), else 0.",
      registers: [this.registry],
      collect() {
        this.set(rrCache?.hasSynced ? 1 : 0);
      },
    });
    new Gauge({
      name: metricName("remediation_requests"),
      help: "RemediationRequests in the gateway's namespace (its watch cache), by status.overallPhase: kubernaut's phases, None before the orchestrator sets one, Unknown for any other value. Every replica reports the same RRs: aggregate with max, not sum.",
      labelNames: ["phase"] as const,
      registers: [this.registry],
      collect() {
        const counts = rrCache?.countByPhase() ?? new Map<PhaseLabel, number>();
        for (const phase of PHASE_LABELS) this.set({ phase }, counts.get(phase) ?? 0);
      },
    });
    new Gauge({
      name: metricName("scope_labelled_objects"),
      help: "Objects carrying kubernaut.ai/managed that the scope label watches hold (name and value only), by kind.",
      labelNames: ["kind"] as const,
      registers: [this.registry],
      collect() {
        for (const [kind, size] of Object.entries(scopeLabelled?.() ?? {})) this.set({ kind }, size);
      },
    });
  }

  /**
   * Starts every series whose label values are known in advance at 0, so
   * rate() and increase() see the first event of each, and dashboards and
   * alert rules find their series before anything happened.
   */
  private zeroKnownSeries(): void {
    for (const source of SOURCES) {
      for (const severity of SEVERITY_CLASSES) this.signalsReceived.inc({ source, severity }, 0);
      for (const reason of REJECTION_REASONS) this.signalsRejected.inc({ source, reason }, 0);
      this.signalsDeduplicated.inc({ source }, 0);
      this.rrsCreated.inc({ source }, 0);
    }
    for (const operation of ["create", "apply-status", "apply-storm", "apply-duplicate-of"]) this.apiWrites.inc({ operation }, 0);
    this.applyConflicts.inc({ field_manager: FIELD_MANAGERS.deduplication }, 0);
    for (const outcome of ["applied", "not_applied", "unknown"]) this.unsureWrites.inc({ outcome }, 0);
    this.circuitOpen.set(0);
  }
}
