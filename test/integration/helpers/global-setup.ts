import { writeFileSync } from "node:fs";
import path from "node:path";
import { controlPlane, isRunning, RUN_DIR } from "./controlplane";

/**
 * Starts the local control plane once per test run, or reuses one that is
 * already running (then it is left running afterwards).
 */
export default function globalSetup(): void {
  const wasRunning = isRunning();
  controlPlane("up");
  if (!wasRunning && !process.env.RRGW_KEEP_CONTROLPLANE) writeFileSync(path.join(RUN_DIR, "started-by-jest"), "");
}
