import { ConfigurationError } from "../model/process-error";
import { DEFAULT_SIGNAL_LIMITS, MAX_CLUSTER_ID_LENGTH, SignalLimits } from "../signal/limits";
import { FINGERPRINT_STRATEGIES, FingerprintStrategy } from "../dedup/fingerprint";
import { LOG_LEVELS } from "../log/logger";
import type { FreshnessWindow } from "../signal/freshness";
import type { ChainSafety } from "../dedup/chain-safety";
import { SCOPE_MODES, type ScopeMode } from "../signal/scope";
import { EVENT_SOURCE_ENV, loadEventSourceConfig, type EventSourceConfig } from "../events/config";

export type AuthMode = "kubernetes" | "static" | "none";
/** Where a sender's permission is checked: once for the gateway, or per signal target's namespace. */
export const AUTH_SCOPES = ["gateway", "namespace"] as const;
export type AuthScope = (typeof AUTH_SCOPES)[number];

export interface GatewayConfig {
  host: string;
  port: number;
  /** Namespace the gateway creates and watches RemediationRequests in. */
  namespace: string;
  /** kubeconfig file; empty means $KUBECONFIG, ~/.kube/config, or in-cluster. */
  kubeconfig?: string;
  fingerprintStrategy: FingerprintStrategy;
  /** spec.clusterID of the RRs whose signal has no `cluster` label; "" leaves it out. */
  clusterId: string;
  /** Alert names answered "ignored" (200) and never recorded: always-firing alerts such as Watchdog. */
  ignoredAlerts: string[];
  /** Which signals are in scope: kubernaut's kubernaut.ai/managed label rule, or all (src/signal/scope.ts). */
  scope: ScopeMode;
  maxBodyBytes: number;
  /** Request bodies held at once, all requests together (503 above). */
  maxBufferedBytes: number;
  maxJsonDepth: number;
  maxInFlight: number;
  limits: SignalLimits;
  stormThreshold: number;
  stormWindowMs: number;
  /** Least time between two storm status writes of one RR. */
  stormRefreshMs: number;
  /** Pause before a contended problem's next count write (src/gateway/group-commit.ts). */
  groupCommitLingerMs: number;
  /** Replay protection (src/signal/freshness.ts); undefined when off. */
  freshness?: FreshnessWindow;
  /** Seconds a client is told to wait (Retry-After) on a 503. */
  retryAfterSeconds: number;
  /** Bounded retries of a conflicting status apply. */
  maxApplyAttempts: number;
  /** How long a failed delivery's recorded alerts are remembered, so a redelivery does not count them twice. */
  redeliveryMemoryMs: number;
  shutdownGraceMs: number;
  /** On SIGTERM, how long /readyz reports 503 while signals are still accepted, before they are refused. */
  shutdownDelayMs: number;
  /** How long a request waits for the API server to say whether a count write that got no answer landed. */
  unsureWriteWaitMs: number;
  /** A create is decided on the cache alone while it holds every RR change up to this long ago (src/gateway/cache-freshness.ts). */
  cacheFreshnessMs: number;
  /** The deletion rules the admission webhook enforces, and the gateway relies on (src/dedup/chain-safety.ts). */
  chainSafety: ChainSafety;
  /** TEST ONLY (GATEWAY_TEST_CACHE_LAG_MS): how late watch events reach the RR cache; 0 in production. */
  testCacheLagMs: number;
  auth: {
    mode: AuthMode;
    /** File with one static token per line (mode "static", or alongside "kubernetes"). */
    staticTokensFile?: string;
    /** The SubjectAccessReview a sender must pass (mode "kubernetes"). */
    access: SenderAccess;
    /** gateway: access is checked once, in access.namespace; namespace: in each signal target's namespace. */
    scope: AuthScope;
    /** Audiences the TokenReview requires of a token (empty: the API server's own). */
    audiences: string[];
    cacheTtlMs: number;
    cacheSize: number;
  };
  tls?: { certFile: string; keyFile: string; clientCaFile?: string };
  logLevel: string;
  /** The built-in Warning-event source (src/events, docs/events.md). */
  eventSource: EventSourceConfig;
}

/** What a sender must be allowed to do (a SubjectAccessReview's resourceAttributes). */
export interface SenderAccess {
  verb: string;
  /** "" is the core API group. */
  group: string;
  resource: string;
  /** A resource name, when the permission is for one object (kubernaut: the gateway's Service). */
  name?: string;
  namespace: string;
}

/**
 * Ready-made sender permissions. rr-gateway: `create` on the virtual resource
 * signals.kubernaut.ai (docs/deploy.md); kubernaut: what kubernaut's gateway
 * checks (`create` on the Service gateway-service, core group), so a kubernaut
 * install's sender RBAC works unchanged.
 */
export const AUTH_PRESETS = {
  "rr-gateway": { verb: "create", group: "kubernaut.ai", resource: "signals", name: "" },
  kubernaut: { verb: "create", group: "", resource: "services", name: "gateway-service" },
} as const;
export type AuthPreset = keyof typeof AUTH_PRESETS;

/** Every problem found in the gateway's configuration (code GW_INVALID_CONFIG), so one start shows them all. */
export class ConfigError extends ConfigurationError {
  constructor(problems: string[]) {
    super("GW_INVALID_CONFIG", problems);
  }
}

/** Environment variables, their defaults and meaning: the configuration reference (README). */
export const GATEWAY_ENV = {
  GATEWAY_HOST: ["0.0.0.0", "address to listen on"],
  GATEWAY_PORT: ["8080", "port to listen on"],
  GATEWAY_NAMESPACE: ["kubernaut-system", "namespace for RemediationRequests"],
  KUBECONFIG: ["", "kubeconfig file (default: ~/.kube/config, else in-cluster)"],
  GATEWAY_FINGERPRINT_STRATEGY: ["resource", "resource (alertname:namespace:kind:name; a target that names no resource adds the alert's labels), owner (top-level owner of the target), or kubernaut (kubernaut's own formula: [cluster:]namespace:kind:name of the top-level owner)"],
  GATEWAY_IGNORED_ALERTS: ["", "comma-separated alert names answered `ignored` (200, counted in rr_gateway_signals_ignored_total) and never recorded, e.g. Watchdog,InfoInhibitor (always-firing alerts)"],
  GATEWAY_CLUSTER_ID: ["", "spec.clusterID of RRs whose signal carries no `cluster` label (kubernaut reads that label); empty: left out"],
  GATEWAY_SCOPE: [
    "all",
    "managed-label: only signals whose target resource, else its namespace, carries kubernaut.ai/managed=true pass, as kubernaut filters (the others are answered 200 with kubernaut's rejection and create nothing; docs/operations.md#scope); all: every signal passes. The deployed install (package.json pepr.env) and npm run dev set managed-label",
  ],
  GATEWAY_MAX_BODY_BYTES: ["33554432", "largest request body accepted (413 above): 32 MiB, an Alertmanager group of about 30,000 alerts; keep groups below it with group_by"],
  GATEWAY_MAX_BUFFERED_BYTES: ["67108864", "request bodies held at once, all requests together: 64 MiB (a request that would go over it gets 503 with Retry-After, which Alertmanager retries)"],
  GATEWAY_MAX_JSON_DEPTH: ["32", "deepest JSON nesting accepted"],
  GATEWAY_MAX_IN_FLIGHT: ["100", "signal requests handled at once (503 above)"],
  GATEWAY_MAX_ALERTS: [String(DEFAULT_SIGNAL_LIMITS.maxAlerts), "alerts per Alertmanager payload (413 above); the receiver's max_alerts: 0 sends whole groups, keep them below it with group_by"],
  GATEWAY_MAX_LABELS: [String(DEFAULT_SIGNAL_LIMITS.maxLabels), "labels (and annotations) per signal"],
  GATEWAY_STORM_THRESHOLD: ["5", "occurrences within the storm window that make a storm"],
  GATEWAY_STORM_WINDOW_SECONDS: ["60", "storm detection window"],
  GATEWAY_GROUP_COMMIT_LINGER_MS: ["60", "after a count write of a problem with several signals in flight, wait this long for more before the next write, so they share it (fewer API writes under a storm, at most this much latency for those signals; a problem signalled one at a time never waits). 0: no wait"],
  GATEWAY_STORM_REFRESH_SECONDS: ["5", "least time between two storm status writes of one RR (each write moves its resourceVersion, so in-flight counts retry)"],
  GATEWAY_REPLAY_PROTECTION: ["on", "on: refuse (400) requests whose X-Timestamp, Alertmanager startsAt or event timestamp is outside the window below, as kubernaut does; off: accept them"],
  GATEWAY_REPLAY_MAX_AGE_SECONDS: ["300", "how old an X-Timestamp or an event may be"],
  GATEWAY_REPLAY_MAX_AHEAD_SECONDS: ["120", "how far ahead of the gateway's clock a timestamp may be (clock skew)"],
  GATEWAY_RETRY_AFTER_SECONDS: ["5", "Retry-After sent with 503 responses"],
  GATEWAY_MAX_APPLY_ATTEMPTS: ["12", "attempts of a conflicting status write before answering 503"],
  GATEWAY_REDELIVERY_MEMORY_SECONDS: ["600", "how long alerts recorded in a failed delivery are remembered"],
  GATEWAY_SHUTDOWN_GRACE_SECONDS: ["20", "time to drain in-flight requests on SIGTERM"],
  GATEWAY_UNSURE_WRITE_WAIT_SECONDS: ["30", "when a count write gets no answer (API server died mid-request), how long to wait for it to come back and tell whether the write landed, before answering 503"],
  GATEWAY_SHUTDOWN_DELAY_SECONDS: ["0", "on SIGTERM, /readyz turns 503 at once but signals are still accepted this long (for load balancers to notice) before new ones get 503"],
  GATEWAY_AUTH: ["kubernetes", "kubernetes (TokenReview + SubjectAccessReview), static (tokens file only), or none"],
  GATEWAY_STATIC_TOKENS_FILE: ["", "file of static bearer tokens, one per line"],
  GATEWAY_AUTH_PRESET: ["rr-gateway", "sender permission preset: rr-gateway (create signals.kubernaut.ai) or kubernaut (create the Service gateway-service, as kubernaut's gateway checks); the GATEWAY_AUTH_VERB ... _NAMESPACE settings override single attributes"],
  GATEWAY_AUTH_VERB: ["", "SubjectAccessReview verb a sender needs (default: the preset's)"],
  GATEWAY_AUTH_GROUP: ["", "SubjectAccessReview API group (default: the preset's; \"core\" for the core group)"],
  GATEWAY_AUTH_RESOURCE: ["", "SubjectAccessReview resource (default: the preset's)"],
  GATEWAY_AUTH_RESOURCE_NAME: ["", "SubjectAccessReview resource name (default: the preset's; \"-\" for none)"],
  GATEWAY_AUTH_NAMESPACE: ["", "SubjectAccessReview namespace (default: GATEWAY_NAMESPACE)"],
  GATEWAY_AUTH_SCOPE: [
    "gateway",
    "where a sender's permission (the SubjectAccessReview above) is checked: gateway, once in GATEWAY_AUTH_NAMESPACE (any authorised sender may send signals for every namespace); namespace, per signal in its target's namespace (cluster-scoped targets: a cluster-scoped review), so a team's Alertmanager bound in its own namespaces cannot open RemediationRequests for another team's; refused signals get a per-alert 403 rejection naming the namespace (docs/operations.md#tenant-scoped-senders). Needs GATEWAY_AUTH=kubernetes; static tokens stay allowed everywhere",
  ],
  GATEWAY_AUTH_AUDIENCES: ["", "comma-separated audiences a bearer token must be issued for (TokenReview spec.audiences), e.g. rr-gateway: a projected service-account token for that audience, not one valid against the API server; empty: the API server's audiences"],
  GATEWAY_AUTH_CACHE_SECONDS: ["30", "how long an authentication result is cached"],
  GATEWAY_TLS_CERT_FILE: ["", "serve HTTPS with this certificate (and GATEWAY_TLS_KEY_FILE)"],
  GATEWAY_TLS_KEY_FILE: ["", "private key for GATEWAY_TLS_CERT_FILE"],
  GATEWAY_TLS_CLIENT_CA_FILE: ["", "require client certificates signed by this CA"],
  GATEWAY_CACHE_FRESHNESS_MS: ["2000", "a new RR is created on the RR cache's word alone while the cache is known to hold every change up to this long ago (learnt from the watch delivering the gateway's own writes); otherwise the problem's RRs are listed first. 0: always list. Must stay under a quarter of GATEWAY_RR_MIN_AGE_SECONDS (docs/exactly-once.md)"],
  GATEWAY_RR_MIN_AGE_SECONDS: ["3600", "the admission webhook refuses to delete a RemediationRequest younger than this (kubernaut's retention deletes them 24h after they end), and the gateway claims a predecessor at least half this old before creating its successor (docs/exactly-once.md). Set the same value wherever the gateway and the webhook run (both read it in the admission pods)"],
  GATEWAY_SUCCESSOR_CLAIM_HOLD_SECONDS: ["300", "how long the admission webhook refuses to delete an RR after the gateway claimed it to create its successor (kubernaut.ai/successor-claimed-at)"],
  ...EVENT_SOURCE_ENV,
  LOG_LEVEL: ["info", "pino log level (fatal, error, warn, info, debug, trace, silent); debug adds an access log, one line per request (docs/operations.md#logs)"],
  GATEWAY_TEST_CACHE_LAG_MS: ["0", "TEST ONLY, never set in production: hand every RR watch event to the cache this many ms late, to simulate a lagging watch (exactly-once tests)"],
} as const satisfies Record<string, readonly [string, string]>;

type Env = Record<string, string | undefined>;

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const problems: string[] = [];
  const get = (name: keyof typeof GATEWAY_ENV): string => env[name] ?? GATEWAY_ENV[name][0];
  const int = (name: keyof typeof GATEWAY_ENV, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = get(name);
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be a whole number from ${min} to ${max}`);
      return min;
    }
    return value;
  };
  const oneOf = <T extends string>(name: keyof typeof GATEWAY_ENV, allowed: readonly T[]): T => {
    const raw = get(name);
    if (!allowed.includes(raw as T)) problems.push(`${name}=${JSON.stringify(raw)}: must be one of ${allowed.join(", ")}`);
    return raw as T;
  };
  const namespace = get("GATEWAY_NAMESPACE");
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) problems.push(`GATEWAY_NAMESPACE=${JSON.stringify(namespace)}: not a valid namespace name`);

  const maxLabels = int("GATEWAY_MAX_LABELS", 1, 64);
  const config: GatewayConfig = {
    host: get("GATEWAY_HOST"),
    port: int("GATEWAY_PORT", 0, 65535),
    namespace,
    kubeconfig: get("KUBECONFIG") || undefined,
    fingerprintStrategy: oneOf("GATEWAY_FINGERPRINT_STRATEGY", FINGERPRINT_STRATEGIES),
    clusterId: get("GATEWAY_CLUSTER_ID"),
    ignoredAlerts: list(get("GATEWAY_IGNORED_ALERTS")),
    scope: oneOf("GATEWAY_SCOPE", SCOPE_MODES),
    maxBodyBytes: int("GATEWAY_MAX_BODY_BYTES", 1024),
    maxBufferedBytes: int("GATEWAY_MAX_BUFFERED_BYTES", 1024),
    maxJsonDepth: int("GATEWAY_MAX_JSON_DEPTH", 4, 1000),
    maxInFlight: int("GATEWAY_MAX_IN_FLIGHT", 1),
    limits: { ...DEFAULT_SIGNAL_LIMITS, maxAlerts: int("GATEWAY_MAX_ALERTS", 1, 1_000_000), maxLabels, maxAnnotations: maxLabels },
    stormThreshold: int("GATEWAY_STORM_THRESHOLD", 2),
    stormWindowMs: int("GATEWAY_STORM_WINDOW_SECONDS", 1) * 1000,
    stormRefreshMs: int("GATEWAY_STORM_REFRESH_SECONDS", 1, 3600) * 1000,
    groupCommitLingerMs: int("GATEWAY_GROUP_COMMIT_LINGER_MS", 0, 1000),
    freshness: replayWindow(oneOf("GATEWAY_REPLAY_PROTECTION", ["on", "off"] as const), () => ({
      maxAgeMs: int("GATEWAY_REPLAY_MAX_AGE_SECONDS", 1, 86_400) * 1000,
      maxAheadMs: int("GATEWAY_REPLAY_MAX_AHEAD_SECONDS", 0, 86_400) * 1000,
    })),
    retryAfterSeconds: int("GATEWAY_RETRY_AFTER_SECONDS", 1, 3600),
    maxApplyAttempts: int("GATEWAY_MAX_APPLY_ATTEMPTS", 1, 100),
    redeliveryMemoryMs: int("GATEWAY_REDELIVERY_MEMORY_SECONDS", 0) * 1000,
    shutdownGraceMs: int("GATEWAY_SHUTDOWN_GRACE_SECONDS", 0, 3600) * 1000,
    shutdownDelayMs: int("GATEWAY_SHUTDOWN_DELAY_SECONDS", 0, 3600) * 1000,
    unsureWriteWaitMs: int("GATEWAY_UNSURE_WRITE_WAIT_SECONDS", 0, 3600) * 1000,
    cacheFreshnessMs: int("GATEWAY_CACHE_FRESHNESS_MS", 0, 60_000),
    chainSafety: {
      minAgeMs: int("GATEWAY_RR_MIN_AGE_SECONDS", 2, 30 * 86_400) * 1000,
      claimHoldMs: int("GATEWAY_SUCCESSOR_CLAIM_HOLD_SECONDS", 1, 86_400) * 1000,
    },
    testCacheLagMs: int("GATEWAY_TEST_CACHE_LAG_MS", 0, 3_600_000),
    auth: {
      mode: oneOf("GATEWAY_AUTH", ["kubernetes", "static", "none"] as const),
      staticTokensFile: get("GATEWAY_STATIC_TOKENS_FILE") || undefined,
      audiences: list(get("GATEWAY_AUTH_AUDIENCES")),
      access: senderAccess(oneOf("GATEWAY_AUTH_PRESET", Object.keys(AUTH_PRESETS) as AuthPreset[]), get, namespace),
      scope: oneOf("GATEWAY_AUTH_SCOPE", AUTH_SCOPES),
      cacheTtlMs: int("GATEWAY_AUTH_CACHE_SECONDS", 0, 3600) * 1000,
      cacheSize: 10_000,
    },
    logLevel: oneOf("LOG_LEVEL", LOG_LEVELS),
    eventSource: loadEventSourceConfig(env, problems),
  };
  problems.push(...crossChecks(config));
  config.tls = tlsFiles(get, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Replay protection's window, or undefined when it is off. */
function replayWindow(mode: "on" | "off", window: () => FreshnessWindow): FreshnessWindow | undefined {
  return mode === "on" ? window() : undefined;
}

/** Problems between settings that are each valid alone. */
function crossChecks(config: GatewayConfig): string[] {
  const problems: string[] = [];
  if (config.maxBufferedBytes < config.maxBodyBytes) problems.push(`GATEWAY_MAX_BUFFERED_BYTES (${config.maxBufferedBytes}) is below GATEWAY_MAX_BODY_BYTES (${config.maxBodyBytes}): a body of the largest size could never be held`);
  if (config.clusterId.length > MAX_CLUSTER_ID_LENGTH) problems.push(`GATEWAY_CLUSTER_ID: ${config.clusterId.length} characters, more than the ${MAX_CLUSTER_ID_LENGTH} spec.clusterID holds`);
  if (config.auth.access.verb === "" || config.auth.access.resource === "") problems.push("GATEWAY_AUTH_VERB and GATEWAY_AUTH_RESOURCE must not be empty");
  // The proof of creating without a read needs the cache's staleness well inside the half of the minimum age left after a claim-free create.
  if (config.cacheFreshnessMs * 4 > config.chainSafety.minAgeMs) problems.push(`GATEWAY_CACHE_FRESHNESS_MS (${config.cacheFreshnessMs}) must stay under a quarter of GATEWAY_RR_MIN_AGE_SECONDS (${config.chainSafety.minAgeMs / 1000} s)`);
  if (config.auth.mode === "static" && !config.auth.staticTokensFile) problems.push("GATEWAY_AUTH=static needs GATEWAY_STATIC_TOKENS_FILE");
  // Without Kubernetes identities there is nobody to ask about per namespace: refuse rather than silently allow all.
  if (config.auth.scope === "namespace" && config.auth.mode !== "kubernetes") problems.push(`GATEWAY_AUTH_SCOPE=namespace needs GATEWAY_AUTH=kubernetes (senders with a Kubernetes identity), not ${config.auth.mode}`);
  return problems;
}

/** The TLS files, if set (certificate and key together; a client CA only with them). */
function tlsFiles(get: (name: keyof typeof GATEWAY_ENV) => string, problems: string[]): GatewayConfig["tls"] {
  const cert = get("GATEWAY_TLS_CERT_FILE");
  const key = get("GATEWAY_TLS_KEY_FILE");
  const clientCaFile = get("GATEWAY_TLS_CLIENT_CA_FILE") || undefined;
  if (Boolean(cert) !== Boolean(key)) problems.push("GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE go together: set both or neither");
  if (cert && key) return { certFile: cert, keyFile: key, clientCaFile };
  if (clientCaFile) problems.push("GATEWAY_TLS_CLIENT_CA_FILE needs GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE: client certificates need TLS");
  return undefined;
}

/** The preset's sender permission, with each attribute the environment sets instead. */
function senderAccess(preset: AuthPreset, get: (name: keyof typeof GATEWAY_ENV) => string, gatewayNamespace: string): SenderAccess {
  const base = AUTH_PRESETS[preset] ?? AUTH_PRESETS["rr-gateway"];
  const group = get("GATEWAY_AUTH_GROUP");
  const name = get("GATEWAY_AUTH_RESOURCE_NAME") || base.name;
  return {
    verb: get("GATEWAY_AUTH_VERB") || base.verb,
    group: group === "core" ? "" : group || base.group,
    resource: get("GATEWAY_AUTH_RESOURCE") || base.resource,
    ...(name && name !== "-" ? { name } : {}),
    namespace: get("GATEWAY_AUTH_NAMESPACE") || gatewayNamespace,
  };
}

/** "a, b,,c" → ["a", "b", "c"]. */
function list(text: string): string[] {
  return text
    .split(",")
    .map(item => item.trim())
    .filter(Boolean);
}
