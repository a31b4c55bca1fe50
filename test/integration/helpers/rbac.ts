import { execFileSync } from "node:child_process";
import { KubeClient } from "../../../src/k8s/kube-client";
import { kubectlBinary } from "./controlplane";

export interface Access {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** Asks the API server (SubjectAccessReview) whether a user with these groups may do something. */
export async function subjectCan(admin: KubeClient, subject: { user: string; groups: string[] }, access: Access): Promise<boolean> {
  const review = await admin.request<{ status: { allowed: boolean } }>({
    method: "POST",
    path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    body: {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { ...subject, resourceAttributes: access },
    },
    what: `SubjectAccessReview for ${subject.user}`,
  });
  return review.status.allowed;
}

/** Whether a local control-plane identity (hack/controlplane.sh) may do something. */
export function canI(admin: KubeClient, identity: string, access: Access): Promise<boolean> {
  return subjectCan(admin, { user: identity, groups: [`rr-gateway:${identity}`, "system:authenticated"] }, access);
}

/** Binds a Role or ClusterRole to one subject in a namespace (RBAC for a test's own senders). */
export async function bindRole(
  admin: KubeClient,
  namespace: string,
  name: string,
  role: { kind: "Role" | "ClusterRole"; name: string },
  subject: { kind: "User"; name: string } | { kind: "ServiceAccount"; name: string; namespace: string },
): Promise<void> {
  await admin.request({
    method: "POST",
    path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`,
    body: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", ...role },
      subjects: [subject.kind === "User" ? { apiGroup: "rbac.authorization.k8s.io", ...subject } : subject],
    },
    what: `create RoleBinding ${namespace}/${name}`,
  });
}

/**
 * A service account allowed to send signals (rr-signal-sender in the
 * namespace), and a maker of its tokens from the TokenRequest API: for an
 * audience (what a projected token holds), or none (valid against the API server).
 */
export async function signalSenderAccount(admin: KubeClient, adminKubeconfig: string, namespace: string, name = "signal-sender"): Promise<(audience?: string) => string> {
  await admin.request({ method: "POST", path: `/api/v1/namespaces/${namespace}/serviceaccounts`, body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } }, what: `create ServiceAccount ${namespace}/${name}` });
  await bindRole(admin, namespace, `${name}-sends-signals`, { kind: "ClusterRole", name: "rr-signal-sender" }, { kind: "ServiceAccount", name, namespace });
  return audience =>
    execFileSync(kubectlBinary(), ["--kubeconfig", adminKubeconfig, "create", "token", name, "-n", namespace, "--duration=1h", ...(audience ? [`--audience=${audience}`] : [])], { encoding: "utf8" }).trim();
}
