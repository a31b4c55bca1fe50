/**
 * When the Pepr module should start the mock orchestrator: in the watcher
 * (PEPR_WATCH_MODE=true, one pod) and under `pepr dev` (PEPR_MODE=dev, one
 * local process), never while `pepr build` loads the module
 * (PEPR_MODE=build) nor in the admission pods. ORCHESTRATOR_ENABLED=false
 * turns it off (e.g. next to a real orchestrator).
 */
export function shouldStartInPepr(env: Record<string, string | undefined>): boolean {
  if (env.PEPR_MODE === "build") return false;
  if (env.ORCHESTRATOR_ENABLED !== undefined && ["false", "0", "no", "off"].includes(env.ORCHESTRATOR_ENABLED.trim().toLowerCase())) return false;
  return env.PEPR_WATCH_MODE === "true" || env.PEPR_MODE === "dev";
}
