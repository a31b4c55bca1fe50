import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import { RemediationRequestClient } from "../../src/k8s/rr-client";
import { randomFingerprint, TestEnvironment } from "./helpers/environment";
import { OrchestratorProcess, stopAllOrchestrators } from "./helpers/orchestrator-process";
import { createSignalRR, PhaseRecorder, waitForPhase } from "./helpers/rr";

/**
 * Issue 4, test 3 (without the gateway's HTTP 202, added with the gateway):
 * consecutive-failure blocking with a shortened cooldown. Outcomes are
 * scripted per RR by a signal label, so RRs of one fingerprint can fail or
 * succeed as a test needs.
 */
const env = new TestEnvironment();
const recorder = new PhaseRecorder();
const COOLDOWN_MS = 3_000;
let ns: string;
let admin: RemediationRequestClient;

const RULES = [
  { name: "scripted-failure", match: { labels: { matchLabels: { outcome: "fail" } } }, outcome: { result: "fail", phase: "Processing", reason: "scripted failure" } },
  { name: "scripted-inconclusive", match: { labels: { matchLabels: { outcome: "inconclusive" } } }, outcome: { result: "complete", outcome: "Inconclusive" } },
];

beforeAll(async () => {
  ns = await env.freshNamespace("ro-block");
  admin = await env.rrClient("admin", ns);
  await recorder.start(admin);
  await OrchestratorProcess.startLeading({
    namespace: ns,
    identity: "ro-block",
    rules: RULES,
    env: { ORCHESTRATOR_PHASE_DURATION: "100ms", ORCHESTRATOR_BLOCK_COOLDOWN: `${COOLDOWN_MS}ms` },
  });
}, 60_000);

afterAll(async () => {
  await stopAllOrchestrators();
  await recorder.stop();
  await env.close();
});

/** One RR of the fingerprint, created after the previous one ended (as the gateway would), driven to its end. */
async function runOne(fingerprint: string, outcome: "fail" | "succeed" | "inconclusive", end: string): Promise<string> {
  const name = await createSignalRR(env, ns, { fingerprint, signalName: "CrashLooping", signalLabels: { outcome } });
  await waitForPhase(admin, name, end);
  return name;
}

describe("consecutive-failure blocking (kubernaut's pkg/remediationorchestrator/routing/blocking.go)", () => {
  const fingerprint = randomFingerprint();
  let failed: string[];
  let blocked: string;

  it("blocks the fourth RR after three consecutive failures, with kubernaut's reason, message and end", async () => {
    failed = [];
    for (let i = 0; i < 3; i++) failed.push(await runOne(fingerprint, "fail", "Failed"));

    blocked = await createSignalRR(env, ns, { fingerprint, signalName: "CrashLooping", signalLabels: { outcome: "fail" } });
    const status = (await waitForPhase(admin, blocked, "Blocked")).status!;
    const routing = status.routingStatus!;

    expect(routing.blockReason).toBe("ConsecutiveFailures");
    expect(routing.blockMessage).toBe(`3 consecutive failures. Cooldown expires: ${routing.blockedUntil}`);
    // Blocked when Pending was over (100 ms after startTime), for the cooldown.
    const blockedFor = Date.parse(routing.blockedUntil!) - Date.parse(status.startTime!);
    expect(blockedFor).toBeGreaterThanOrEqual(COOLDOWN_MS + 100);
    expect(blockedFor).toBeLessThan(COOLDOWN_MS + 2_000);
    // kubernaut counts failures on the failed RRs, not on the blocked one, and sets no condition when blocking.
    expect(routing.consecutiveFailureCount).toBeUndefined();
    expect(status.conditions).toBeUndefined();
    expect(status.phaseProgress).toBeUndefined();
    expect(status.completionStatus).toBeUndefined();
    for (const name of failed) expect(status.message).toContain(name);
  }, 30_000);

  it("keeps a Blocked RR active: the gateway's deduplication writes still land and it stays Blocked", async () => {
    const gateway = await env.rrClient("gateway", ns);
    const before = await gateway.get(blocked);
    const now = new Date().toISOString();
    await gateway.applyStatus(
      blocked,
      { deduplication: { ...before.status?.deduplication, occurrenceCount: 2, lastSeenAt: now } },
      { fieldManager: FIELD_MANAGERS.deduplication, resourceVersion: before.metadata.resourceVersion },
    );
    const after = await gateway.get(blocked);
    expect(after.status?.overallPhase).toBe("Blocked");
    expect(after.status?.deduplication?.occurrenceCount).toBe(2);
  });

  it("fails the blocked RR with failurePhase Blocked once the cooldown is over, as kubernaut's transitionToFailedTerminal does", async () => {
    const status = (await waitForPhase(admin, blocked, "Failed", COOLDOWN_MS + 10_000)).status!;
    await recorder.waitForPhase(blocked, "Failed");
    expect(recorder.phases(blocked)).toEqual(["Pending", "Blocked", "Failed"]);
    expect(status.completionStatus).toEqual({ failurePhase: "Blocked", failureReason: "cooldown expired after blocking due to ConsecutiveFailures" });
    // blockedUntil cleared; the reason and message stay for whoever reads the RR later; no completedAt (as kubernaut).
    expect(status.routingStatus?.blockedUntil).toBeUndefined();
    expect(status.routingStatus?.blockReason).toBe("ConsecutiveFailures");
    expect(status.completedAt).toBeUndefined();
    expect(status.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "False", reason: "RemediationBlocked", message: "Remediation blocked" })]);
  }, COOLDOWN_MS + 15_000);

  it("blocks the next RR again: the expired block counts as a fourth failure (kubernaut counts every Failed RR)", async () => {
    const next = await createSignalRR(env, ns, { fingerprint, signalName: "CrashLooping", signalLabels: { outcome: "succeed" } });
    const status = (await waitForPhase(admin, next, "Blocked")).status!;
    expect(status.routingStatus?.blockMessage).toMatch(/^4 consecutive failures\./);
  }, 30_000);
});

describe("what ends a run of failures", () => {
  it("does not block after a success broke the run (fail, fail, succeed, fail, fail → not blocked)", async () => {
    const fingerprint = randomFingerprint();
    for (const outcome of ["fail", "fail", "succeed", "fail", "fail"] as const) await runOne(fingerprint, outcome, outcome === "fail" ? "Failed" : "Completed");
    const next = await createSignalRR(env, ns, { fingerprint, signalName: "CrashLooping", signalLabels: { outcome: "succeed" } });
    await waitForPhase(admin, next, "Completed");
    await recorder.waitForPhase(next, "Completed");
    expect(recorder.phases(next)).not.toContain("Blocked");
  }, 30_000);

  it("counts a Completed/Inconclusive RR as a failure (the alert still fires)", async () => {
    const fingerprint = randomFingerprint();
    for (const outcome of ["fail", "inconclusive", "fail"] as const) await runOne(fingerprint, outcome, outcome === "fail" ? "Failed" : "Completed");
    const next = await createSignalRR(env, ns, { fingerprint, signalName: "CrashLooping", signalLabels: { outcome: "succeed" } });
    await waitForPhase(admin, next, "Blocked");
  }, 30_000);

  it("counts only the RR's own fingerprint", async () => {
    const noisy = randomFingerprint();
    for (let i = 0; i < 3; i++) await runOne(noisy, "fail", "Failed");
    const other = await createSignalRR(env, ns, { signalName: "CrashLooping", signalLabels: { outcome: "succeed" } });
    await waitForPhase(admin, other, "Completed");
  }, 30_000);
});
