import { KubeClient } from "../../src/k8s/kube-client";
import { Lease, LEASE_API, LeaseElector, microTime } from "../../src/k8s/lease";
import { RemediationRequestClient } from "../../src/k8s/rr-client";
import { TestEnvironment } from "./helpers/environment";
import { killAllOrchestrators, OrchestratorProcess } from "./helpers/orchestrator-process";
import { createSignalRR, waitForPhase } from "./helpers/rr";
import { waitFor } from "./helpers/wait";

/**
 * Issue 4, test 6: one active instance. First the Lease elector on its own
 * (as the orchestrator identity, whose RBAC allows leases get/create/update),
 * then two orchestrator processes.
 */
const env = new TestEnvironment();
let ns: string;
let kube: KubeClient;

beforeAll(async () => {
  ns = await env.freshNamespace("ro-lease");
  kube = await env.kube("orchestrator");
}, 30_000);

afterAll(async () => {
  await killAllOrchestrators();
  await env.close();
});

const getLease = (name: string): Promise<Lease> => kube.request<Lease>({ method: "GET", path: `${LEASE_API}/namespaces/${ns}/leases/${name}`, what: `get lease ${name}` });

describe("LeaseElector", () => {
  const electors: LeaseElector[] = [];
  afterEach(async () => {
    await Promise.all(electors.splice(0).map(e => e.stop()));
  });

  function elector(lease: string, identity: string, events: string[] = []): LeaseElector {
    const e = new LeaseElector(kube, {
      name: lease,
      namespace: ns,
      identity,
      leaseDurationMs: 1_000,
      onStartedLeading: () => events.push(`${identity} leads`),
      onStoppedLeading: () => events.push(`${identity} follows`),
    });
    electors.push(e);
    return e;
  }

  it("lets exactly one of two candidates lead, and hands over when the leader stops", async () => {
    const events: string[] = [];
    const a = elector("pair", "a", events);
    const b = elector("pair", "b", events);
    a.start();
    b.start();
    await waitFor("a leader", () => a.isLeader || b.isLeader);
    // Several renewals later there is still exactly one.
    await new Promise(r => setTimeout(r, 1_500));
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.isLeader ? [a, b] : [b, a];
    const leaderName = leader === a ? "a" : "b";
    expect((await getLease("pair")).spec?.holderIdentity).toBe(leaderName);

    await leader.stop();
    // Released: the follower takes it on its next try, well within the lease duration.
    await waitFor("the follower to lead", () => follower.isLeader, 1_000, 20);
    expect((await getLease("pair")).spec).toMatchObject({ holderIdentity: leaderName === "a" ? "b" : "a", leaseTransitions: 1 });
    expect(events[0]).toBe(`${leaderName} leads`);
    expect(events[events.length - 1]).toBe(`${leaderName === "a" ? "b" : "a"} leads`);
  }, 15_000);

  it("takes over from a holder that stopped renewing only after the lease expired", async () => {
    const created = await kube.request<Lease>({
      method: "POST",
      path: `${LEASE_API}/namespaces/${ns}/leases`,
      body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "ghost" }, spec: { holderIdentity: "ghost", leaseDurationSeconds: 2, renewTime: microTime(Date.now()) } },
      what: "create lease ghost",
    });
    const c = elector("ghost", "c");
    c.start();
    await new Promise(r => setTimeout(r, 1_000));
    expect(c.isLeader).toBe(false);
    await waitFor("c to take over the expired lease", () => c.isLeader, 5_000, 20);
    const taken = await getLease("ghost");
    expect(Date.parse(taken.spec!.acquireTime!) - Date.parse(created.spec!.renewTime!)).toBeGreaterThanOrEqual(2_000);
    expect(taken.spec).toMatchObject({ holderIdentity: "c", leaseTransitions: 1 });
  }, 15_000);
});

describe("two orchestrator processes", () => {
  let admin: RemediationRequestClient;
  beforeAll(async () => {
    admin = await env.rrClient("admin", ns);
  });

  it("only the Lease holder drives RRs; stopping it hands over within the lease duration", async () => {
    const a = await OrchestratorProcess.start({ namespace: ns, identity: "ro-a" });
    await a.waitUntilLeading();
    const b = await OrchestratorProcess.start({ namespace: ns, identity: "ro-b" });
    await b.waitForLog(l => l.msg === "mock remediation orchestrator started", "start");

    const first = await createSignalRR(env, ns, { signalName: "HighMemory" });
    await waitForPhase(admin, first, "Completed");
    await a.waitForLog(l => l.rr === first && l.to === "Completed", "a's Completed transition");
    expect(a.transitions(first)).toHaveLength(6);
    expect(b.isLeading).toBe(false);
    expect(b.transitions()).toEqual([]);
    expect((await getLease("rr-orchestrator")).spec?.holderIdentity).toBe("ro-a");

    expect(await a.stop()).toBe(0);
    await b.waitUntilLeading(5_000);
    const lease = await getLease("rr-orchestrator");
    expect(lease.spec?.holderIdentity).toBe("ro-b");
    // Handover within the lease duration (2s): from a's SIGTERM (its log line's time) to b's
    // acquireTime in the Lease, both from this host's clock. A released Lease is taken on the
    // follower's next try, without waiting for the expiry.
    const stopping = await a.waitForLog(l => l.msg === "stopping", "a's stopping line");
    expect(Date.parse(lease.spec!.acquireTime!) - Date.parse(String(stopping.time))).toBeLessThan(2_000);

    const second = await createSignalRR(env, ns, { signalName: "HighMemory" });
    await waitForPhase(admin, second, "Completed");
    await b.waitForLog(l => l.rr === second && l.to === "Completed", "b's Completed transition");
    expect(b.transitions().map(t => t.rr)).toEqual(Array(6).fill(second));
    expect(a.transitions(second)).toEqual([]);
    await b.stop();
  }, 60_000);
});
