/**
 * Errors the orchestrator raises itself (Kubernetes API failures are the
 * typed errors of src/k8s/errors.ts). Each has a stable code.
 */

/** The configuration (environment or scripted-outcome file) is invalid. Lists every problem, each naming its field. */
export class OrchestratorConfigError extends Error {
  readonly code = "RO_INVALID_CONFIG";
  constructor(readonly problems: string[]) {
    super(`invalid mock orchestrator configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "OrchestratorConfigError";
  }
}

/**
 * Another field manager owns a status field this orchestrator writes, so the
 * API server refused the (never forced) apply. Retrying cannot help; someone
 * has to fix the ownership. Not retried until the RR changes again.
 */
export class OwnershipConflictError extends Error {
  readonly code = "RO_OWNERSHIP_CONFLICT";
  constructor(
    readonly rr: string,
    readonly conflicts: { manager: string; field: string }[],
  ) {
    super(
      `RemediationRequest ${rr}: the API server refused the orchestrator's status apply because other field managers own ${conflicts
        .map(c => `${c.field} (${c.manager})`)
        .join(", ")}; the orchestrator never forces an apply: remove those fields from the other writer`,
    );
    this.name = "OwnershipConflictError";
  }
}
