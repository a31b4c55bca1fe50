import { KubeConfig } from "@kubernetes/client-node";
import type { RequestOptions } from "node:https";
import type { Dispatcher } from "undici";
import { createAgent } from "./undici-agent";
import { errorFromResponse, UnavailableError } from "./errors";

export interface KubeRequest {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  /** Says what the request was for, in error messages ("create RemediationRequest ns/name"). */
  what: string;
  /** Abort after this many ms (default: the client's requestTimeoutMs). */
  timeoutMs?: number;
}

export interface KubeClientOptions {
  /** Most connections kept open to the API server. */
  connections?: number;
  requestTimeoutMs?: number;
  /** How often credentials are re-read (rotated service-account tokens, exec plugins). */
  credentialRefreshMs?: number;
}

/** Loads a KubeConfig the usual way: an explicit file, else $KUBECONFIG / ~/.kube/config / in-cluster. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) {
    throw new Error(`no current cluster in the kubeconfig${file ? ` ${file}` : ""}: set KUBECONFIG or the current-context`);
  }
  return kc;
}

/**
 * A small JSON client for the Kubernetes API on undici: one keep-alive
 * connection pool, credentials from client-node's KubeConfig, and typed errors
 * (src/k8s/errors.ts) for every failure. It exists because our writers need
 * their own field managers and the apply-patch content type on the status
 * subresource, which kubernetes-fluent-client does not offer.
 */
export class KubeClient {
  private authorization: string | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly kubeConfig: KubeConfig,
    readonly server: string,
    private readonly dispatcher: Dispatcher,
    private readonly requestTimeoutMs: number,
  ) {}

  static async create(kubeConfig: KubeConfig, options: KubeClientOptions = {}): Promise<KubeClient> {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    const tls: RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(tls);
    const agent = createAgent({
      connections: options.connections ?? 64,
      keepAliveTimeout: 30_000,
      connect: {
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: !cluster.skipTLSVerify,
        timeout: 5_000,
      },
    });
    const client = new KubeClient(kubeConfig, cluster.server.replace(/\/$/, ""), agent, options.requestTimeoutMs ?? 15_000);
    client.authorization = authorizationOf(tls);
    client.refreshTimer = setInterval(() => void client.refreshCredentials(), options.credentialRefreshMs ?? 60_000);
    client.refreshTimer.unref();
    return client;
  }

  private async refreshCredentials(): Promise<void> {
    const tls: RequestOptions = {};
    try {
      await this.kubeConfig.applyToHTTPSOptions(tls);
      this.authorization = authorizationOf(tls);
    } catch {
      // Keep the previous credentials; the next request's 401 says what is wrong.
    }
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const url = new URL(this.server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.authorization) headers.authorization = this.authorization;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers["content-type"] = req.contentType ?? "application/json";
    }
    let statusCode: number;
    let text: string;
    // Not AbortSignal.timeout(): its timer cannot be cancelled, so it fires after
    // every request, finished or not, and builds a DOMException (a stack trace)
    // each time; under a duplicate storm that was 4% of the gateway's CPU.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")), req.timeoutMs ?? this.requestTimeoutMs);
    timer.unref();
    try {
      const res = await this.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: req.method,
        headers,
        body,
        signal: timeout.signal,
      });
      statusCode = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const unavailable = new UnavailableError(`${req.what}: the API server at ${this.server} could not be reached (${describe(err)})`, 0);
      unavailable.mayHaveApplied = !NEVER_SENT.has(describe(err));
      throw unavailable;
    } finally {
      clearTimeout(timer);
    }
    const parsed = parseJson(text);
    if (statusCode >= 200 && statusCode < 300) return parsed as T;
    throw errorFromResponse(statusCode, parsed, req.what);
  }

  async close(): Promise<void> {
    clearInterval(this.refreshTimer);
    await this.dispatcher.close();
  }
}

function authorizationOf(tls: RequestOptions): string | undefined {
  const headers = (tls.headers ?? {}) as Record<string, unknown>;
  const value = headers.Authorization ?? headers.authorization;
  if (typeof value === "string") return value;
  if (tls.auth) return `Basic ${Buffer.from(tls.auth).toString("base64")}`;
  return undefined;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Errors raised before a request could reach the API server: nothing it asked for happened. */
const NEVER_SENT = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * The error's code (ECONNREFUSED, UND_ERR_SOCKET, ...) or name and message.
 * Duck-typed: errors raised by Node itself come from another realm under
 * jest's VM, where instanceof Error fails.
 */
function describe(err: unknown): string {
  const e = typeof err === "object" && err !== null ? (err as { code?: unknown; name?: unknown; message?: unknown }) : undefined;
  if (typeof e?.code === "string") return e.code;
  if (typeof e?.name === "string") return `${e.name}: ${String(e.message)}`;
  return String(err);
}
