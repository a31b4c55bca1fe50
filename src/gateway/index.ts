import type { Logger } from "pino";
import { createLogger } from "../log/logger";
import { RedeliveryMemory } from "./redelivery-memory";
import { ALL_FEATURES_ON, featuresOff, OPTIONAL_FEATURES, type Feature } from "../model/schema-features";
import { readSchemaFeatures, type SchemaFeatures } from "../k8s/installed-schema";
import { readServerVersion, type ServerVersion } from "../k8s/server-version";
import { formatVersion, MIN_KUBERNETES_VERSION, versionProblem } from "../model/kubernetes-version";
import { KubeClient, loadKubeConfig } from "../k8s/kube-client";
import { CacheFreshness } from "./cache-freshness";
import { RemediationRequestClient } from "../k8s/rr-client";
import { RemediationRequestInformer } from "../k8s/rr-informer";
import { ScopeLabels } from "../k8s/scope-labels";
import { MANAGED_LABEL } from "../signal/scope";
import { phaseLabel } from "../model/phases";
import { BearerAuthenticator, NO_AUTH, readStaticTokens, type Authenticator } from "./auth";
import { CircuitBreaker } from "./circuit-breaker";
import { drainPlan } from "./drain-plan";
import { DuplicateDetector } from "./duplicate-detector";
import type { GatewayConfig } from "./config";
import { SignalIngest } from "./ingest";
import { GatewayMetrics } from "./metrics";
import { NamespaceAuthorizer } from "./namespace-authorizer";
import { OwnerResolver } from "./owner-resolver";
import { SignalRecorder } from "./recorder";
import { countRefusedSignals } from "./rejections";
import type { Recorded } from "./signal-result";
import { ScopeFilter } from "./scope-filter";
import { GatewayServer } from "./server";
import { StormTracker } from "./storm-tracker";
import { EventSource, type SignalIntake } from "../events/event-source";

/** What a process that runs more than the gateway hands it: its one client and its RR informer (src/module/process-context.ts). */
export interface SharedClients {
  kube: KubeClient;
  /** The informer of config.namespace; the gateway subscribes to it, and leaves starting it again and stopping it to its owner. */
  informer: RemediationRequestInformer;
}

export interface RunningGateway {
  port: number;
  metrics: GatewayMetrics;
  /** The RR informer the gateway reads: its own, or the process's shared one. */
  informer: RemediationRequestInformer;
  /** The built-in Warning-event source (undefined when EVENT_SOURCE_ENABLED=false). */
  eventSource?: EventSource;
  /** Ready as /readyz says: RR cache synced, CRD read, API server recent enough, scope labels listed. */
  isReady(): boolean;
  /**
   * Graceful stop: readyz turns 503, in-flight requests drain, pending storm
   * writes flush. With a deadline (epoch ms, the process's shutdown budget) the
   * drain is cut to leave the final writes their time (drain-plan.ts).
   */
  stop(deadline?: number): Promise<void>;
}

export interface GatewayOptions {
  /** The oldest Kubernetes release the gateway serves on (MIN_KUBERNETES_VERSION; tests raise it to see the refusal). */
  minKubernetesVersion?: string;
}

/**
 * Starts the gateway: connects to the API server, starts the RR informer (the
 * HTTP server answers at once, /readyz turns 200 when it has synced), and
 * serves signals. Run alone, it makes its own client and informer; in the
 * module it is handed the process's (shared), which outlive it.
 */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger = createLogger("gateway", config.logLevel),
  shared?: SharedClients,
  options: GatewayOptions = {},
): Promise<RunningGateway> {
  const root = shared?.kube ?? (await KubeClient.create(loadKubeConfig(config.kubeconfig), { requestTimeoutMs: 10_000 }));
  // The gateway's own requests, counted in rr_gateway_api_requests_total, on the process's connections.
  const kube = root.withRequestListener(method => metrics.apiRequests.inc({ method }));
  const rrs = new RemediationRequestClient(kube, config.namespace);
  const freshness = new CacheFreshness(config.cacheFreshnessMs);
  const cache = shared?.informer ?? new RemediationRequestInformer(new RemediationRequestClient(root, config.namespace), { watchEventDelayMs: config.testCacheLagMs });
  if (cache.namespace !== config.namespace) throw new Error(`the RemediationRequest informer handed to the gateway watches namespace ${cache.namespace}, not GATEWAY_NAMESPACE=${config.namespace}`);
  const unsubscribe = cache.subscribe({
    onWatchError: err => {
      metrics.watchRestarts.inc();
      logger.warn({ err: String(err) }, "RemediationRequest watch failed; restarting");
    },
    onList: items => {
      metrics.cacheLists.inc();
      logger.debug({ items }, "RemediationRequests listed for the cache");
    },
    onWatched: rv => freshness.watched(rv),
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
  const metrics = new GatewayMetrics({
    rrCache: {
      get size() {
        return cache.size;
      },
      get hasSynced() {
        return cache.hasSynced;
      },
      countByPhase: () => cache.countBy(rr => phaseLabel(rr.status?.overallPhase)),
    },
    scopeLabelled: () => scopeLabels?.sizes() ?? {},
  });
  // Every optional feature is on until the installed CRD says otherwise (read before the gateway is ready).
  let schema: SchemaFeatures | undefined;
  const featureOn = (feature: Feature) => (): boolean => (schema?.features ?? ALL_FEATURES_ON)[feature];
  const storm = new StormTracker({ threshold: config.stormThreshold, windowMs: config.stormWindowMs }, rrs, metrics, logger, {
    onWritten: rr => cache.observe(rr),
    current: (fingerprint, name) => cache.rrsOf(fingerprint).find(rr => rr.metadata.name === name),
    flushIntervalMs: config.stormRefreshMs,
    enabled: featureOn("stormAggregation"),
    // The recorder is built below; storm writes start only after it has counted signals.
    betweenCountWrites: (fingerprint, write) => recorder.betweenCountWrites(fingerprint, write),
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
    groupCommitLingerMs: config.groupCommitLingerMs,
    unsureWriteWaitMs: config.unsureWriteWaitMs,
    onUnreachable: () => breaker.recordFailure(),
    onCounted: (rr, added) => storm.observe(rr, added),
    resolvedCounts: featureOn("resolvedCounts"),
    freshness,
    chainSafety: config.chainSafety,
    eventWatermarks: featureOn("eventWatermarks"),
  });
  const ingest = new SignalIngest({
    recorder,
    metrics,
    logger,
    strategy: config.fingerprintStrategy,
    owners: config.fingerprintStrategy === "resource" ? undefined : new OwnerResolver(kube),
    breaker,
    redelivery: new RedeliveryMemory<Recorded>(config.redeliveryMemoryMs),
    namespace: config.namespace,
    scope,
  });
  // An API server older than the minimum Kubernetes version lacks features the gateway needs: it never becomes ready there.
  let version: { checked: boolean; problem?: string } = { checked: false };
  // The built-in Warning-event source: the same recording path as POST /api/v1/signals/kubernetes-event (docs/events.md).
  const eventSource = config.eventSource.enabled
    ? new EventSource({ kube, intake: countedIntake(ingest, metrics), config: config.eventSource, metrics: metrics.eventSource, logger: logger.child({ component: "event-source" }), namespace: config.namespace, limits: config.limits })
    : undefined;
  const isReady = (): boolean => cache.hasSynced && schema !== undefined && scope.hasSynced && version.checked && !version.problem;
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
    cannotServe: () => version.problem,
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
  const minimum = options.minKubernetesVersion ?? MIN_KUBERNETES_VERSION;
  const versionRead = readServerVersion(kube, { stopped: stopped.signal }).then(
    read => {
      version = { checked: true, problem: read.served && versionProblem(read.served, minimum) };
      reportVersion(read, version.problem, minimum, logger);
    },
    err => {
      version = { checked: true };
      logger.warn({ err: String(err) }, "could not read the API server's /version: the minimum Kubernetes version is not checked");
    },
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
    informer: cache,
    eventSource,
    isReady,
    async stop(deadline?: number) {
      // First: release the event source's Lease, so another replica takes over while this one drains.
      stopped.abort();
      await eventSource?.stop();
      const plan = drainPlan({ delayMs: config.shutdownDelayMs, graceMs: config.shutdownGraceMs }, deadline === undefined ? Infinity : deadline - Date.now());
      if (plan.shortened) logger.info({ delayMs: plan.delayMs, graceMs: plan.graceMs }, "the shutdown budget (TERMINATION_GRACE_PERIOD_SECONDS − PRESTOP_SLEEP_SECONDS) is shorter than GATEWAY_SHUTDOWN_DELAY_SECONDS + GATEWAY_SHUTDOWN_GRACE_SECONDS + 10 s of final writes: draining for less");
      await server.close(plan.graceMs, plan.delayMs);
      breaker.stop();
      await storm.stop();
      await duplicates.stop();
      unsubscribe();
      // Stopping the informer also ends a first sync still waiting for the API server; a shared one is its owner's to stop.
      if (!shared) await cache.stop();
      await scopeLabels?.stop();
      // A shared informer that has not synced yet ends its first sync only when its owner stops it: not awaited here (the event source checks `stopped` before starting).
      await Promise.all([shared ? undefined : synced, schemaRead, versionRead, shared ? undefined : eventSourceStarted]);
      if (!shared) await root.close();
      logger.info("gateway stopped");
    },
  };
}

/** Says at start which Kubernetes release the API server serves; an error, if it is older than the minimum. */
/** The recording path as the built-in event source uses it: its refusals counted as the HTTP endpoint's are (src/gateway/rejections.ts). */
function countedIntake(ingest: SignalIngest, metrics: GatewayMetrics): SignalIntake {
  return {
    async ingest(signals, requestId) {
      const results = await ingest.ingest(signals, requestId);
      countRefusedSignals(metrics, "kubernetes-event", results);
      return results;
    },
  };
}

function reportVersion(read: ServerVersion, problem: string | undefined, minimum: string, logger: Logger): void {
  const served = read.served ? formatVersion(read.served) : undefined;
  if (problem) logger.error({ kubernetes: read.gitVersion, served }, `${problem}: not ready`);
  else if (!served) logger.warn({ kubernetes: read.gitVersion }, "the API server's /version names no release: the minimum Kubernetes version is not checked");
  else logger.info({ kubernetes: read.gitVersion, served, minimum }, `Kubernetes API server ${read.gitVersion} serves ${served} (minimum ${minimum})`);
}

/** Says at start which optional features the installed CRD leaves off, and sets rr_gateway_feature_enabled. */
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
