import { RemediationRequestClient } from "../../src/k8s/rr-client";
import { ADVANCE_ANNOTATION } from "../../src/orchestrator/work-phases";
import { TestEnvironment } from "./helpers/environment";
import { killAllOrchestrators, OrchestratorProcess } from "./helpers/orchestrator-process";
import { annotate, createSignalRR, PhaseRecorder, TIMESTAMP_FIELDS, timestampOf, waitForPhase } from "./helpers/rr";

/**
 * Issue 4, test 5: an orchestrator restarted in the middle of a lifecycle
 * resumes where it was, with no phase skipped or repeated, because
 * everything it needs is in the RR's status.
 */
const env = new TestEnvironment();
const recorder = new PhaseRecorder();
let ns: string;
let admin: RemediationRequestClient;

const RULES = [
  { name: "held-at-analyzing", match: { signalName: "HoldAtAnalyzing" }, durations: { Analyzing: "manual" } },
  { name: "slow-executing", match: { signalName: "SlowExecuting" }, durations: { Executing: "2s" } },
];

beforeAll(async () => {
  ns = await env.freshNamespace("ro-restart");
  admin = await env.rrClient("admin", ns);
  await recorder.start(admin);
}, 30_000);

afterAll(async () => {
  await killAllOrchestrators();
  await recorder.stop();
  await env.close();
});

const start = (identity: string): Promise<OrchestratorProcess> => OrchestratorProcess.start({ namespace: ns, identity, rules: RULES });
const ALL_PHASES = ["Pending", "Processing", "Analyzing", "Executing", "Verifying", "Completed"];

/** Every timestamp field was written exactly once. */
function expectEachTimestampOnce(name: string): void {
  const values = recorder.timestampValues(name);
  for (const field of TIMESTAMP_FIELDS) expect([field, values[field]?.length]).toEqual([field, 1]);
}

describe("restarting the orchestrator mid-lifecycle", () => {
  it("resumes after a crash (SIGKILL) while a phase waits to be released, once the new process takes the Lease", async () => {
    const first = await start("ro-first");
    await first.waitUntilLeading();
    const name = await createSignalRR(env, ns, { signalName: "HoldAtAnalyzing" });
    const held = await waitForPhase(admin, name, "Analyzing");

    await first.kill();
    const second = await start("ro-second");
    // The dead holder never released the Lease: the new process takes it when it expires.
    await second.waitUntilLeading();
    expect((await admin.get(name)).status).toEqual(held.status);

    await annotate(env, ns, name, { [ADVANCE_ANNOTATION]: "Analyzing" });
    const done = await waitForPhase(admin, name, "Completed");
    await recorder.waitForPhase(name, "Completed");

    expect(recorder.phases(name)).toEqual(ALL_PHASES);
    expectEachTimestampOnce(name);
    for (const field of ["startTime", "processingStartTime", "analyzingStartTime"] as const) expect(timestampOf(done.status!, field)).toBe(timestampOf(held.status!, field));
    expect(first.transitions(name).map(t => t.to)).toEqual(["Pending", "Processing", "Analyzing"]);
    await second.waitForLog(l => l.rr === name && l.to === "Completed", "the Completed transition");
    expect(second.transitions(name).map(t => t.to)).toEqual(["Executing", "Verifying", "Completed"]);
    await second.stop();
  }, 60_000);

  it("resumes a timed phase after a graceful stop, keeping the phase's start time and its full duration", async () => {
    const first = await start("ro-third");
    await first.waitUntilLeading();
    const name = await createSignalRR(env, ns, { signalName: "SlowExecuting" });
    const executing = await waitForPhase(admin, name, "Executing");

    expect(await first.stop()).toBe(0);
    const second = await start("ro-fourth");
    await second.waitUntilLeading();

    const done = await waitForPhase(admin, name, "Completed");
    await recorder.waitForPhase(name, "Completed");
    expect(recorder.phases(name)).toEqual(ALL_PHASES);
    expectEachTimestampOnce(name);
    const started = done.status!.phaseProgress!.executingStartTime!;
    expect(started).toBe(executing.status?.phaseProgress?.executingStartTime);
    // Verifying began when Executing's 2s were over: its deadline is one Verifying duration (150ms) after that.
    expect(Date.parse(done.status!.phaseProgress!.verificationDeadline!) - Date.parse(started)).toBeGreaterThanOrEqual(2_000 + 150);
    await second.stop();
  }, 60_000);
});
