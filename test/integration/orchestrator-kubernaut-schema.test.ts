import { execFileSync } from "node:child_process";
import { dumpYaml } from "@kubernetes/client-node";
import { RemediationRequestClient } from "../../src/k8s/rr-client";
import { RR_API_VERSION, RR_KIND } from "../../src/model/remediation-request";
import { kubernautCrd } from "../helpers/kubernaut-schema";
import { testSpec } from "../helpers/rr-spec";
import { kubectlBinary } from "./helpers/controlplane";
import { randomFingerprint, TestEnvironment } from "./helpers/environment";
import { OrchestratorProcess, stopAllOrchestrators } from "./helpers/orchestrator-process";
import { PrivateControlPlane } from "./helpers/private-controlplane";
import { createSignalRR, PhaseRecorder, waitForPhase } from "./helpers/rr";
import { waitFor } from "./helpers/wait";

/**
 * Issue 12, items 3 and 4: the mock RO runs unchanged beside kubernaut's own
 * CRD. A control plane of its own (slot 8) gets "kubernaut's schema" (our CRD
 * minus src/model/kubernaut-additions.ts) in place of ours; the RO then drives
 * a full lifecycle to Completed and a run of failures into a block and out
 * of it, with no refused write (no 422) and no write the API server prunes
 * (a pruned field would make the RO write the same transition again and again).
 */
const plane = new PrivateControlPlane("ro-kubernaut-schema", 8);
const env = new TestEnvironment(identity => plane.kubeconfig(identity));
const recorder = new PhaseRecorder();
const COOLDOWN_MS = 2_000;
let ns: string;
let admin: RemediationRequestClient;
let ro: OrchestratorProcess;

const RULES = [{ name: "fails", match: { labels: { matchLabels: { outcome: "fail" } } }, outcome: { result: "fail", phase: "Processing", reason: "scripted failure" } }];

beforeAll(async () => {
  plane.up();
  // dumpYaml, not JSON.stringify: kubernautCrd() holds client-node's model objects (enum is "_enum",
  // x-kubernetes-* are "x_kubernetes_*"); dumpYaml writes them back under their Kubernetes names.
  execFileSync(kubectlBinary(), ["--kubeconfig", plane.kubeconfig("admin"), "apply", "--server-side", "--force-conflicts", "-f", "-"], { input: dumpYaml(kubernautCrd()), stdio: ["pipe", "pipe", "pipe"] });
  ns = await env.freshNamespace("ro-kubernaut");
  admin = await env.rrClient("admin", ns);
  await untilKubernautSchemaServes(admin);
  await recorder.start(admin);
  ro = await OrchestratorProcess.startLeading({
    namespace: ns,
    identity: "ro-kubernaut",
    rules: RULES,
    env: { KUBECONFIG: plane.kubeconfig("orchestrator"), ORCHESTRATOR_PHASE_DURATION: "100ms", ORCHESTRATOR_BLOCK_COOLDOWN: `${COOLDOWN_MS}ms` },
  });
}, 120_000);

afterAll(async () => {
  await stopAllOrchestrators();
  await recorder.stop();
  await env.close();
  plane.down();
});

/**
 * A CRD update reaches the API server's handlers a moment after the write:
 * wait until a strict write of one of our additions is refused (it is
 * accepted under our CRD), so the RO only ever meets kubernaut's schema.
 */
async function untilKubernautSchemaServes(rrs: RemediationRequestClient): Promise<void> {
  const probe = "schema-probe";
  await rrs.kube.request({ method: "POST", path: rrs.collectionPath(), body: { apiVersion: RR_API_VERSION, kind: RR_KIND, metadata: { name: probe }, spec: testSpec(randomFingerprint()) }, what: "create the schema probe" });
  await waitFor("kubernaut's schema to serve (a strict write of status.stormAggregation refused)", async () => {
    const refused = await rrs.kube
      .request({
        method: "PATCH",
        path: `${rrs.collectionPath()}/${probe}/status`,
        query: { fieldManager: "schema-probe", fieldValidation: "Strict" },
        contentType: "application/merge-patch+json",
        body: { status: { stormAggregation: { aggregatedCount: 1 } } },
        what: "probe the served schema",
      })
      .then(
        () => false,
        () => true,
      );
    return refused || undefined;
  });
  await rrs.delete(probe);
}

describe("the mock RO under kubernaut's own CRD", () => {
  it("serves kubernaut's schema: none of our additions", async () => {
    const crd = JSON.parse(execFileSync(kubectlBinary(), ["--kubeconfig", plane.kubeconfig("admin"), "get", "crd", "remediationrequests.kubernaut.ai", "-o", "json"], { encoding: "utf8" })) as {
      spec: { versions: { schema: { openAPIV3Schema: { properties: { status: { properties: Record<string, unknown> } } } } }[] };
    };
    const status = crd.spec.versions[0].schema.openAPIV3Schema.properties.status.properties;
    expect(status.stormAggregation).toBeUndefined();
    expect(status.phaseProgress).toBeDefined();
  });

  it("drives a new RR through every phase to Completed, writing each transition once", async () => {
    const name = await createSignalRR(env, ns, { signalName: "HighMemory" });
    const status = (await waitForPhase(admin, name, "Completed")).status!;
    await recorder.waitForPhase(name, "Completed");
    expect(recorder.phases(name)).toEqual(["Pending", "Processing", "Analyzing", "Executing", "Verifying", "Completed"]);
    expect(status.completionStatus).toEqual({ outcome: "Remediated" });
    expect(Object.keys(status.phaseProgress ?? {}).sort()).toEqual(["analyzingStartTime", "executingStartTime", "processingStartTime", "verificationDeadline"]);
    expect(status.conditions?.map(c => c.type)).toEqual(["Ready", "SignalProcessingComplete", "AIAnalysisComplete", "WorkflowExecutionComplete", "EffectivenessAssessed"]);
    // Let a pruned field show itself as a second write of a transition.
    await new Promise(resolve => setTimeout(resolve, 500));
    expect(ro.transitions(name).map(t => t.to)).toEqual(["Pending", "Processing", "Analyzing", "Executing", "Verifying", "Completed"]);
  }, 30_000);

  it("blocks after three failures of one fingerprint, then fails the block when its cooldown ends", async () => {
    const fingerprint = randomFingerprint();
    const failed: string[] = [];
    for (let i = 0; i < 3; i++) {
      failed.push(await createSignalRR(env, ns, { fingerprint, signalName: "CrashLooping", signalLabels: { outcome: "fail" } }));
      const status = (await waitForPhase(admin, failed[i], "Failed")).status!;
      expect(status.completionStatus).toEqual({ failurePhase: "SignalProcessing", failureReason: "scripted failure" });
      expect(status.routingStatus?.consecutiveFailureCount).toBe(1);
    }
    const blocked = await createSignalRR(env, ns, { fingerprint, signalName: "CrashLooping" });
    const status = (await waitForPhase(admin, blocked, "Blocked")).status!;
    expect(status.routingStatus).toMatchObject({ blockReason: "ConsecutiveFailures", blockMessage: `3 consecutive failures. Cooldown expires: ${status.routingStatus?.blockedUntil}` });

    const after = (await waitForPhase(admin, blocked, "Failed", COOLDOWN_MS + 10_000)).status!;
    expect(after.completionStatus).toEqual({ failurePhase: "Blocked", failureReason: "cooldown expired after blocking due to ConsecutiveFailures" });
    await new Promise(resolve => setTimeout(resolve, 500));
    for (const name of [...failed, blocked]) {
      const expected = name === blocked ? ["Pending", "Blocked", "Failed"] : ["Pending", "Processing", "Failed"];
      expect([name, ro.transitions(name).map(t => t.to)]).toEqual([name, expected]);
    }
  }, 60_000);

  it("had no write refused and logged no warning or error", () => {
    const problems = ro.lines.filter(l => l.level >= 40);
    expect(problems).toEqual([]);
  });
});
