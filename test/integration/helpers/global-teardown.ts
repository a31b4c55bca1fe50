import { existsSync } from "node:fs";
import path from "node:path";
import { controlPlane, RUN_DIR } from "./controlplane";

/** Stops the control plane only if this run started it. */
export default function globalTeardown(): void {
  if (existsSync(path.join(RUN_DIR, "started-by-jest"))) controlPlane("down");
}
