import path from "node:path";
import { GATEWAY_ENV } from "../src/gateway/config";
import { longestStormWriteWaitMs } from "../src/gateway/storm-tracker";
import type { ControlPlaneChoice } from "./controlplane";

/** How much each scenario does. */
export interface Sizes {
  /** Sequential operations per sequential run (one at a time). */
  sequential: number;
  /** Operations per concurrent run. */
  concurrent: number;
  /** Operations in flight in a concurrent run. */
  concurrency: number;
  /** Unmeasured operations before each run. */
  warmup: number;
  /** No run starts operations for longer than this. */
  timeLimitMs: number;
  /** Bursts per burst scenario (each of burstSize identical signals at once). */
  bursts: number;
  burstSize: number;
  stormSignals: number;
  stormFingerprints: number;
  stormConcurrency: number;
  /** RemediationRequests in the memory scenario's gateway cache. */
  memoryRRs: number;
  memoryCreateConcurrency: number;
  /** Scenario 11: the namespace is filled to each of these numbers of RRs in turn. */
  storedRRs: number[];
  /** Scenario 11: sequential new signals and duplicates measured at each size. */
  storedRunOps: number;
  /** Time the parse + fingerprint micro-benchmark runs for, per payload shape. */
  microMs: number;
  /** Alerts in the large Alertmanager group of scenario 9. */
  largeGroupAlerts: number;
  /**
   * Start the gateway processes while the baseline is measured, and the
   * memory scenario's only with a full cache (no empty-cache reference): saves
   * process start-ups (seconds each, many more on a loaded machine), at the
   * cost of accuracy. Quick runs only.
   */
  overlapStarts: boolean;
  /**
   * How long to wait after a run before reading the write counters: a
   * storming RR's last status write lands off the request path, up to the
   * refresh interval (GATEWAY_STORM_REFRESH_SECONDS) plus its maximum jitter
   * after its last signal, plus the writes' own time.
   */
  settleMs: number;
}

/** Time for the storm writes themselves on loopback: the flush in progress when the last signal came, then the one reporting it. */
const STORM_WRITES_MS = 1_000;
/** The bench's gateways run with the default refresh: 5 s + 20% jitter + 1 s for the writes = 7 s. */
const STORM_SETTLE_MS = longestStormWriteWaitMs(Number(GATEWAY_ENV.GATEWAY_STORM_REFRESH_SECONDS[0]) * 1_000) + STORM_WRITES_MS;

export const FULL: Sizes = {
  sequential: 500,
  concurrent: 2_000,
  concurrency: 50,
  warmup: 50,
  timeLimitMs: 60_000,
  bursts: 10,
  burstSize: 100,
  stormSignals: 5_000,
  stormFingerprints: 50,
  stormConcurrency: 100,
  memoryRRs: 10_000,
  memoryCreateConcurrency: 50,
  storedRRs: [1_000, 10_000, 50_000],
  storedRunOps: 300,
  microMs: 3_000,
  largeGroupAlerts: 5_000,
  overlapStarts: false,
  settleMs: STORM_SETTLE_MS,
};

/** --quick: keeps the harness working; well under a minute. The numbers are noisy. */
export const QUICK: Sizes = {
  sequential: 20,
  concurrent: 100,
  concurrency: 50,
  warmup: 5,
  timeLimitMs: 2_000,
  bursts: 1,
  burstSize: 100,
  stormSignals: 300,
  stormFingerprints: 50,
  stormConcurrency: 100,
  memoryRRs: 200,
  memoryCreateConcurrency: 50,
  storedRRs: [100, 300, 1_000],
  storedRunOps: 20,
  microMs: 200,
  largeGroupAlerts: 200,
  overlapStarts: true,
  // Quick numbers are noise: a late storm write may fall outside its window.
  settleMs: 1_300,
};

/** A bad command line: printed without a stack trace. */
export class UsageError extends Error {}

export interface BenchOptions {
  quick: boolean;
  sizes: Sizes;
  controlPlane: ControlPlaneChoice;
  /** Leave a control plane this run started running afterwards. */
  keepControlPlane: boolean;
  /** Where the JSON (and, with --profile, the CPU profile) goes. */
  outDir: string;
  /** Rewrite the results block of docs/performance.md (full runs only). */
  updateDocs: boolean;
  /** Instead of the scenarios: CPU-profile a gateway process under the duplicate storm. */
  profile: boolean;
  /** Scenario numbers to run (default: all). */
  only?: Set<number>;
  /** Scenario 10 measures this build directory (hack/build.sh --print-dir of another checkout) instead of this tree's build. */
  bundleDir?: string;
  /** Run nothing: rewrite the results block of docs/performance.md from this results file, with today's goals. */
  renderFile?: string;
}

export const USAGE = `usage: npm run bench -- [options]
  --quick                 small sizes, under a minute (the numbers are noisy)
  --controlplane=bench    a control plane of the bench's own, ports 16943/12879 (default of full runs)
  --controlplane=shared   the integration tests' control plane (default of --quick; write counts include their traffic)
  --keep-controlplane     leave a control plane this run started running
  --out=DIR               where to write the JSON (default bench/results)
  --no-docs               do not rewrite the results block of docs/performance.md
  --only=1,3,4            run only these scenarios (ratios need scenario 1)
  --stored=1000,10000      scenario 11's numbers of stored RRs (default 1000,10000,50000)
  --profile               CPU-profile a gateway process under the duplicate storm instead
  --bundle=DIR            scenario 10 runs this build (hack/build.sh --print-dir of another checkout)
  --render=FILE           run nothing: rewrite the docs' results block from a full run's results file (after a goal changed)`;

export function parseOptions(argv: readonly string[], repoDir: string): BenchOptions {
  const options: BenchOptions = {
    quick: false,
    sizes: FULL,
    controlPlane: "bench",
    keepControlPlane: false,
    outDir: path.join(repoDir, "bench/results"),
    updateDocs: true,
    profile: false,
  };
  let chosen = false;
  for (const arg of argv) {
    apply(options, arg);
    chosen ||= arg.startsWith("--controlplane=");
  }
  // A quick run checks the harness: it uses the control plane the tests use (usually running) rather than start one.
  if (options.quick && !chosen) options.controlPlane = "shared";
  if (options.quick) options.updateDocs = false;
  return options;
}

function apply(options: BenchOptions, arg: string): void {
  const [flag, value] = arg.split("=", 2);
  const need = (what: string): string => {
    if (!value) throw new UsageError(`${flag} needs ${what}\n${USAGE}`);
    return value;
  };
  switch (flag) {
    case "--quick":
      options.quick = true;
      options.sizes = QUICK;
      return;
    case "--controlplane":
      if (value !== "bench" && value !== "shared") throw new UsageError(`--controlplane must be bench or shared, got ${value}\n${USAGE}`);
      options.controlPlane = value;
      return;
    case "--keep-controlplane":
      options.keepControlPlane = true;
      return;
    case "--out":
      options.outDir = path.resolve(need("a directory"));
      return;
    case "--no-docs":
      options.updateDocs = false;
      return;
    case "--only":
      options.only = new Set(need("scenario numbers").split(",").map(Number));
      return;
    case "--stored":
      options.sizes = { ...options.sizes, storedRRs: need("numbers of RRs").split(",").map(Number) };
      return;
    case "--profile":
      options.profile = true;
      return;
    case "--bundle":
      options.bundleDir = path.resolve(need("a build directory"));
      return;
    case "--render":
      options.renderFile = path.resolve(need("a results file"));
      return;
    default:
      throw new UsageError(flag === "--help" || flag === "-h" ? USAGE : `unknown option ${arg}\n${USAGE}`);
  }
}
