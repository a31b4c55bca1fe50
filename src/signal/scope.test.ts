import type { TargetRef } from "./signal";
import { decideScope, managedLabelValue, scopeRejection } from "./scope";

const pod: TargetRef = { kind: "Pod", name: "api-1", namespace: "shop" };
const node: TargetRef = { kind: "Node", name: "worker-1", namespace: "" };

describe("scope: is a signal's target managed by kubernaut?", () => {
  it.each([
    ["the namespace says true", { namespaceLabel: "true" }, true, "namespace-label"],
    ["the namespace says false", { namespaceLabel: "false" }, false, "namespace-label"],
    ["no label anywhere", {}, false, "no-label"],
    ["the resource's true beats the namespace's false", { resourceLabel: "true", namespaceLabel: "false" }, true, "resource-label"],
    ["the resource's false beats the namespace's true", { resourceLabel: "false", namespaceLabel: "true" }, false, "resource-label"],
    ["a resource value other than true/false counts as unset", { resourceLabel: "yes", namespaceLabel: "true" }, true, "namespace-label"],
    ["a namespace value other than true/false counts as unset", { namespaceLabel: "True" }, false, "no-label"],
  ] as const)("a Pod: %s", (_, labels, managed, reason) => {
    expect(decideScope({ target: pod, ...labels })).toEqual({ managed, reason });
  });

  it("a cluster-scoped Node needs its own label: its namespace (none) cannot opt it in", () => {
    expect(decideScope({ target: node, resourceLabel: "true" })).toEqual({ managed: true, reason: "resource-label" });
    expect(decideScope({ target: node })).toEqual({ managed: false, reason: "cluster-scoped-unlabelled" });
    // A Node event carries the namespace the event lives in ("default"): still no fallback.
    expect(decideScope({ target: { ...node, namespace: "default" }, namespaceLabel: "true" })).toEqual({ managed: false, reason: "cluster-scoped-unlabelled" });
  });

  it("a Namespace target is decided by its own label", () => {
    expect(decideScope({ target: { kind: "Namespace", name: "shop", namespace: "shop" }, resourceLabel: "true" }).managed).toBe(true);
    expect(decideScope({ target: { kind: "Namespace", name: "shop", namespace: "shop" }, namespaceLabel: "true" }).managed).toBe(false);
  });

  it("a kind kubernaut does not know: only its namespace counts (a label on it is not read)", () => {
    const pvc: TargetRef = { kind: "PersistentVolumeClaim", name: "data", namespace: "shop" };
    expect(decideScope({ target: pvc, resourceLabel: "false", namespaceLabel: "true" })).toEqual({ managed: true, reason: "namespace-label" });
    expect(decideScope({ target: pvc })).toEqual({ managed: false, reason: "no-label" });
  });

  it("a target without a namespace, or of a cluster-scoped kind kubernaut cannot read, is unmanaged", () => {
    expect(decideScope({ target: { kind: "HorizontalPodAutoscaler", name: "x", namespace: "" }, namespaceLabel: "true" }).managed).toBe(false);
    expect(decideScope({ target: { kind: "ClusterRole", name: "admin", namespace: "" }, resourceLabel: "true" }).managed).toBe(false);
  });

  it("reads only true and false", () => {
    expect([managedLabelValue("true"), managedLabelValue("false"), managedLabelValue(""), managedLabelValue("TRUE"), managedLabelValue(undefined)]).toEqual([true, false, undefined, undefined, undefined]);
  });
});

describe("the rejection kubernaut answers for an unmanaged target", () => {
  it("names the resource as namespace:Kind:name and tells how to opt it in", () => {
    expect(scopeRejection({ kind: "Deployment", name: "payments", namespace: "shop" })).toEqual({
      message: "Signal rejected: resource shop:Deployment:payments is not managed by Kubernaut",
      rejection: {
        status: "rejected",
        reason: "unmanaged_resource",
        message: "Resource shop:Deployment:payments is not in Kubernaut's management scope",
        resource: "shop:Deployment:payments",
        action: "To manage this resource, add the label: kubectl label -n shop deployment payments kubernaut.ai/managed=true",
      },
    });
  });

  it("leaves the namespace out for a cluster-scoped target", () => {
    const { message, rejection } = scopeRejection(node);
    expect(message).toBe("Signal rejected: resource Node:worker-1 is not managed by Kubernaut");
    expect(rejection.resource).toBe("Node:worker-1");
    expect(rejection.action).toBe("To manage this resource, add the label: kubectl label node worker-1 kubernaut.ai/managed=true");
  });
});
