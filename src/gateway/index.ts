import type { Logger } from "pino";
import { createLogger } from "../log/logger";
import { RedeliveryMemory } from "./redelivery-memory";
import { ALL_FEATURES_ON, featuresOff, OPTIONAL_FEATURES, type Feature } from "../model/schema-features";
import { readSchemaFeatures, type SchemaFeatures } from "../k8s/installed-schema";
import { KubeClient, loadKubeConfig } from "../k8s/kube-client";
import { RemediationRequestCache } from "../k8s/rr-cache";
import { RemediationRequestClient } from "../k8s/rr-client";
import { ScopeLabels } from "../k8s/scope-labels";
import { MANAGED_LABEL } from "../signal/scope";
import { BearerAuthenticator, NO_AUTH, readStaticTokens, type Authenticator } from "./auth";
import { CircuitBreaker } from "./circuit-breaker";
import { DuplicateDetector } from "./duplicate-detector";
import type { GatewayConfig } from "./config";
import { SignalIngest } from "./ingest";
import { GatewayMetrics } from "./metrics";
import { NamespaceAuthorizer } from "./namespace-authorizer";
import { OwnerResolver } from "./owner-resolver";
import { SignalRecorder, type RecordResult } from "./recorder";
import { ScopeFilter } from "./scope-filter";
import { GatewayServer } from "./server";
import { StormTracker } from "./storm-tracker";
import { EventSource } from "../events/event-source";

export interface RunningGateway {
  port: number;
  metrics: GatewayMetrics;
  cache: RemediationRequestCache;
  /** The built-in Warning-event source (undefined when EVENT_SOURCE_ENABLED=false). */
  eventSource?: EventSource;
  /** Ready as /readyz says: RR cache synced, CRD read, scope labels listed. */
  isReady(): boolean;
  /** Graceful stop: readyz turns 503, in-flight requests drain, pending storm writes flush. */
  stop(): Promise<void>;
}

/**
 * Starts the gateway: connects to the API server, starts the RR watch (the
 * HTTP server answers at once, /readyz turns 200 when the cache has synced),
 * and serves signals.
 */
export async function startGateway(config: GatewayConfig, logger: Logger = createLogger("gateway", config.logLevel)): Promise<RunningGateway> {
  const kube = await KubeClient.create(loadKubeConfig(config.kubeconfig), { requestTimeoutMs: 10_000, onRequest: method => metrics.apiRequests.inc({ method }) });
  const rrs = new RemediationRequestClient(kube, config.namespace);
  const cache = new RemediationRequestCache(rrs, {
    onWatchError: err => {
      metrics.watchRestarts.inc();
      logger.warn({ err: String(err) }, "RemediationRequest watch failed; restarting");
    },
    onList: items => {
      metrics.cacheLists.inc();
      logger.debug({ items }, "RemediationRequests listed for the cache");
    },
    watchEventDelayMs: config.testCacheLagMs,
  });
  if (config.testCacheLagMs > 0) logger.warn({ lagMs: config.testCacheLagMs }, "GATEWAY_TEST_CACHE_LAG_MS is set: the RR cache lags on purpose (test only)");
  // GATEWAY_SCOPE=managed-label: the kubernaut.ai/managed labels, from watches (no request per signal).
  const scopeLabels =
    config.scope === "managed-label"
      ? new ScopeLabels(kube, MANAGED_LABEL, {
          onList: (kind, objects) => {
            metrics.scopeLists.inc({ kind });
            logger.debug({ kind, labelled: objects }, `objects labelled ${MANAGED_LABEL} listed`);
          },
          onError: (kind, err) => {
            metrics.scopeWatchFailures.inc({ kind });
            logger.warn({ kind, err: String(err) }, `the ${MANAGED_LABEL} watch of ${kind} failed; restarting (a kind the gateway may not list counts as unlabelled, so its namespace decides)`);
          },
        })
      : undefined;
  const scope = new ScopeFilter(config.scope, scopeLabels);
  const metrics = new GatewayMetrics(
    () => cache.size,
    () => scopeLabels?.sizes() ?? {},
  );
  // Every optional feature is on until the installed CRD says otherwise (read before the gateway is ready).
  let schema: SchemaFeatures | undefined;
  const featureOn = (feature: Feature) => (): boolean => (schema?.features ?? ALL_FEATURES_ON)[feature];
  const storm = new StormTracker({ threshold: config.stormThreshold, windowMs: config.stormWindowMs }, rrs, metrics, logger, {
    onWritten: rr => cache.observe(rr),
    current: (fingerprint, name) => cache.rrsOf(fingerprint).find(rr => rr.metadata.name === name),
    flushIntervalMs: config.stormRefreshMs,
    enabled: featureOn("stormAggregation"),
  });
  const duplicates = new DuplicateDetector({ rrs, cache, metrics, logger, marking: featureOn("duplicateMarking") });
  // While the API server is unreachable, signals get a fast 503; a probe of /readyz says when it is back.
  const breaker = new CircuitBreaker(
    1_000,
    () => kube.request({ method: "GET", path: "/readyz", what: "API server readiness", timeoutMs: 1_000 }),
    open => {
      metrics.circuitOpen.set(open ? 1 : 0);
      if (open) logger.warn("the Kubernetes API server is unreachable: answering 503 at once until it is back");
      else logger.info("the Kubernetes API server answers again");
    },
  );
  const recorder = new SignalRecorder({
    rrs,
    cache,
    metrics,
    logger,
    strategy: config.fingerprintStrategy,
    clusterId: config.clusterId,
    maxApplyAttempts: config.maxApplyAttempts,
    unsureWriteWaitMs: config.unsureWriteWaitMs,
    onUnreachable: () => breaker.recordFailure(),
    onCounted: (rr, added) => storm.observe(rr, added),
    resolvedCounts: featureOn("resolvedCounts"),
    eventWatermarks: featureOn("eventWatermarks"),
  });
  const ingest = new SignalIngest({
    recorder,
    metrics,
    logger,
    strategy: config.fingerprintStrategy,
    owners: config.fingerprintStrategy === "resource" ? undefined : new OwnerResolver(kube),
    breaker,
    redelivery: new RedeliveryMemory<RecordResult>(config.redeliveryMemoryMs),
    namespace: config.namespace,
    scope,
  });
  // The built-in Warning-event source: the same recording path as POST /api/v1/signals/kubernetes-event (docs/events.md).
  const eventSource = config.eventSource.enabled
    ? new EventSource({ kube, intake: ingest, config: config.eventSource, metrics: metrics.eventSource, logger: logger.child({ component: "event-source" }), namespace: config.namespace, limits: config.limits })
    : undefined;
  const isReady = (): boolean => cache.hasSynced && schema !== undefined && scope.hasSynced;
  const server = new GatewayServer({
    config,
    logger,
    metrics,
    ingest,
    limits: config.limits,
    freshness: config.freshness,
    ignoredAlerts: new Set(config.ignoredAlerts),
    auth: makeAuthenticator(config, kube, logger, metrics),
    namespaceAuthorizer: makeNamespaceAuthorizer(config, kube, logger, metrics),
    isReady,
    featuresOff: () => (schema ? featuresOff(schema.features) : []),
  });

  const { port } = await server.listen();
  const scheme = config.tls ? "https" : "http";
  logger.info({ port, namespace: config.namespace, strategy: config.fingerprintStrategy, auth: config.auth.mode, authScope: config.auth.scope, scope: config.scope }, `gateway listening on ${scheme}://${config.host}:${port}`);
  const stopped = new AbortController();
  const schemaRead = readSchemaFeatures(kube, { stopped: stopped.signal }).then(
    read => {
      schema = read;
      reportFeatures(read, metrics, logger);
    },
    err => logger.error({ err: String(err) }, "could not read the installed RemediationRequest CRD: not ready"),
  );
  scopeLabels?.start();
  const synced = cache.start().then(
    () => logger.info({ rrs: cache.size }, "RemediationRequest cache synced; ready"),
    err => logger.error({ err: String(err) }, "RemediationRequest cache could not start"),
  );

  // It starts once the RR cache and the CRD's schema are known (the watermark needs status.deduplication.countedEvents).
  const eventSourceStarted = Promise.all([synced, schemaRead]).then(() => {
    if (!stopped.signal.aborted) eventSource?.start();
  });

  return {
    port,
    metrics,
    cache,
    eventSource,
    isReady,
    async stop() {
      // First: release the event source's Lease, so another replica takes over while this one drains.
      stopped.abort();
      await eventSource?.stop();
      await server.close(config.shutdownGraceMs, config.shutdownDelayMs);
      breaker.stop();
      await storm.stop();
      await duplicates.stop();
      // Stopping the cache also ends a first sync still waiting for the API server.
      await cache.stop();
      await scopeLabels?.stop();
      await Promise.all([synced, schemaRead, eventSourceStarted]);
      await kube.close();
      logger.info("gateway stopped");
    },
  };
}

/** Says at start which optional features the installed CRD leaves off, and sets gateway_feature_enabled. */
function reportFeatures(read: SchemaFeatures, metrics: GatewayMetrics, logger: Logger): void {
  for (const [feature, on] of Object.entries(read.features) as [Feature, boolean][]) metrics.featureEnabled.set({ feature: OPTIONAL_FEATURES[feature].name }, on ? 1 : 0);
  const off = featuresOff(read.features);
  if (!read.known) logger.warn({ reason: read.reason }, "cannot tell which fields the installed RemediationRequest CRD has: every optional feature stays on");
  else if (off.length > 0) logger.warn({ featuresOff: off }, `the installed RemediationRequest CRD lacks rr-gateway's optional fields (kubernaut's own schema?): ${off.join(", ")} off`);
  else logger.info("the installed RemediationRequest CRD has every optional field: all features on");
}

/** GATEWAY_AUTH_SCOPE=namespace: the per-namespace authoriser (config checks make it GATEWAY_AUTH=kubernetes). */
function makeNamespaceAuthorizer(config: GatewayConfig, kube: KubeClient, logger: Logger, metrics: GatewayMetrics): NamespaceAuthorizer | undefined {
  if (config.auth.scope !== "namespace") return undefined;
  if (config.auth.staticTokensFile) {
    logger.warn({ file: config.auth.staticTokensFile }, "GATEWAY_AUTH_SCOPE=namespace with static tokens: a static token has no Kubernetes identity to authorise per namespace, so it may send signals for every namespace; keep it to the platform's own senders");
  }
  // The configured access, asked in each target's namespace instead of GATEWAY_AUTH_NAMESPACE.
  const { verb, group, resource, name } = config.auth.access;
  return new NamespaceAuthorizer({ verb, group, resource, name }, config.auth.cacheTtlMs, config.auth.cacheSize, kube, {
    onReview: result => metrics.namespaceReviews.inc({ result }),
    logger,
  });
}

function makeAuthenticator(config: GatewayConfig, kube: KubeClient, logger: Logger, metrics: GatewayMetrics): Authenticator {
  if (config.auth.mode === "none") {
    logger.warn("authentication is disabled (GATEWAY_AUTH=none): anyone who can reach the gateway can create RemediationRequests");
    return NO_AUTH;
  }
  const tokens = config.auth.staticTokensFile ? readStaticTokens(config.auth.staticTokensFile) : [];
  if (config.auth.mode === "static" && tokens.length === 0) logger.warn({ file: config.auth.staticTokensFile }, "GATEWAY_AUTH=static but the tokens file holds no token: every signal will be refused with 401");
  return new BearerAuthenticator(config.auth, tokens, config.auth.mode === "kubernetes" ? kube : undefined, {
    onReview: result => metrics.authReviews.inc({ result }),
    logger,
  });
}
