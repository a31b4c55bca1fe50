import { RemediationRequestClient } from "../../src/k8s/rr-client";
import { alert, post, PROMETHEUS_PATH, webhook } from "../helpers/signals";
import { TestEnvironment } from "./helpers/environment";
import { startTestGateway, TestGateway } from "./helpers/gateway";
import { OrchestratorProcess, stopAllOrchestrators } from "./helpers/orchestrator-process";
import { waitForPhase } from "./helpers/rr";

/**
 * The whole loop: the gateway creates and counts RRs, the mock orchestrator
 * drives them, and consecutive failures block the problem (issue 4, test 3),
 * the way kubernaut's RO does it: each failure holds its RR for a backoff
 * (routingStatus.nextAllowedExecution), during which the gateway counts repeats
 * into it (issue 12, item 5); three failures block the next RR; a block that
 * ended counts as a failure, so the problem stays blocked.
 */
const env = new TestEnvironment();
const COOLDOWN_MS = 3_000;
const BACKOFF = "1500ms";
let ns: string;
let gw: TestGateway;
let admin: RemediationRequestClient;

beforeAll(async () => {
  ns = await env.freshNamespace("loop");
  admin = await env.rrClient("admin", ns);
  gw = await startTestGateway(ns);
  await OrchestratorProcess.startLeading({
    namespace: ns,
    identity: "ro-loop",
    rules: [{ name: "flaky-fails", match: { signalName: "Flaky" }, outcome: { result: "fail", phase: "Analyzing", reason: "scripted failure" } }],
    env: { ORCHESTRATOR_PHASE_DURATION: "100ms", ORCHESTRATOR_BLOCK_COOLDOWN: `${COOLDOWN_MS}ms`, ORCHESTRATOR_BACKOFF_BASE: BACKOFF, ORCHESTRATOR_BACKOFF_MAX: BACKOFF },
  });
}, 60_000);

afterAll(async () => {
  await stopAllOrchestrators();
  await gw?.stop();
  await env.close();
});

const fire = (alertname: string) => post(gw.url, PROMETHEUS_PATH, webhook([alert({ alertname, pod: "api-0" })]));

it("walks a new RR from the gateway to Completed", async () => {
  const created = await fire("Healthy");
  expect(created.status).toBe(201);
  const rr = await waitForPhase(admin, created.body.remediationRequestName, "Completed");
  expect(rr.status?.completionStatus?.outcome).toBe("Remediated");
  expect(rr.status?.deduplication?.occurrenceCount).toBe(1);
});

it("holds each failed RR for its backoff, blocks the problem after three failures, keeps counting into the blocked RR, and blocks again after the cooldown", async () => {
  for (let i = 0; i < 3; i++) {
    const reply = await fire("Flaky");
    expect(reply.status).toBe(201);
    const failed = await waitForPhase(admin, reply.body.remediationRequestName, "Failed");
    const heldUntil = Date.parse(failed.status!.routingStatus!.nextAllowedExecution!);
    // A repeat within the backoff is counted into the failed RR, as kubernaut's gateway does.
    const repeat = await fire("Flaky");
    expect(repeat.status).toBe(202);
    expect(repeat.body.remediationRequestName).toBe(reply.body.remediationRequestName);
    await new Promise(resolve => setTimeout(resolve, Math.max(0, heldUntil - Date.now()) + 300));
  }

  const fourth = await fire("Flaky");
  expect(fourth.status).toBe(201);
  const blocked = await waitForPhase(admin, fourth.body.remediationRequestName, "Blocked");
  expect(blocked.status?.routingStatus).toMatchObject({ blockReason: "ConsecutiveFailures", blockMessage: expect.stringMatching(/^3 consecutive failures\./) });

  const repeat = await fire("Flaky");
  expect(repeat.status).toBe(202);
  expect(repeat.body).toMatchObject({ remediationRequestName: fourth.body.remediationRequestName, metadata: { count: 2 } });

  const ended = await waitForPhase(admin, fourth.body.remediationRequestName, "Failed", COOLDOWN_MS + 15_000);
  expect(ended.status?.completionStatus?.failurePhase).toBe("Blocked");

  const fresh = await fire("Flaky");
  expect(fresh.status).toBe(201);
  expect(fresh.body.remediationRequestName).not.toBe(fourth.body.remediationRequestName);
  const again = await waitForPhase(admin, fresh.body.remediationRequestName, "Blocked");
  expect(again.status?.routingStatus?.blockMessage).toMatch(/^4 consecutive failures\./);
  expect(await admin.listByFingerprint(fresh.body.fingerprint)).toHaveLength(5);
}, 60_000);
