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

const RULES = [{ name: "scripted-failure", match: { labels: { matchLabels: { outcome: "fail" } } }, outcome: { result: "fail", phase: "Processing", reason: "scripted failure" } }];

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
async function runOne(fingerprint: string, outcome: "fail" | "succeed", end: string): Promise<string> {
  const name = await createSignalRR(env, ns, { fingerprint, signalName: "CrashLooping", signalLabels: { outcome } });
  await waitForPhase(admin, name, end);
  return name;
}

describe("consecutive-failure blocking", () => {
  const fingerprint = randomFingerprint();
  let failed: string[];
  let blocked: string;

  it("blocks the fourth RR after three consecutive failures, with reason, count, end and message", async () => {
    failed = [];
    for (let i = 0; i < 3; i++) failed.push(await runOne(fingerprint, "fail", "Failed"));

    blocked = await createSignalRR(env, ns, { fingerprint, signalName: "CrashLooping", signalLabels: { outcome: "fail" } });
    const status = (await waitForPhase(admin, blocked, "Blocked")).status!;
    const routing = status.routingStatus!;

    expect(routing.blockReason).toBe("ConsecutiveFailures");
    expect(routing.consecutiveFailureCount).toBe(3);
    expect(Date.parse(routing.blockedUntil!) - Date.parse(status.blockedAt!)).toBe(COOLDOWN_MS);
    expect(routing.blockMessage).toContain(`ends at ${routing.blockedUntil}`);
    for (const name of failed) expect(routing.blockMessage).toContain(name);
    expect(status.message).toBe(routing.blockMessage);
    expect(status.processingStartTime).toBeUndefined();
    expect(status.completionStatus).toBeUndefined();
    expect(status.conditions?.find(c => c.type === "Blocked")).toMatchObject({ status: "True", reason: "ConsecutiveFailures" });
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

  it("fails the blocked RR with failurePhase Blocked when the cooldown ends", async () => {
    const status = (await waitForPhase(admin, blocked, "Failed", COOLDOWN_MS + 10_000)).status!;
    await recorder.waitForPhase(blocked, "Failed");
    expect(recorder.phases(blocked)).toEqual(["Pending", "Blocked", "Failed"]);
    expect(status.completionStatus?.failurePhase).toBe("Blocked");
    expect(status.completionStatus?.failureReason).toContain("ConsecutiveFailures");
    expect(Date.parse(status.completedAt!)).toBeGreaterThanOrEqual(Date.parse(status.routingStatus!.blockedUntil!));
    expect(status.conditions?.find(c => c.type === "Blocked")).toMatchObject({ status: "False", reason: "CooldownExpired" });
    // The block's record stays for whoever reads the RR later.
    expect(status.routingStatus?.consecutiveFailureCount).toBe(3);
  }, COOLDOWN_MS + 15_000);

  it("gives the next RR of the fingerprint a fresh run: an expired block is a reset, not a fourth failure", async () => {
    const next = await createSignalRR(env, ns, { fingerprint, signalName: "CrashLooping", signalLabels: { outcome: "succeed" } });
    await waitForPhase(admin, next, "Completed");
    await recorder.waitForPhase(next, "Completed");
    expect(recorder.phases(next)).not.toContain("Blocked");
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

  it("counts only the RR's own fingerprint", async () => {
    const noisy = randomFingerprint();
    for (let i = 0; i < 3; i++) await runOne(noisy, "fail", "Failed");
    const other = await createSignalRR(env, ns, { signalName: "CrashLooping", signalLabels: { outcome: "succeed" } });
    await waitForPhase(admin, other, "Completed");
  }, 30_000);
});
