/**
 * When the Pepr module should start the mock orchestrator: in every process
 * that runs the module (the admission pods, a watcher pod if Pepr makes one,
 * `pepr dev`), never while `pepr build` loads the module (PEPR_MODE=build).
 * Pepr makes a watcher Deployment only for modules with Watch/Reconcile
 * bindings, and its pods have no leader election anyway: the orchestrator's
 * Lease is what keeps exactly one instance active among the replicas.
 * ORCHESTRATOR_ENABLED=false turns it off (e.g. next to a real orchestrator).
 */
export function shouldStartInPepr(env: Record<string, string | undefined>): boolean {
  if (env.PEPR_MODE === "build") return false;
  return !(env.ORCHESTRATOR_ENABLED !== undefined && ["false", "0", "no", "off"].includes(env.ORCHESTRATOR_ENABLED.trim().toLowerCase()));
}
