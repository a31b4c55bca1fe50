import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** V8 heap in use after full garbage collections: what a test still holds, not what it has yet to free. */
export function heapUsedAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

export const MiB = 1024 * 1024;
