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
  /** The Accept header (default application/json), e.g. for metadata-only lists. */
  accept?: string;
  /** Ends the request when aborted (a watch loop that stops): it then throws an UnavailableError ("stopped"). */
  stop?: AbortSignal;
}

/** A watch (or any streaming GET): ends when the server closes the stream, or at once when stop is aborted. */
export interface KubeStreamRequest extends Omit<KubeRequest, "method" | "body" | "contentType" | "timeoutMs"> {
  /** Give up when nothing arrives for this long (a watch's timeoutSeconds plus a margin). */
  idleTimeoutMs: number;
}

export interface KubeClientOptions {
  /** Most connections kept open to the API server. */
  connections?: number;
  requestTimeoutMs?: number;
  /** How often credentials are re-read (rotated service-account tokens, exec plugins). */
  credentialRefreshMs?: number;
  /** Told of every request sent (a metric: what the API server is asked, and that a signal asks nothing it need not). */
  onRequest?: (method: KubeRequest["method"]) => void;
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
  private refreshTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly kubeConfig: KubeConfig,
    readonly server: string,
    private readonly dispatcher: Dispatcher,
    private readonly requestTimeoutMs: number,
    private readonly onRequest: (method: KubeRequest["method"]) => void = () => {},
    /** Shared with every view of this client (withRequestListener), refreshed by the owner. */
    private readonly credentials: { authorization?: string } = {},
    /** False for a view: closing it leaves the connections to their owner. */
    private readonly ownsConnections = true,
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
    const client = new KubeClient(kubeConfig, cluster.server.replace(/\/$/, ""), agent, options.requestTimeoutMs ?? 15_000, options.onRequest);
    client.credentials.authorization = authorizationOf(tls);
    client.refreshTimer = setInterval(() => void client.refreshCredentials(), options.credentialRefreshMs ?? 60_000);
    client.refreshTimer.unref();
    return client;
  }

  private async refreshCredentials(): Promise<void> {
    const tls: RequestOptions = {};
    try {
      await this.kubeConfig.applyToHTTPSOptions(tls);
      this.credentials.authorization = authorizationOf(tls);
    } catch {
      // Keep the previous credentials; the next request's 401 says what is wrong.
    }
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const url = this.urlOf(req);
    const headers = this.headersOf(req);
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
    this.onRequest(req.method);
    try {
      const res = await this.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: req.method,
        headers,
        body,
        signal: req.stop ? AbortSignal.any([timeout.signal, req.stop]) : timeout.signal,
      });
      statusCode = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      if (req.stop?.aborted) throw new UnavailableError(`${req.what}: stopped before the API server answered`, 0);
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

  /**
   * A streaming GET, for watches: hands each line of the answer (one watch
   * event) to onLine as it arrives. Resolves when the server ends the stream
   * or stop is aborted; an error answer throws its typed error (410 Gone, 403),
   * a broken connection an UnavailableError.
   */
  async stream(req: KubeStreamRequest, onLine: (line: string) => void): Promise<void> {
    const url = this.urlOf(req);
    this.onRequest("GET");
    let res: Dispatcher.ResponseData;
    try {
      res = await this.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: "GET",
        headers: this.headersOf(req),
        signal: req.stop,
        headersTimeout: this.requestTimeoutMs,
        bodyTimeout: req.idleTimeoutMs,
      });
    } catch (err) {
      if (req.stop?.aborted) return;
      throw new UnavailableError(`${req.what}: the API server at ${this.server} could not be reached (${describe(err)})`, 0);
    }
    if (res.statusCode < 200 || res.statusCode >= 300) throw errorFromResponse(res.statusCode, parseJson(await res.body.text()), req.what);
    let pending = "";
    res.body.setEncoding("utf8"); // a character split between two chunks stays whole
    // What onLine throws ends the stream and reaches the caller as it is.
    const rejected: { by?: unknown } = {};
    try {
      for await (const chunk of res.body) {
        pending += chunk as string;
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (!line.trim()) continue;
          try {
            onLine(line);
          } catch (err) {
            rejected.by = err;
            throw err;
          }
        }
      }
    } catch (err) {
      if ("by" in rejected) throw rejected.by;
      if (req.stop?.aborted) return;
      throw new UnavailableError(`${req.what}: the stream from ${this.server} broke (${describe(err)})`, 0);
    }
  }

  private urlOf(req: Pick<KubeRequest, "path" | "query">): URL {
    const url = new URL(this.server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  private headersOf(req: Pick<KubeRequest, "accept">): Record<string, string> {
    const headers: Record<string, string> = { accept: req.accept ?? "application/json" };
    if (this.credentials.authorization) headers.authorization = this.credentials.authorization;
    return headers;
  }

  /**
   * A view of this client, on the same connections and credentials, that
   * reports each request it sends to onRequest: how one component of a
   * process counts its own requests (a metric) on the process's one client.
   * Closing the view closes nothing.
   */
  withRequestListener(onRequest: (method: KubeRequest["method"]) => void): KubeClient {
    return new KubeClient(this.kubeConfig, this.server, this.dispatcher, this.requestTimeoutMs, onRequest, this.credentials, false);
  }

  async close(): Promise<void> {
    if (!this.ownsConnections) return;
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
