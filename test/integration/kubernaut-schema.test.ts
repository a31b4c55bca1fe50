import { execFileSync } from "node:child_process";
import pino from "pino";
import { request } from "undici";
import { loadGatewayConfig } from "../../src/gateway/config";
import { startGateway, type RunningGateway } from "../../src/gateway/index";
import { FIELD_MANAGERS } from "../../src/k8s/field-managers";
import { readOriginalPayload } from "../../src/model/original-payload";
import { LABELS, type LifecycleStatus, type RemediationRequestSpec } from "../../src/model/remediation-request";
import { resourceFingerprint } from "../../src/dedup/fingerprint";
import { kubernautCrd } from "../helpers/kubernaut-schema";
import { scrapeSum } from "../helpers/metrics";
import { testSpec } from "../helpers/rr-spec";
import { alert, EVENT_PATH, post, PROMETHEUS_PATH, uniqueNames, warningEvent, webhook } from "../helpers/signals";
import { kubectlBinary } from "./helpers/controlplane";
import { randomFingerprint, TestEnvironment } from "./helpers/environment";
import { startTestGateway, type TestGateway } from "./helpers/gateway";
import { PrivateControlPlane } from "./helpers/private-controlplane";
import { waitFor } from "./helpers/wait";

/**
 * Drop-in for kubernaut (issue 12, test 7a and 7b). First: an RR exactly as
 * kubernaut's gateway and RO write it is kept whole under our CRD. Then the
 * gateway runs on a control plane of its own (slot 7) whose CRD is
 * kubernaut's schema (ours minus our additions): every signal is recorded
 * with no 4xx or 5xx, and the features that need our fields say they are off.
 */

const T0 = "2026-12-01T10:00:00Z";

/** Every spec field kubernaut defines, as its gateway fills them. */
const kubernautSpec = (fingerprint: string): RemediationRequestSpec =>
  testSpec(fingerprint, {
    signalName: "KubePodCrashLooping",
    severity: "critical",
    signalType: "alert",
    signalSource: "prometheus",
    targetType: "kubernetes",
    targetResource: { kind: "Deployment", name: "api", namespace: "prod", apiVersion: "apps/v1" },
    clusterID: "eu-west-1",
    firingTime: T0,
    receivedTime: "2026-12-01T10:00:02Z",
    signalLabels: { alertname: "KubePodCrashLooping", namespace: "prod", deployment: "api" },
    signalAnnotations: { summary: "api crashlooping" },
    providerData: '{"namespace":"prod","labels":{"alertname":"KubePodCrashLooping"}}',
    originalPayload: '{"alerts":[{"labels":{"alertname":"KubePodCrashLooping"}}]}',
  });

/** A status as kubernaut's RO writes it at the end of a remediation: every section it owns. */
const ref = (kind: string, name: string) => ({ apiVersion: "kubernaut.ai/v1alpha1", kind, name, namespace: "kubernaut-system", uid: `uid-${name}`, resourceVersion: "1", fieldPath: "" });
const kubernautStatus: LifecycleStatus = {
  observedGeneration: 1,
  overallPhase: "Completed",
  message: "Remediation completed",
  startTime: T0,
  completedAt: "2026-12-01T10:09:00Z",
  phaseProgress: {
    processingStartTime: "2026-12-01T10:00:05Z",
    analyzingStartTime: "2026-12-01T10:01:00Z",
    executingStartTime: "2026-12-01T10:03:00Z",
    verificationDeadline: "2026-12-01T10:15:00Z",
    signalProcessingRef: ref("SignalProcessing", "sp-1"),
    remediationProcessingRef: ref("SignalProcessing", "sp-1"),
    aiAnalysisRef: ref("AIAnalysis", "ai-1"),
    workflowExecutionRef: ref("WorkflowExecution", "we-1"),
    effectivenessAssessmentRef: ref("EffectivenessAssessment", "ea-1"),
    currentProcessingRef: ref("WorkflowExecution", "we-1"),
  },
  routingStatus: {
    skipReason: "RecentlyRemediated",
    skipMessage: "remediated 5 minutes ago",
    blockingWorkflowExecution: "we-0",
    duplicateOf: "rr-older",
    duplicateCount: 2,
    duplicateRefs: ["rr-a", "rr-b"],
    deduplicatedByWE: "we-0",
    blockReason: "ConsecutiveFailures",
    blockMessage: "3 consecutive failures",
    blockedUntil: "2026-12-01T11:00:00Z",
    nextAllowedExecution: "2026-12-01T11:00:00Z",
    consecutiveFailureCount: 3,
  },
  completionStatus: {
    failurePhase: "WorkflowExecution",
    failureReason: "none",
    requiresManualReview: false,
    outcome: "Remediated",
    timeoutPhase: "Executing",
    timeoutTime: "2026-12-01T10:08:00Z",
    notificationRequestRefs: [ref("NotificationRequest", "nr-1")],
    notificationStatus: "Sent",
    approvalNotificationSent: true,
  },
  operatorAudit: { lastModifiedBy: "alice", lastModifiedAt: "2026-12-01T10:02:00Z", preRemediationSpecHash: "sha256:abc" },
  workflowSelection: {
    selectedWorkflowRef: { workflowId: "restart-deployment", version: "1.0.0", executionBundle: "oci://bundles/restart", executionBundleDigest: "sha256:def" },
    executionRef: ref("WorkflowExecution", "we-1"),
    remediationTarget: { kind: "Deployment", name: "api", namespace: "prod", apiVersion: "apps/v1" },
    targetDisplay: "prod/Deployment/api",
    confidence: "0.92",
    workflowDisplayName: "Restart deployment",
    signalTargetDisplay: "prod/Deployment/api",
  },
  retentionExpiryTime: "2026-12-02T10:09:00Z",
  timeoutConfig: { global: "1h0m0s", processing: "5m0s", analyzing: "10m0s", executing: "30m0s" },
  conditions: [
    { type: "Ready", status: "True", reason: "Completed", message: "Remediation completed", lastTransitionTime: "2026-12-01T10:09:00Z", observedGeneration: 1 },
  ],
};

describe("an RR as kubernaut writes it, under our CRD", () => {
  const env = new TestEnvironment();
  let ns: string;
  beforeAll(async () => {
    ns = await env.freshNamespace("kubernaut-rr");
  });
  afterAll(() => env.close());

  it("keeps every kubernaut spec field and a full RO status, pruning nothing", async () => {
    const gateway = await env.rrClient("gateway", ns);
    const orchestrator = await env.rrClient("orchestrator", ns);
    const spec = kubernautSpec(randomFingerprint());
    await gateway.create({ metadata: { name: "as-kubernaut" }, spec }, FIELD_MANAGERS.gateway);
    await gateway.applyStatus("as-kubernaut", { deduplication: { occurrenceCount: 4, firstSeenAt: T0, lastSeenAt: "2026-12-01T10:04:00Z" } }, { fieldManager: FIELD_MANAGERS.deduplication });
    await orchestrator.applyStatus("as-kubernaut", kubernautStatus, { fieldManager: FIELD_MANAGERS.orchestrator });

    const read = await (await env.rrClient("admin", ns)).get("as-kubernaut");
    expect(read.spec).toEqual(spec);
    const { deduplication, ...lifecycle } = read.status!;
    expect(lifecycle).toEqual(kubernautStatus);
    expect(deduplication).toEqual({ occurrenceCount: 4, firstSeenAt: T0, lastSeenAt: "2026-12-01T10:04:00Z" });
  });

  it("refuses what kubernaut's CRD refuses: a spec without firingTime, an outcome outside kubernaut's enum, a condition without reason", async () => {
    const gateway = await env.rrClient("gateway", ns);
    const noFiringTime: Partial<RemediationRequestSpec> = kubernautSpec(randomFingerprint());
    delete noFiringTime.firingTime;
    await expect(gateway.create({ metadata: { name: "no-firing-time" }, spec: noFiringTime as RemediationRequestSpec }, FIELD_MANAGERS.gateway)).rejects.toThrow(/firingTime/);

    await gateway.create({ metadata: { name: "strict-status" }, spec: kubernautSpec(randomFingerprint()) }, FIELD_MANAGERS.gateway);
    const orchestrator = await env.rrClient("orchestrator", ns);
    await expect(orchestrator.applyStatus("strict-status", { overallPhase: "Failed", completionStatus: { outcome: "Failed" as never } }, { fieldManager: FIELD_MANAGERS.orchestrator })).rejects.toThrow(/outcome/);
    await expect(
      orchestrator.applyStatus("strict-status", { conditions: [{ type: "Ready", status: "True", message: "m", lastTransitionTime: T0 } as never] }, { fieldManager: FIELD_MANAGERS.orchestrator }),
    ).rejects.toThrow(/reason/);
  });

  it("reads and counts on an RR an earlier version stored with a base64 originalPayload", async () => {
    const pod = `legacy-${randomFingerprint().slice(0, 8)}`;
    const sent = alert({ alertname: "Legacy", pod });
    const fingerprint = resourceFingerprint({ name: "Legacy", target: { kind: "Pod", name: pod, namespace: "prod" } });
    const gateway = await env.rrClient("gateway", ns);
    const originalPayload = Buffer.from(JSON.stringify(sent)).toString("base64");
    await gateway.create({ metadata: { name: "legacy-base64", labels: { [LABELS.fingerprint]: fingerprint.slice(0, 63) } }, spec: testSpec(fingerprint, { signalName: "Legacy", originalPayload }) }, FIELD_MANAGERS.gateway);
    await gateway.applyStatus("legacy-base64", { deduplication: { occurrenceCount: 1, firstSeenAt: T0, lastSeenAt: T0 } }, { fieldManager: FIELD_MANAGERS.deduplication });

    const gw: TestGateway = await startTestGateway(ns);
    try {
      const reply = await post(gw.url, PROMETHEUS_PATH, webhook([sent]));
      expect(reply.status).toBe(202);
      expect(reply.body).toMatchObject({ remediationRequestName: "legacy-base64", metadata: { count: 2 } });
    } finally {
      await gw.stop();
    }
    const legacy = await (await env.rrClient("admin", ns)).get("legacy-base64");
    expect(readOriginalPayload(legacy.spec.originalPayload)).toEqual(sent);
  });
});

describe("the gateway in front of kubernaut's schema (our CRD minus our additions)", () => {
  const plane = new PrivateControlPlane("kubernaut-schema", 7);
  const env = new TestEnvironment(identity => plane.kubeconfig(identity));
  const freshPod = uniqueNames("ks");
  let ns: string;
  let gateway: RunningGateway;
  let url: string;
  const statuses: number[] = [];
  const send = async (path: string, body: unknown) => {
    const reply = await post(url, path, body);
    statuses.push(reply.status);
    return reply;
  };

  beforeAll(async () => {
    plane.up();
    execFileSync(kubectlBinary(), ["--kubeconfig", plane.kubeconfig("admin"), "apply", "--server-side", "--force-conflicts", "-f", "-"], { input: JSON.stringify(kubernautCrd()), stdio: ["pipe", "pipe", "pipe"] });
    ns = await env.freshNamespace("kubernaut-schema");
    const config = loadGatewayConfig({
      GATEWAY_HOST: "127.0.0.1",
      GATEWAY_PORT: "0",
      GATEWAY_NAMESPACE: ns,
      GATEWAY_AUTH: "none",
      EVENT_SOURCE_ENABLED: "false",
      GATEWAY_SHUTDOWN_GRACE_SECONDS: "2",
      GATEWAY_STORM_THRESHOLD: "2",
      GATEWAY_STORM_REFRESH_SECONDS: "1",
      KUBECONFIG: plane.kubeconfig("gateway"),
    });
    gateway = await startGateway(config, pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }));
    url = `http://127.0.0.1:${gateway.port}`;
    await waitFor("gateway ready", async () => (await request(`${url}/readyz`)).statusCode === 200);
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await env.close();
    plane.down();
  });

  it("says at start which features the schema leaves off: in /readyz and in rr_gateway_feature_enabled", async () => {
    const ready = await request(`${url}/readyz`);
    expect(await ready.body.text()).toBe("ok\nfeatures off (the installed RemediationRequest CRD lacks their fields): storm-aggregation, resolved-counts, duplicate-marking, event-watermarks");
    for (const feature of ["storm-aggregation", "resolved-counts", "duplicate-marking", "event-watermarks"]) expect(await scrapeSum(url, "rr_gateway_feature_enabled", `feature="${feature}"`)).toBe(0);
  });

  it("records an alert without startsAt, with the received time as its firing time", async () => {
    const noStart = alert({ alertname: "NoStart", pod: freshPod() });
    delete noStart.startsAt;
    const reply = await send(PROMETHEUS_PATH, webhook([noStart]));
    expect(reply.status).toBe(201);
    const rr = await (await env.rrClient("admin", ns)).get(reply.body.remediationRequestName);
    expect(rr.spec.firingTime).toBe(rr.spec.receivedTime);
  });

  it("records alerts, repeats and a storm of repeats, with no storm write", async () => {
    const pod = freshPod();
    const first = await send(PROMETHEUS_PATH, webhook([alert({ alertname: "Repeat", pod })]));
    expect(first.status).toBe(201);
    for (let i = 2; i <= 6; i++) expect((await send(PROMETHEUS_PATH, webhook([alert({ alertname: "Repeat", pod })]))).body.metadata.count).toBe(i);
    await new Promise(resolve => setTimeout(resolve, 1_500)); // past the storm refresh: a write would have been made by now
    const rr = await (await env.rrClient("admin", ns)).get(first.body.remediationRequestName);
    expect(rr.status?.deduplication).toMatchObject({ occurrenceCount: 6 });
    expect(rr.status).not.toHaveProperty("stormAggregation");
    expect(rr.metadata.managedFields?.map(m => m.manager)).not.toContain(FIELD_MANAGERS.storm);
  });

  it("answers a resolved alert with its RR, writing nothing", async () => {
    const pod = freshPod();
    const firing = await send(PROMETHEUS_PATH, webhook([alert({ alertname: "Resolves", pod })]));
    const before = await (await env.rrClient("admin", ns)).get(firing.body.remediationRequestName);
    const resolved = await send(PROMETHEUS_PATH, webhook([alert({ alertname: "Resolves", pod, status: "resolved" })]));
    expect(resolved.status).toBe(200);
    expect(resolved.body.remediationRequestName).toBe(firing.body.remediationRequestName);
    const after = await (await env.rrClient("admin", ns)).get(firing.body.remediationRequestName);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it("records Warning and Error events", async () => {
    for (const type of ["Warning", "Error"]) {
      const reply = await send(EVENT_PATH, warningEvent("BackOff", { kind: "Pod", name: freshPod(), namespace: "prod" }, { type }));
      expect(reply.status).toBe(201);
      const rr = await (await env.rrClient("admin", ns)).get(reply.body.remediationRequestName);
      expect(rr.spec).toMatchObject({ signalType: "alert", signalSource: "kubernetes-events", severity: type });
    }
  });

  it("answered every signal above with 200, 201 or 202: no 422 from the API server, no 5xx", () => {
    expect(statuses).toHaveLength(11);
    expect(statuses.filter(s => ![200, 201, 202].includes(s))).toEqual([]);
  });
});
