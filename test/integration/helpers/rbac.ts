import { KubeClient } from "../../../src/k8s/kube-client";

export interface Access {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

/** Asks the API server (SubjectAccessReview) whether a local identity may do something. */
export async function canI(admin: KubeClient, identity: string, access: Access): Promise<boolean> {
  const review = await admin.request<{ status: { allowed: boolean } }>({
    method: "POST",
    path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    body: {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { user: identity, groups: [`rr-gateway:${identity}`, "system:authenticated"], resourceAttributes: access },
    },
    what: `SubjectAccessReview for ${identity}`,
  });
  return review.status.allowed;
}
