import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { KubeClient, loadKubeConfig } from "../k8s/kube-client";
import { LeaseElector } from "../k8s/lease";
import { RemediationRequestClient } from "../k8s/rr-client";
import { RemediationRequestInformer } from "../k8s/rr-informer";
import type { SharedInformers } from "../k8s/shared-informers";
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
  /**
   * The process's RR informer of config.namespace, shared with the gateway
   * (src/module/process-context.ts); its owner starts and stops it. Without
   * one the orchestrator makes its own and stops it with itself.
   */
  informer?: RemediationRequestInformer;
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
 * Starts the mock Remediation Orchestrator: the RR informer of one namespace
 * (the process's shared one, or its own) as its index; a work queue of RR
 * names that only the Lease holder processes; a reconciler that writes the
 * lifecycle fields. Resolves once the informer has synced and the Lease
 * elector runs (not once it leads).
 */
export async function startOrchestrator(config: OrchestratorConfig, deps: OrchestratorDeps): Promise<RunningOrchestrator> {
  const log = deps.log;
  const rrs = new RemediationRequestClient(deps.kube, config.namespace);
  const informer = deps.informer ?? new RemediationRequestInformer(rrs);
  if (informer.namespace !== config.namespace) throw new Error(`the RemediationRequest informer handed to the orchestrator watches namespace ${informer.namespace}, not ORCHESTRATOR_NAMESPACE=${config.namespace}`);
  // The reconciler reads RRs from the informer and puts back what its writes return.
  const index = { get: (name: string) => informer.get(name), set: (_name: string, rr: RemediationRequest) => informer.observe(rr) };
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
      log.info({ lease: `${config.lease.namespace}/${config.lease.name}`, rrs: informer.size }, "leading: this instance drives the RemediationRequests");
      // Everything derives from the RRs' status, so taking over is just looking at every RR.
      for (const name of informer.names()) queue.add(name);
    },
    onStoppedLeading: () => {
      const lease = `${config.lease.namespace}/${config.lease.name}`;
      if (stopping) log.info({ lease }, "not leading: released the Lease");
      else log.warn({ lease }, "not leading: lost the Lease; this instance stops driving RemediationRequests");
      queue.clear();
    },
    onError: err => log.warn({ err }, "lease election attempt failed; retrying"),
  });

  const unsubscribe = informer.subscribe({
    onChange: (rr, change) => {
      // What the watch says (anyone's write, the gateway's in this process included); not the puts-back of its own writes.
      if (change.type === "upsert" && change.origin === "watch" && isLeader() && rr.metadata.name) queue.add(rr.metadata.name);
    },
    onWatchError: err => {
      // Stopping aborts the watch's request, which the informer reports as an error.
      if (!stopping) log.warn({ err }, "the RemediationRequest watch failed; it restarts by itself");
    },
  });
  // It needs nothing of rr-gateway's CRD additions (src/model/kubernaut-additions.ts), so it runs unchanged under kubernaut's own CRD.
  log.info({ statusFields: OWNED_FIELDS.map(f => `status.${f}`), kubernautFieldsOnly: true }, "writes kubernaut's RemediationRequest status fields only");
  // Sync first, so the index is complete when this instance starts leading.
  await informer.start();
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
      unsubscribe();
      if (!deps.informer) await informer.stop();
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
 * Reads the configuration from the environment and starts. Alone, it connects
 * with the usual kubeconfig ($KUBECONFIG, ~/.kube/config, or in-cluster) and
 * stop() also closes the connection; in the module it is handed the process's
 * client and informers (src/module/process-context.ts), which outlive it.
 * Throws OrchestratorConfigError on bad config.
 */
export async function startOrchestratorFromEnv(env: Record<string, string | undefined>, log: Logger, shared?: SharedInformers): Promise<RunningOrchestrator> {
  const config = configFromEnv(env, { readFile: path => readFileSync(path, "utf8"), defaultIdentity });
  if (shared) return startOrchestrator(config, { kube: shared.kube, informer: shared.remediationRequests(config.namespace), log: log.child({ identity: config.identity }) });
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
