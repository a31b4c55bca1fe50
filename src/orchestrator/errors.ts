import { ConfigurationError, ProcessError } from "../model/process-error";

/**
 * Errors the orchestrator raises itself (Kubernetes API failures are the
 * typed errors of src/k8s/errors.ts). Their codes are in the table of
 * src/model/error-codes.ts.
 */

/** The configuration (environment or scripted-outcome file) is invalid. Lists every problem, each naming its field. */
export class OrchestratorConfigError extends ConfigurationError {
  constructor(problems: string[]) {
    super("RO_INVALID_CONFIG", problems);
  }
}

/**
 * Another field manager owns a status field this orchestrator writes, so the
 * API server refused the (never forced) apply. Retrying cannot help; someone
 * has to fix the ownership. Not retried until the RR changes again.
 */
export class OwnershipConflictError extends ProcessError {
  constructor(
    readonly rr: string,
    readonly conflicts: { manager: string; field: string }[],
  ) {
    super(
      "RO_OWNERSHIP_CONFLICT",
      `RemediationRequest ${rr}: the API server refused the orchestrator's status apply because other field managers own ${conflicts
        .map(c => `${c.field} (${c.manager})`)
        .join(", ")}; the orchestrator never forces an apply: remove those fields from the other writer`,
    );
  }
}
