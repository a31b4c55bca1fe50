import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { UnavailableError } from "../k8s/errors";
import type { KubeClient } from "../k8s/kube-client";
import type { TargetRef } from "../signal/signal";
import { CLUSTER_SCOPED_KINDS } from "../signal/scope";
import { describeResource, MAX_DENIAL_CACHE_MS, type Caller, type UserIdentity } from "./auth";
import type { SenderAccess } from "./config";
import { GatewayError } from "./errors";
import { mapConcurrent } from "./map-concurrent";
import { TtlCache } from "./ttl-cache";

/** Reviews of one payload sent at once (a payload can name many namespaces). */
const REVIEWS_IN_FLIGHT_PER_REQUEST = 16;

/** A target namespace the sender may not send signals for ("" is cluster scope), and why, for the answer. */
export interface NamespaceRefusal {
  namespace: string;
  message: string;
}

export interface NamespaceAuthorizerHooks {
  /** Told of every SubjectAccessReview sent (cache hits are not reviews). */
  onReview?: (result: "allowed" | "denied" | "error") => void;
  /** Where to report that the gateway itself may not review access. */
  logger?: Pick<Logger, "error">;
}

/**
 * GATEWAY_AUTH_SCOPE=namespace: whether a sender may send signals for a
 * target's namespace, asked of the API server (SubjectAccessReview of the
 * configured access, in that namespace; a cluster-scoped review for
 * cluster-scoped targets), so Kubernetes RBAC says which team may have which
 * namespaces remediated. One review per distinct namespace of a payload, run
 * concurrently; answers cached per (identity, namespace), denials briefly.
 * Callers without a Kubernetes identity (static tokens) are the operator's own
 * and may send for every namespace (the gateway warns at start).
 */
export class NamespaceAuthorizer {
  private readonly cache: TtlCache<boolean>;

  constructor(
    private readonly access: Omit<SenderAccess, "namespace">,
    private readonly cacheTtlMs: number,
    cacheSize: number,
    private readonly kube: KubeClient,
    private readonly hooks: NamespaceAuthorizerHooks = {},
  ) {
    this.cache = new TtlCache(cacheSize);
  }

  /** Answers cached (bounded by the cache size). */
  get cacheSize(): number {
    return this.cache.size;
  }

  /**
   * The namespaces among `namespaces` the caller may not send for, each with
   * a message naming it. Throws a 503 GatewayError when it cannot tell.
   */
  async refusals(caller: Caller, namespaces: Iterable<string>): Promise<Map<string, NamespaceRefusal>> {
    const refused = new Map<string, NamespaceRefusal>();
    const identity = caller.identity;
    if (!identity) return refused;
    const distinct = [...new Set(namespaces)];
    const allowed = await mapConcurrent(distinct, REVIEWS_IN_FLIGHT_PER_REQUEST, namespace => this.mayIn(identity, namespace));
    distinct.forEach((namespace, i) => allowed[i] || refused.set(namespace, { namespace, message: this.refusalMessage(identity.username, namespace) }));
    return refused;
  }

  private mayIn(identity: UserIdentity, namespace: string): Promise<boolean> {
    const key = `${identityKey(identity)}/${namespace}`;
    return this.cache.getOrLoad(key, async () => {
      const allowed = await this.review(identity, namespace);
      this.cache.set(key, allowed, allowed ? this.cacheTtlMs : Math.min(this.cacheTtlMs, MAX_DENIAL_CACHE_MS));
      return allowed;
    });
  }

  private async review(identity: UserIdentity, namespace: string): Promise<boolean> {
    const { verb, group, resource, name } = this.access;
    try {
      const review = await this.kube.request<{ status?: { allowed?: boolean } }>({
        method: "POST",
        path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: identity.username,
            uid: identity.uid,
            groups: identity.groups,
            extra: identity.extra,
            // No namespace: a cluster-scoped review (the target is cluster-scoped).
            resourceAttributes: { ...(namespace ? { namespace } : {}), verb, group, resource, ...(name ? { name } : {}) },
          },
        },
        what: "SubjectAccessReview",
      });
      const allowed = review.status?.allowed === true;
      this.hooks.onReview?.(allowed ? "allowed" : "denied");
      return allowed;
    } catch (err) {
      this.hooks.onReview?.("error");
      if (err instanceof UnavailableError) throw new GatewayError("GW_API_UNAVAILABLE", "cannot check the sender's access to the signals' namespaces: the Kubernetes API server is unavailable; retry later");
      this.hooks.logger?.error({ err: err instanceof Error ? err.message : String(err) }, "cannot review senders' access per namespace: the API server refused the gateway's own SubjectAccessReview");
      throw new GatewayError("GW_AUTH_UNAVAILABLE", "cannot check the sender's access to the signals' namespaces: the gateway is not allowed to review access (see its log)");
    }
  }

  private refusalMessage(user: string, namespace: string): string {
    const what = `"${this.access.verb}" on ${describeResource({ ...this.access, namespace })}`;
    return namespace
      ? `${user} may not send signals for namespace ${namespace}: needs ${what} in namespace ${namespace} (GATEWAY_AUTH_SCOPE=namespace)`
      : `${user} may not send signals for cluster-scoped targets: needs ${what} cluster-wide (GATEWAY_AUTH_SCOPE=namespace)`;
  }
}

/**
 * The namespace a signal is authorised in: its target's, or "" (cluster
 * scope) for a cluster-scoped kind even when the signal names a namespace (a
 * Node's events live in "default"; an alert may carry its scrape namespace),
 * so being bound in one namespace never reaches a cluster-scoped object.
 */
export function authorizationNamespace(target: TargetRef): string {
  return CLUSTER_SCOPED_KINDS.has(target.kind) ? "" : target.namespace;
}

/** One key per identity (name, uid, groups, extra: all of them weigh in RBAC), never the token. */
function identityKey({ username, uid, groups, extra }: UserIdentity): string {
  const canonical = JSON.stringify([username, uid ?? "", [...(groups ?? [])].sort(), Object.entries(extra ?? {}).sort(([a], [b]) => a.localeCompare(b))]);
  return createHash("sha256").update(canonical).digest("hex");
}
