import { a, Capability, PeprValidateRequest } from "pepr";
import { createLogger } from "../src/log/logger";
import { ConfigError, loadGatewayConfig, type GatewayConfig } from "../src/gateway/config";
import { startGateway } from "../src/gateway/index";
import { RR_GROUP, RR_KIND, RR_PLURAL, RR_VERSION } from "../src/model/remediation-request";
import type { RemediationRequest } from "../src/model/remediation-request";
import { chainSafetyFromEnv, deletionProblem } from "../src/module/deletion-guard";
import { fingerprintLabelProblem } from "../src/module/fingerprint-label";
import { gatewayRunsHere } from "../src/module/placement";
import { startOnProcessContext } from "../src/module/process-context";
import { checkShutdownBudget, onShutdown } from "./shutdown";

/**
 * The gateway, as Pepr wiring only (the behaviour lives in src/gateway and
 * src/module):
 *
 * - it starts the gateway's HTTP server (GATEWAY_PORT, default 8080) in the
 *   admission pods and under `pepr dev`, never during `pepr build` and not in
 *   the watcher pod (src/module/placement.ts, docs/deploy.md);
 * - it validates RemediationRequests on create and update: the fingerprint
 *   label must agree with spec.signalFingerprint. This binding is also what
 *   makes Pepr deploy its replicated admission Deployment, where the gateway
 *   serves;
 * - it validates RemediationRequests on delete: an RR younger than
 *   GATEWAY_RR_MIN_AGE_SECONDS, or whose successor the gateway is creating,
 *   is kept, so the gateway can create RRs without reading a problem's
 *   history (src/module/deletion-guard.ts, docs/exactly-once.md).
 */
export class RemediationRequestResource extends a.GenericKind {
  declare spec?: { signalFingerprint?: string };
}

export const Gateway = new Capability({
  name: "gateway",
  description: "Turns Alertmanager alerts and Kubernetes events into RemediationRequests; checks each RR's fingerprint label.",
});

Gateway.When(RemediationRequestResource, { group: RR_GROUP, version: RR_VERSION, kind: RR_KIND, plural: RR_PLURAL })
  .IsCreatedOrUpdated()
  .Validate(validateFingerprintLabel);

// Read at load (build included): a bad value stops the module rather than weaken the guard.
const chainSafety = chainSafetyFromEnv(process.env);

Gateway.When(RemediationRequestResource, { group: RR_GROUP, version: RR_VERSION, kind: RR_KIND, plural: RR_PLURAL })
  .IsDeleted()
  .Validate(validateDeletion);

export function validateDeletion(req: PeprValidateRequest<RemediationRequestResource>): ReturnType<typeof req.Approve> {
  // On DELETE, Pepr's Raw is the object being deleted (the admission request's oldObject).
  const problem = deletionProblem(req.Raw as unknown as RemediationRequest, Date.now(), chainSafety);
  return problem ? req.Deny(problem, 403) : req.Approve();
}

export function validateFingerprintLabel(req: PeprValidateRequest<RemediationRequestResource>): ReturnType<typeof req.Approve> {
  const problem = fingerprintLabelProblem(req.Raw);
  return problem ? req.Deny(problem, 422) : req.Approve();
}

if (gatewayRunsHere(process.env)) startGatewayInModule();

function startGatewayInModule(): void {
  const logger = createLogger("gateway", process.env.LOG_LEVEL);
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig();
  } catch (err) {
    logger.fatal(err instanceof ConfigError ? { problems: err.problems } : { err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
  checkShutdownBudget(message => logger.fatal(message));
  // On the process's one client and RR informer, shared with the orchestrator (src/module/process-context.ts).
  startOnProcessContext(informers =>
    startGateway(config, logger, { kube: informers.kube, informer: informers.remediationRequests(config.namespace, { watchEventDelayMs: config.testCacheLagMs }) }),
  ).then(
    gateway => onShutdown("gateway", deadline => gateway.stop(deadline)),
    err => {
      logger.fatal({ err }, "the gateway could not start");
      process.exit(1);
    },
  );
}
