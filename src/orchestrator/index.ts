import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { KubeClient, loadKubeConfig } from "../k8s/kube-client";
import { LeaseElector } from "../k8s/lease";
import { RemediationRequestClient } from "../k8s/rr-client";
import { RemediationRequestWatch } from "../k8s/rr-watch";
import type { RemediationRequest } from "../model/remediation-request";
import { configFromEnv, ENV, OrchestratorConfig } from "./config";
import { formatDuration } from "./duration";
import { reportOrchestrator } from "./metrics";
import { serveMetrics, type MetricsServer } from "../metrics/server";
import { OWNED_FIELDS } from "./owned-status";
import { Reconciler } from "./reconciler";
import { WorkQueue } from "./work-queue";

export type { OrchestratorConfig } from "./config";
export { configFromEnv } from "./config";
export { OrchestratorConfigError } from "./errors";
export { ADVANCE_ANNOTATION } from "./work-phases";

export interface OrchestratorDeps {
  kube: KubeClient;
  log: Logger;
  now?: () => Date;
}

export interface RunningOrchestrator {
  /** True while this instance holds the Lease and drives RRs. */
  readonly isLeader: boolean;
  /** The port of ORCHESTRATOR_METRICS_PORT's /metrics, when it serves one (startOrchestratorFromEnv only). */
  readonly metricsPort?: number;
  /** Finishes the reconciles in flight, releases the Lease (a standby takes over at once), stops the watch. */
  stop(): Promise<void>;
}

/**
 * Starts the mock Remediation Orchestrator: a watch on the RRs of one
 * namespace feeding an index; a work queue of RR names that only the Lease
 * holder processes; a reconciler that writes the lifecycle fields. Resolves
 * once the watch has synced and the Lease elector runs (not once it leads).
 */
export async function startOrchestrator(config: OrchestratorConfig, deps: OrchestratorDeps): Promise<RunningOrchestrator> {
  const log = deps.log;
  const rrs = new RemediationRequestClient(deps.kube, config.namespace);
  const index = new Map<string, RemediationRequest>();
  const isLeader = (): boolean => elector.isLeader;
  let stopping = false;

  const reconciler = new Reconciler({ rrs, config, index, isLeader, log, now: deps.now });
  const queue = new WorkQueue(name => reconciler.reconcile(name), {
    onError: (name, err, retryInMs) => log.warn({ rr: name, err, retryInMs }, `RemediationRequest ${name}: reconcile failed; retrying in ${retryInMs} ms`),
  });

  const elector = new LeaseElector(deps.kube, {
    name: config.lease.name,
    namespace: config.lease.namespace,
    identity: config.identity,
    leaseDurationMs: config.lease.durationMs,
    onStartedLeading: () => {
      log.info({ lease: `${config.lease.namespace}/${config.lease.name}`, rrs: index.size }, "leading: this instance drives the RemediationRequests");
      // Everything derives from the RRs' status, so taking over is just looking at every RR.
      for (const name of index.keys()) queue.add(name);
    },
    onStoppedLeading: () => {
      const lease = `${config.lease.namespace}/${config.lease.name}`;
      if (stopping) log.info({ lease }, "not leading: released the Lease");
      else log.warn({ lease }, "not leading: lost the Lease; this instance stops driving RemediationRequests");
      queue.clear();
    },
    onError: err => log.warn({ err }, "lease election attempt failed; retrying"),
  });

  const watch = new RemediationRequestWatch(rrs, {
    onUpsert: rr => {
      const name = rr.metadata.name;
      if (!name) return;
      index.set(name, rr);
      if (isLeader()) queue.add(name);
    },
    onDelete: rr => {
      if (rr.metadata.name) index.delete(rr.metadata.name);
    },
    onError: err => {
      // Stopping aborts the watch's request, which the informer reports as an error.
      if (!stopping) log.warn({ err }, "the RemediationRequest watch failed; it restarts by itself");
    },
  });
  // It needs nothing of rr-gateway's CRD additions (src/model/kubernaut-additions.ts), so it runs unchanged under kubernaut's own CRD.
  log.info({ statusFields: OWNED_FIELDS.map(f => `status.${f}`), kubernautFieldsOnly: true }, "writes kubernaut's RemediationRequest status fields only");
  // Sync first, so the index is complete when this instance starts leading.
  await watch.start();
  elector.start();
  const unreport = reportOrchestrator(isLeader);
  log.info(
    {
      namespace: config.namespace,
      lease: `${config.lease.namespace}/${config.lease.name}`,
      leaseDuration: formatDuration(config.lease.durationMs),
      rules: config.rules.length,
      configFile: config.configFile,
      failureThreshold: config.failureThreshold,
      cooldown: formatDuration(config.cooldownMs),
      backoff: `${formatDuration(config.backoff.baseMs)}..${formatDuration(config.backoff.maxMs)}`,
      noActionHold: formatDuration(config.noActionHoldMs),
      dryRunHold: formatDuration(config.dryRunHoldMs),
    },
    "mock remediation orchestrator started",
  );

  return {
    get isLeader() {
      return elector.isLeader;
    },
    async stop() {
      stopping = true;
      // Order matters: finish writes in flight before releasing the Lease, so the next
      // leader never acts while this instance still writes.
      await queue.stop();
      await elector.stop();
      await watch.stop();
      unreport();
      log.info("mock remediation orchestrator stopped");
    },
  };
}

/** The default identity: host (pod) name and pid, so a restarted process is a new candidate. */
export function defaultIdentity(): string {
  return `${hostname()}-${process.pid}`;
}

/**
 * Reads the configuration from the environment, connects with the usual
 * kubeconfig ($KUBECONFIG, ~/.kube/config, or in-cluster) and starts. stop()
 * also closes the connection. Throws OrchestratorConfigError on bad config.
 */
export async function startOrchestratorFromEnv(env: Record<string, string | undefined>, log: Logger): Promise<RunningOrchestrator> {
  const config = configFromEnv(env, { readFile: path => readFileSync(path, "utf8"), defaultIdentity });
  const kube = await KubeClient.create(loadKubeConfig());
  let metrics: MetricsServer | undefined;
  try {
    const running = await startOrchestrator(config, { kube, log: log.child({ identity: config.identity }) });
    if (config.metricsPort !== undefined) {
      try {
        metrics = await serveMetrics(config.metricsPort, "0.0.0.0");
      } catch (err) {
        await running.stop();
        throw new Error(`${ENV.metricsPort}=${config.metricsPort}: cannot serve metrics there (${err instanceof Error ? err.message : String(err)})`);
      }
      log.info({ port: metrics.port }, `metrics on http://0.0.0.0:${metrics.port}/metrics`);
    }
    return {
      get isLeader() {
        return running.isLeader;
      },
      get metricsPort() {
        return metrics?.port;
      },
      async stop() {
        await running.stop();
        await metrics?.close();
        await kube.close();
      },
    };
  } catch (err) {
    await kube.close();
    throw err;
  }
}
