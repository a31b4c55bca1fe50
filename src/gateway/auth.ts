import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import { UnavailableError } from "../k8s/errors";
import type { KubeClient } from "../k8s/kube-client";
import type { GatewayConfig, SenderAccess } from "./config";
import { GatewayError } from "./errors";
import { TtlCache } from "./ttl-cache";

/** Who a token belongs to, as the TokenReview said: what a later SubjectAccessReview asks about. */
export interface UserIdentity {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface Caller {
  user: string;
  via: "static-token" | "kubernetes" | "none";
  /** The Kubernetes identity (via "kubernetes" only): per-namespace authorisation asks about it. */
  identity?: UserIdentity;
}

export interface Authenticator {
  /** Resolves the caller, or throws a GatewayError (401, 403, 503). */
  authenticate(authorization: string | undefined): Promise<Caller>;
}

const digest = (token: string): Buffer => createHash("sha256").update(token).digest();

/** Reads static tokens, one per line (blank lines and # comments ignored). */
export function readStaticTokens(file: string): Buffer[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .map(line => line.trim())
    .filter(line => line && !line.startsWith("#"))
    .map(digest);
}

function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) {
    throw new GatewayError("GW_UNAUTHENTICATED", authorization ? "the Authorization header must be \"Bearer <token>\"" : "missing Authorization: Bearer <token>");
  }
  return match[1];
}

type AuthResult = "allowed" | "denied" | "unauthenticated" | "error";

export interface AuthenticatorHooks {
  /** Told of every review sent to the API server (cache hits and static tokens are not reviews). */
  onReview?: (result: AuthResult) => void;
  /** Where to report that the gateway itself may not review tokens (never given a token). */
  logger?: Pick<Logger, "error">;
}

/** A review's answer: the caller, or the refusal (cached too, briefly). */
interface Reviewed {
  caller?: Caller;
  error?: GatewayError;
}

/** Denials are cached this long at most, so a sender fixed by an RBAC change gets in soon. */
export const MAX_DENIAL_CACHE_MS = 5_000;

/**
 * Bearer-token authentication: static tokens (compared in constant time) and,
 * in "kubernetes" mode, the API server's TokenReview followed by a
 * SubjectAccessReview, so cluster RBAC decides who may send signals (with
 * GATEWAY_AUTH_SCOPE=namespace the SubjectAccessReview is left to
 * NamespaceAuthorizer, per target namespace, after parsing). Results
 * are cached briefly (bounded, short TTL), and concurrent requests with one
 * token share one review, so a storm is not a TokenReview storm. Tokens are
 * never logged; the cache is keyed by their SHA-256.
 */
export class BearerAuthenticator implements Authenticator {
  /** Review answers by token hash; concurrent requests with one token wait for the same review. */
  private readonly cache: TtlCache<Reviewed>;

  constructor(
    private readonly config: GatewayConfig["auth"],
    private readonly staticTokens: Buffer[],
    private readonly kube?: KubeClient,
    private readonly hooks: AuthenticatorHooks = {},
  ) {
    this.cache = new TtlCache(config.cacheSize);
  }

  async authenticate(authorization: string | undefined): Promise<Caller> {
    const token = bearerToken(authorization);
    const hash = digest(token);
    if (matchesAny(this.staticTokens, hash)) return { user: "static-token", via: "static-token" };
    if (this.config.mode !== "kubernetes" || !this.kube) throw new GatewayError("GW_UNAUTHENTICATED", "the bearer token is not valid");

    const key = hash.toString("hex");
    const reviewed = await this.cache.getOrLoad(key, () => this.reviewAndRemember(key, token));
    if (reviewed.error) throw reviewed.error;
    return reviewed.caller!;
  }

  /** Entries in the result cache (bounded by cacheSize). */
  get cacheSize(): number {
    return this.cache.size;
  }

  /** Reviews the token; a refusal is returned (and cached briefly), a failure to review is thrown (never cached). */
  private async reviewAndRemember(key: string, token: string): Promise<Reviewed> {
    try {
      const caller = await this.review(token);
      this.hooks.onReview?.("allowed");
      this.cache.set(key, { caller }, this.config.cacheTtlMs);
      return { caller };
    } catch (err) {
      const denied = err instanceof GatewayError && !err.retryable;
      this.hooks.onReview?.(!denied ? "error" : (err as GatewayError).code === "GW_FORBIDDEN" ? "denied" : "unauthenticated");
      if (!denied) throw err;
      this.cache.set(key, { error: err as GatewayError }, Math.min(this.config.cacheTtlMs, MAX_DENIAL_CACHE_MS));
      return { error: err as GatewayError };
    }
  }

  private async review(token: string): Promise<Caller> {
    try {
      const identity = await this.reviewToken(token);
      // Per-namespace mode: who the caller is is all; what they may send is asked per target namespace later.
      if (this.config.scope === "gateway") await this.reviewAccess(identity);
      return { user: identity.username, via: "kubernetes", identity };
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      if (err instanceof UnavailableError) throw new GatewayError("GW_API_UNAVAILABLE", "cannot check the token: the Kubernetes API server is unavailable");
      // The API server refused the gateway itself (its RBAC lacks tokenreviews or subjectaccessreviews create):
      // an operator must fix it; the sender retries meanwhile.
      this.hooks.logger?.error({ err: err instanceof Error ? err.message : String(err) }, "cannot review bearer tokens: the API server refused the gateway's own TokenReview or SubjectAccessReview");
      throw new GatewayError("GW_AUTH_UNAVAILABLE", "cannot check the token: the gateway is not allowed to review tokens (see its log)");
    }
  }

  /** TokenReview: who holds the token, or 401. */
  private async reviewToken(token: string): Promise<UserIdentity> {
    const tokenReview = await this.kube!.request<{ status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } } }>({
      method: "POST",
      path: "/apis/authentication.k8s.io/v1/tokenreviews",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, ...(this.config.audiences.length > 0 ? { audiences: this.config.audiences } : {}) } },
      what: "TokenReview",
    });
    const user = tokenReview.status?.user;
    if (!tokenReview.status?.authenticated || !user?.username) {
      const audiences = this.config.audiences.length > 0 ? ` for the audience ${this.config.audiences.join(" or ")}` : "";
      throw new GatewayError("GW_UNAUTHENTICATED", `the bearer token is not valid${audiences}`);
    }
    return { username: user.username, uid: user.uid, groups: user.groups, extra: user.extra };
  }

  /** SubjectAccessReview of the configured access in its one namespace (GATEWAY_AUTH_SCOPE=gateway), or 403. */
  private async reviewAccess(identity: UserIdentity): Promise<void> {
    const { verb, group, resource, name, namespace } = this.config.access;
    const access = await this.kube!.request<{ status?: { allowed?: boolean; reason?: string } }>({
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      body: {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { user: identity.username, uid: identity.uid, groups: identity.groups, extra: identity.extra, resourceAttributes: { namespace, verb, group, resource, name } },
      },
      what: "SubjectAccessReview",
    });
    if (!access.status?.allowed) {
      throw new GatewayError("GW_FORBIDDEN", `${identity.username} may not send signals: needs "${verb}" on ${describeResource(this.config.access)} in namespace ${namespace}`);
    }
  }
}

/** Compares the hash with every known one in constant time, without stopping at a match. */
function matchesAny(known: readonly Buffer[], hash: Buffer): boolean {
  let found = false;
  for (const candidate of known) found = timingSafeEqual(candidate, hash) || found;
  return found;
}

/** Auth disabled by GATEWAY_AUTH=none: everyone is let in (the gateway warns at start). */
export const NO_AUTH: Authenticator = { authenticate: async () => ({ user: "anonymous", via: "none" }) };

/** "services/gateway-service", "signals.kubernaut.ai": how RBAC rules name a resource. */
export function describeResource({ group, resource, name }: SenderAccess): string {
  return `${group ? `${resource}.${group}` : resource}${name ? `/${name}` : ""}`;
}
