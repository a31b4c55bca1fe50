import type { RemediationRequestClient } from "../../src/k8s/rr-client";
import { fireBurst, percentile, type BurstReply } from "../helpers/burst";
import { TrialTotals, type TrialReport } from "../helpers/exactly-once-check";
import { SeededRandom, seedFromEnv } from "../helpers/seeded-random";
import { bySoak, recordSoakFigures, SOAK } from "../helpers/soak";
import type { ActiveTimeline } from "./helpers/active-timeline";
import { TestEnvironment } from "./helpers/environment";
import { problem, setPhaseOfActive, startReplicaRig, stopReplicaRig, verifyProblem, type ReplicaRig } from "./helpers/exactly-once";
import type { GatewayReplicas } from "./helpers/replicas";

// Issue 5, randomized: each trial draws an interleaving (how many replicas and
// which, the burst size and how many signals are in flight at once, when the
// orchestrator changes the phase and to what, whether a replica is SIGKILLed
// and when) and fires one burst of one problem of its own (a unique pod name)
// at long-lived gateway processes. After every trial the invariants are
// checked on the API server. RRGW_SOAK=1 (npm run test:soak) runs 1,000+
// trials; RRGW_SEED=<n> replays a run.

const TRIALS = bySoak(200, 1_000);
const SEED = seedFromEnv();
/** Slots 0-2: up-to-date replicas. Slot 3: a replica whose watch events reach its cache 1.5 s late. */
const LAGGING = 3;
const LAG_MS = 1_500;
/** Trials run at once, each on its own problem. */
const LANES = Number(process.env.RRGW_LANES ?? 2);
const ALL_SLOTS = [0, 1, 2, LAGGING];
const CRASH_CHANCE = 0.03;
const TERMINAL = ["Completed", "Completed", "Failed", "Cancelled"];
/** The most signals a trial has in flight at once (its burst size, at most 200), times the lanes. */
const MOST_IN_FLIGHT = 200 * LANES;
/**
 * A trial without faults (no replica killed while it ran) must have at least
 * this share of its signals acknowledged, or the run fails: a gateway that
 * answers everything with 503 keeps every invariant, so the invariants alone
 * would pass it. Without faults a 503 has no cause but a status write that
 * lost GATEWAY_MAX_APPLY_ATTEMPTS conflicts in a row (the in-flight limit is
 * raised above MOST_IN_FLIGHT, so overload never refuses here), which group
 * commit makes rare even under the orchestrator's phase changes: 90%, as in
 * exactly-once.test.ts (1b), leaves room for those and fails a gateway that
 * refuses a tenth.
 */
const MIN_ACKNOWLEDGED_SHARE = 0.9;
const NON_TERMINAL = ["Executing", "Blocked"];

interface PhaseChange {
  afterReplies: number;
  phase: string;
  /** Hold further signals until the orchestrator's write is acknowledged (else it races the burst freely). */
  hold: boolean;
}

interface Trial {
  n: number;
  pod: string;
  slots: number[];
  size: number;
  concurrency: number;
  phases: PhaseChange[];
  crash?: { slot: number; afterReplies: number };
}

const env = new TestEnvironment();
let admin: RemediationRequestClient;
let orchestrator: RemediationRequestClient;
let gateways: GatewayReplicas;
let timeline: ActiveTimeline;
let rig: ReplicaRig | undefined;

let setupSeconds = 0;

beforeAll(async () => {
  const started = Date.now();
  rig = await startReplicaRig(env, "exactly-once-random", LAGGING, LAG_MS, { GATEWAY_MAX_IN_FLIGHT: String(MOST_IN_FLIGHT) });
  ({ admin, orchestrator, gateways, timeline } = rig);
  setupSeconds = (Date.now() - started) / 1000;
}, 120_000);

afterAll(async () => {
  await stopReplicaRig(rig);
  await env.close();
});

/**
 * Draws one trial (from the seed alone, so a seed replays the same trials).
 * Burst sizes run over 1..200, skewed to small ones (mean about 21; about 7%
 * above 100), which keeps the regular run short.
 */
function draw(random: SeededRandom, n: number): Trial {
  const slots = random.sample(ALL_SLOTS, random.int(1, 3));
  const size = Math.min(200, Math.floor(Math.exp(random.next() ** 2 * Math.log(201))));
  const concurrency = random.int(Math.ceil(size / 8), size);
  const phases = Array.from({ length: random.pick([0, 0, 1, 1, 2]) }, () => ({
    afterReplies: random.int(1, size),
    phase: random.chance(0.8) ? random.pick(TERMINAL) : random.pick(NON_TERMINAL),
    hold: random.chance(0.5),
  })).sort((a, b) => a.afterReplies - b.afterReplies);
  const crash = slots.length >= 2 && random.chance(CRASH_CHANCE) ? { slot: random.pick(slots), afterReplies: random.int(1, size) } : undefined;
  return { n, pod: `rand-${SEED}-${n}`, slots, size, concurrency, phases, crash };
}

/** The trial's replica for signal i: its slots in turn, skipping dead ones (any running replica if all of them are). */
function targetOf(trial: Trial, i: number): { slot: number; url: string } {
  const running = gateways.live();
  const live = trial.slots.filter(s => running.includes(s));
  const choices = live.length > 0 ? live : running;
  const slot = choices[i % choices.length];
  return { slot, url: gateways.url(slot) };
}

interface TrialResult {
  report: TrialReport;
  replies: BurstReply[];
  crashed: boolean;
  /** No replica was killed while the trial ran (by it or by the other lane). */
  faultFree: boolean;
}

async function runTrial(trial: Trial): Promise<TrialResult> {
  const p = problem(trial.pod);
  const pending: Promise<unknown>[] = [];
  let terminalChanges = 0;
  let crashed = false;
  let orchestrating: Promise<void> = Promise.resolve();
  const started = performance.now();
  const replies = await fireBurst({
    count: trial.size,
    concurrency: trial.concurrency,
    body: () => p.payload,
    target: i => targetOf(trial, i),
    onReply: (_reply, all) => {
      let hold: Promise<unknown> | undefined;
      for (const change of trial.phases.filter(c => c.afterReplies === all.length)) {
        // One orchestrator: its writes one after the other, as the mock RO's per-object queue makes them.
        orchestrating = orchestrating.then(async () => {
          const name = await setPhaseOfActive(orchestrator, admin, p.fingerprint, change.phase);
          if (name && !NON_TERMINAL.includes(change.phase)) terminalChanges++;
        });
        pending.push(orchestrating);
        if (change.hold) hold = orchestrating;
      }
      // Crash the victim if it runs and two other replicas would go on (a trial in the other lane may have killed one).
      const crash = trial.crash?.afterReplies === all.length ? trial.crash : undefined;
      if (crash && gateways.live().includes(crash.slot) && gateways.live().length >= 3) {
        crashed = true;
        pending.push(gateways.crash(crash.slot));
      }
      return hold;
    },
  });
  await Promise.all(pending);
  // A reply from a replica killed while this trial ran (by it or by the other lane) may be missing, or be counted without a 2xx.
  const killed = gateways.crashedSince(started);
  const marked = replies.map(r => ({ ...r, interrupted: killed.has(r.slot) }));
  const { report } = await verifyProblem(admin, timeline, p.fingerprint, marked);
  if (report.rrs > 1 + terminalChanges) report.violations.push(`${report.rrs} RRs after ${terminalChanges} terminal phase changes`);
  return { report, replies, crashed, faultFree: killed.size === 0 };
}

it(`keeps every problem to one chain of RRs and every acknowledged signal counted once, over ${TRIALS} random trials`, async () => {
  const random = new SeededRandom(SEED);
  const trials = Array.from({ length: TRIALS }, (_, i) => draw(random, i + 1));
  const totals = new TrialTotals();
  const failures: string[] = [];
  const latencies: number[] = [];
  let crashes = 0;
  const refused = new Map<string, number>();
  let lostConnections = 0;
  let faultFreeTrials = 0;
  let lowestShare = 1;
  let next = 0;
  const started = Date.now();

  // Lanes: several problems' bursts in flight at once, on the same replicas.
  const lane = async (): Promise<void> => {
    while (next < trials.length) {
      const trial = trials[next++];
      const { report, replies, crashed, faultFree } = await runTrial(trial);
      if (faultFree) {
        faultFreeTrials++;
        const share = report.acknowledged / report.signals;
        lowestShare = Math.min(lowestShare, share);
        if (share < MIN_ACKNOWLEDGED_SHARE) report.violations.push(`without faults, only ${report.acknowledged} of ${report.signals} signals acknowledged (at least ${MIN_ACKNOWLEDGED_SHARE * 100}% expected)`);
      }
      totals.add(report);
      if (report.violations.length > 0) failures.push(`trial ${trial.n} ${JSON.stringify(trial)}:\n    ${report.violations.join("\n    ")}`);
      latencies.push(...replies.filter(r => r.status > 0).map(r => r.ms));
      for (const r of replies.filter(r => r.status === 503)) {
        const why = `${r.body?.code}: ${String(r.body?.detail ?? "").replace(/rr-[0-9a-f-]+/g, "rr-…").replace(/\d+/g, "N").slice(0, 90)}`;
        refused.set(why, (refused.get(why) ?? 0) + 1);
      }
      lostConnections += replies.filter(r => r.status === 0).length;
      if (crashed) crashes++;
      if (totals.trials % 100 === 0) process.stderr.write(`[exactly-once-random] ${totals.trials}/${TRIALS} trials, ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures.length} failed\n`);
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  await gateways.settle();

  const phaseChanges = trials.reduce((sum, t) => sum + t.phases.length, 0);
  console.log(
    [
      `[exactly-once-random] seed ${SEED}${SOAK ? " (soak)" : ""}: trials ${((Date.now() - started) / 1000).toFixed(1)} s (after ${setupSeconds.toFixed(1)} s starting 4 gateway processes)`,
      `  trials ${totals.trials}, signals ${totals.signals}, acknowledged ${totals.acknowledged}, RRs ${totals.rrs}`,
      `  trials without faults ${faultFreeTrials}, lowest acknowledged share among them ${(lowestShare * 100).toFixed(1)}% (at least ${MIN_ACKNOWLEDGED_SHARE * 100}% required)`,
      `  duplicate RRs found ${totals.duplicateRRs}, lost acknowledged signals ${totals.lostAcknowledged}, invariant violations ${totals.violations}`,
      `  phase changes ${phaseChanges}, replicas killed ${crashes}, no response (killed replica) ${lostConnections}`,
      `  503s ${[...refused.values()].reduce((a, b) => a + b, 0)}${[...refused].map(([why, n]) => `\n    ${n} × ${why}`).join("")}`,
      `  request latency P50 ${percentile(latencies, 50).toFixed(1)} ms, P95 ${percentile(latencies, 95).toFixed(1)} ms`,
    ].join("\n"),
  );

  recordSoakFigures("exactly-once-random", {
    seed: SEED,
    lanes: LANES,
    seconds: Math.round((Date.now() - started) / 1000),
    ...totals,
    faultFreeTrials,
    lowestAcknowledgedShareWithoutFaults: Math.round(lowestShare * 1000) / 1000,
    minAcknowledgedShare: MIN_ACKNOWLEDGED_SHARE,
    phaseChanges,
    replicasKilled: crashes,
    noResponse: lostConnections,
    refused503: Object.fromEntries(refused),
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    failedTrials: failures.length,
  });
  expect(failures.slice(0, 5)).toEqual([]);
  expect(totals).toMatchObject({ trials: TRIALS, duplicateRRs: 0, lostAcknowledged: 0, violations: 0 });
  // Most trials kill nobody (CRASH_CHANCE): the share above was checked on nearly all of them.
  expect(faultFreeTrials).toBeGreaterThanOrEqual(TRIALS / 2);
}, bySoak(240_000, 1_800_000));
