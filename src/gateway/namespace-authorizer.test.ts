import { UnavailableError } from "../k8s/errors";
import type { KubeClient, KubeRequest } from "../k8s/kube-client";
import type { Caller } from "./auth";
import { GatewayError } from "./errors";
import { authorizationNamespace, NamespaceAuthorizer } from "./namespace-authorizer";

interface Review {
  user: string;
  namespace?: string;
}

/** A fake API server whose RBAC allows `grants` ("user/namespace"; "user/" is cluster-wide). */
function fakeKube(grants: string[]) {
  const reviews: Review[] = [];
  const state = { down: false };
  const kube = {
    async request(req: KubeRequest): Promise<unknown> {
      const { user, resourceAttributes } = (req.body as { spec: { user: string; resourceAttributes: { namespace?: string } } }).spec;
      reviews.push({ user, namespace: resourceAttributes.namespace });
      await new Promise(resolve => setTimeout(resolve, 2));
      if (state.down) throw new UnavailableError("down", 0);
      return { status: { allowed: grants.includes(`${user}/${resourceAttributes.namespace ?? ""}`) } };
    },
  } as unknown as KubeClient;
  return { kube, reviews, state };
}

const ACCESS = { verb: "create", group: "kubernaut.ai", resource: "signals" };
const teamA: Caller = { user: "team-a-am", via: "kubernetes", identity: { username: "team-a-am", groups: ["system:authenticated"] } };

describe("authorizationNamespace", () => {
  it.each([
    [{ kind: "Pod", name: "api-1", namespace: "team-a" }, "team-a"],
    [{ kind: "Node", name: "worker-1", namespace: "" }, ""],
    [{ kind: "Node", name: "worker-1", namespace: "default" }, ""],
    [{ kind: "PersistentVolume", name: "pv-1", namespace: "team-a" }, ""],
  ])("authorises %j in %j (\"\": cluster scope)", (target, namespace) => {
    expect(authorizationNamespace(target)).toBe(namespace);
  });
});

describe("NamespaceAuthorizer", () => {
  it("refuses the namespaces the sender is not bound in, naming each", async () => {
    const { kube } = fakeKube(["team-a-am/team-a"]);
    const refusals = await new NamespaceAuthorizer(ACCESS, 30_000, 100, kube).refusals(teamA, ["team-a", "team-b", "team-a"]);
    expect([...refusals.keys()]).toEqual(["team-b"]);
    expect(refusals.get("team-b")!.message).toBe('team-a-am may not send signals for namespace team-b: needs "create" on signals.kubernaut.ai in namespace team-b (GATEWAY_AUTH_SCOPE=namespace)');
  });

  it("asks once per distinct namespace of a payload, and not again while the answer is cached", async () => {
    const { kube, reviews } = fakeKube(["team-a-am/team-a"]);
    const authorizer = new NamespaceAuthorizer(ACCESS, 30_000, 100, kube);
    await Promise.all([authorizer.refusals(teamA, ["team-a", "team-a", "team-b"]), authorizer.refusals(teamA, ["team-a", "team-b"])]);
    await authorizer.refusals(teamA, ["team-b", "team-a"]);
    expect(reviews.map(r => r.namespace).sort()).toEqual(["team-a", "team-b"]);
  });

  it("asks about a cluster-scoped target with a cluster-scoped review", async () => {
    const { kube, reviews } = fakeKube(["platform-am/"]);
    const platform: Caller = { user: "platform-am", via: "kubernetes", identity: { username: "platform-am" } };
    const authorizer = new NamespaceAuthorizer(ACCESS, 30_000, 100, kube);
    expect((await authorizer.refusals(platform, [""])).size).toBe(0);
    expect(reviews).toEqual([{ user: "platform-am", namespace: undefined }]);
    expect((await authorizer.refusals(teamA, [""])).get("")!.message).toMatch(/may not send signals for cluster-scoped targets: needs "create" on signals.kubernaut.ai cluster-wide/);
  });

  it("lets a caller without a Kubernetes identity (a static token) send for every namespace, asking nothing", async () => {
    const { kube, reviews } = fakeKube([]);
    expect((await new NamespaceAuthorizer(ACCESS, 30_000, 100, kube).refusals({ user: "static-token", via: "static-token" }, ["team-b", ""])).size).toBe(0);
    expect(reviews).toEqual([]);
  });

  it("answers 503 (retry) when the API server cannot be asked, and caches nothing then", async () => {
    const { kube, reviews, state } = fakeKube(["team-a-am/team-a"]);
    const authorizer = new NamespaceAuthorizer(ACCESS, 30_000, 100, kube);
    state.down = true;
    const error = await authorizer.refusals(teamA, ["team-a"]).catch((e: GatewayError) => e);
    expect(error).toMatchObject({ code: "GW_API_UNAVAILABLE", status: 503 });
    state.down = false;
    expect((await authorizer.refusals(teamA, ["team-a"])).size).toBe(0);
    expect(reviews).toHaveLength(2);
  });
});
